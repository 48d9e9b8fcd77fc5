"""The query side's entry, `Index.search`, on real indexes (postsearch.query.index), and the
names `postsearch.search` keeps."""

from __future__ import annotations

import subprocess
import sys

import postsearch.query.index as index_module
import postsearch.search
from postsearch.query.index import MAX_QUERY_CHARS, open_index
from tests.test_query_parse import CountingLexicon, counted

# Every public name postsearch.search had when it held the whole query side (issue 11).
SEARCH_NAMES = [
    "ADJACENCY",
    "BUILD",
    "Clause",
    "CorruptIndex",
    "EXCERPT_CHARS",
    "FORMAT",
    "GRAM_FIELD",
    "Hit",
    "INTS",
    "Index",
    "IndexChanged",
    "KNOWN",
    "LISTS",
    "LexiconEntry",
    "MAX_QUERY_CHARS",
    "NAME",
    "NUMBERS",
    "PREFIX",
    "PREFIX_SURFACES",
    "PREFIX_WEIGHT",
    "Piece",
    "SearchResult",
    "SurfacesOf",
    "TermEntry",
    "UNCOVERED",
    "UNCOVERED_COST",
    "VERSION",
    "add_to",
    "ascii_class",
    "bm25",
    "can_cut",
    "check_manifest",
    "clause_matches",
    "clause_posts",
    "compare",
    "decode_ids",
    "decode_lengths",
    "decode_lexicon",
    "decode_positions",
    "decode_postings",
    "escape_html",
    "excerpt",
    "fallback_pieces",
    "fold",
    "fold_same_length",
    "gram_score",
    "gram_shard",
    "grams_of",
    "idf",
    "in_sequence",
    "is_gram_char",
    "is_hiragana",
    "is_required",
    "is_word_char",
    "last_piece_as_prefix",
    "longer_surfaces",
    "mark_spans",
    "needed_pieces",
    "needles_for",
    "open_index",
    "parse_query",
    "piece_starts",
    "positions_of",
    "posts_with",
    "posts_with_grams",
    "prefix_terms",
    "range_shard",
    "ranked",
    "reopening",
    "scores",
    "section_at",
    "segment",
    "shard_of",
    "spelled",
    "split_words",
    "term_score",
    "undeltas",
]


def test_postsearch_search_keeps_its_names():
    assert [name for name in SEARCH_NAMES if not hasattr(postsearch.search, name)] == []
    assert sorted(postsearch.search.__all__) == sorted(SEARCH_NAMES)
    assert postsearch.Index is postsearch.search.Index is index_module.Index


def test_query_path_never_imports_sudachi(example_index):
    code = (
        "import sys, postsearch\n"
        f"idx = postsearch.open_index({str(example_index)!r})\n"
        "r = idx.search('新幹線 京都')\n"
        "assert r.total > 0\n"
        "bad = [m for m in sys.modules if m.startswith(('sudachipy', 'whoosh', 'markdown_it', 'pyromark', 'yaml', 'frontmatter'))]\n"
        "assert not bad, bad\n"
        "build = [m for m in sys.modules if m.startswith('postsearch.') and m.split('.')[1] not in ('core', 'query')]\n"
        "assert build == [], build\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_query_side_never_imports_the_build():
    """postsearch.query imports postsearch.core and itself only (the build imports core, never query)."""
    code = (
        "import sys, postsearch.query\n"
        "mods = sorted(m for m in sys.modules if m.startswith('postsearch'))\n"
        "assert all(m in ('postsearch', 'postsearch.core') or m.startswith('postsearch.query') for m in mods), mods\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def small_site(root, posts: dict[str, str]):
    """A site of Markdown posts written here, built without a cache; its index, opened."""
    import postsearch

    for name, body in posts.items():
        (root / "site").mkdir(exist_ok=True)
        (root / "site" / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n{body}\n", encoding="utf-8")
    postsearch.build(root / "site", root / "index", cache=False)
    return postsearch.open_index(root / "index")


def test_a_word_matches_however_sudachi_cut_it_in_the_post(tmp_path):
    # Alone, 勝手に is one adverb; in post "cut" Sudachi reads 勝手 + に. The spelling's n-grams
    # still find it there.
    index = small_site(
        tmp_path,
        {
            "cut": "画面の通知をどかすと勝手に消えるので便利だ。",
            "whole": "通知が勝手に消えた。",
            "other": "通知は消えない。",
        },
    )
    assert sorted(h.title for h in index.search("勝手に消え", partial=False).hits) == ["cut", "whole"]
    assert [h.title for h in index.search("勝手に消え", adjacency=False, partial=False).hits] == ["whole"]


def test_a_phrase_typed_without_quotes_ranks_posts_that_have_it_first(tmp_path):
    index = small_site(
        tmp_path,
        {
            "phrase": "設定を変更するとすぐに反映される。長い説明が続くので、ここでは省きます。",
            "scattered": "設定の画面。設定の一覧。変更の履歴。変更は保存する。設定と変更。",
        },
    )
    assert [h.title for h in index.search("設定を変更する", adjacency=False).hits] == ["scattered", "phrase"]
    assert [h.title for h in index.search("設定を変更する").hits] == ["phrase", "scattered"]


def test_a_post_with_the_clause_as_typed_matches_whatever_the_pieces(tmp_path):
    # 有り is a stop word in "typed", so of the pieces 必要 + 有 only 必要 is there to match;
    # "both" has both pieces apart, so the query is not searched again by n-grams.
    index = small_site(
        tmp_path,
        {
            "typed": "この道具は持ち運びに必要有りません。",
            "other": "旅行に必要な道具。",
            "both": "必要なのは有と無の区別。",
        },
    )
    assert [h.title for h in index.search("必要有", partial=False).hits] == ["typed", "both"]


def test_a_100000_character_query_is_read_up_to_max_query_chars(example_index, monkeypatch):
    """Index.search reads the first MAX_QUERY_CHARS code points of the query: a pasted
    100,000-character word or list of words is answered, with bounded work, as its start."""
    read: list[str] = []
    parse = index_module.parse_query
    monkeypatch.setattr(index_module, "parse_query", lambda q: read.append(q) or parse(q))
    index = open_index(example_index)
    index.lexicon = lex = CountingLexicon()
    calls, index.surfaces_of = counted(index.surfaces_of)

    word = ("新幹線で京都へ" * 14_286)[:100_000]
    result = index.search(word)
    assert read == [word[:MAX_QUERY_CHARS]] and result.query == word[:MAX_QUERY_CHARS]
    assert lex.probes <= MAX_QUERY_CHARS * index.longest  # was 100,000 x longest
    assert lex.lookups <= MAX_QUERY_CHARS * (index.longest + 2)
    assert calls[0] <= index.longest + 2, calls[0]  # was 100,000
    assert result.as_dict() == open_index(example_index).search(word[:MAX_QUERY_CHARS]).as_dict()

    words = "京都 " * 333 + "新幹線" + " zqxjv" * 20_000  # zqxjv: in no post (nothing would match)
    assert len(words) > 100_000
    result = index.search(words)
    assert [(c.kind, c.text) for c in parse(read[-1])] == [("word", "京都")] * 333 + [("word", "新")]
    assert result.complete == open_index(example_index).search("京都 新").complete > 0
    assert result.as_dict() == open_index(example_index).search(words[:MAX_QUERY_CHARS]).as_dict()
