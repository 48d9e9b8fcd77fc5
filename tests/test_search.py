"""Stage 6: the query side, alone (no Sudachi) and its pieces."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

from postsearch.search import (
    MAX_QUERY_CHARS,
    Clause,
    LexiconEntry,
    Piece,
    TermEntry,
    clause_matches,
    compare,
    escape_html,
    excerpt,
    fold,
    open_index,
    parse_query,
    section_at,
    segment,
)


def lexicon(*rows: tuple[str, int, list[str]]) -> dict[str, LexiconEntry]:
    return {s: LexiconEntry(w, 5, t) for s, w, t in rows}


def test_query_path_never_imports_sudachi(example_index):
    code = (
        "import sys, postsearch\n"
        f"idx = postsearch.open_index({str(example_index)!r})\n"
        "r = idx.search('新幹線 京都')\n"
        "assert r.total > 0\n"
        "bad = [m for m in sys.modules if m.startswith(('sudachipy', 'whoosh', 'markdown_it', 'yaml', 'frontmatter'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fold():
    assert fold("ＡＷＳ") == "aws"
    assert fold("２０２４年") == "2024年"
    assert fold("ｻｰﾊﾞ") == "サーバ"
    assert fold("İstanbul") == "İstanbul"  # lower case would be longer: kept
    assert len(fold("ΣΑΣ")) == 3


def test_parse_query():
    clauses = parse_query('新幹線  "東京駅 から" -京都 -')
    assert [(c.kind, c.text) for c in clauses] == [("word", "新幹線"), ("phrase", "東京駅 から"), ("not", "京都")]
    assert [(c.kind, c.text) for c in parse_query('"閉じていない')] == [("word", "閉じていない")]


def test_segment_prefers_fewest_longest_pieces():
    lex = lexicon(
        ("新幹線", 1, ["新幹線"]), ("新", 1, ["新"]), ("幹線", 1, ["幹線"]), ("予約", 1, ["予約"]), ("の", 1, [])
    )
    pieces = segment("新幹線の予約", lex, 3)
    assert [(p.surface, p.terms, p.qpos) for p in pieces] == [
        ("新幹線", ["新幹線"], 0),
        ("の", [], 1),
        ("予約", ["予約"], 2),
    ]


def test_segment_falls_back_for_uncovered_runs():
    lex = lexicon(("設定", 1, ["設定"]))
    pieces = segment("設定ぬぬぬ", lex, 2)
    assert [(p.surface, p.fallback) for p in pieces] == [("設定", False), ("ぬぬぬ", True)]


def test_compare_is_code_point_order():
    assert compare("\uffff", "😀") == -1  # UTF-16 order would say the opposite
    assert compare("a", "a") == 0


def test_excerpt_escapes_and_marks():
    text = "前置き<script>alert(1)</script>の後で新幹線に乗った。" + "あ" * 300
    out, at = excerpt(text, ["新幹線"])
    assert text[at : at + 3] == "新幹線"
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<mark>新幹線</mark>" in out and out.endswith("…")
    assert escape_html("\"'&") == "&quot;&#39;&amp;"


def test_excerpt_never_cuts_a_character_and_centres_matches():
    text = "😀" * 200 + "検索" + "😀" * 200
    out, _ = excerpt(text, ["検索"])
    assert "<mark>検索</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out.replace("<mark>", "").replace("</mark>", "")) == 122


def test_section_of_the_match():
    text = "はじめに\n前置きの文。\n使い方\n新幹線の予約の話。"
    headings = [0, "intro", 12, "usage"]
    assert section_at(text, headings, text.index("新幹線")) == ("usage", "使い方")
    assert section_at(text, headings, 5) == ("intro", "はじめに")
    assert section_at(text, headings, -1) == (None, None)


def test_tag_clauses():
    assert [(c.kind, c.text) for c in parse_query("tag:React category:旅行 tag: 新幹線")] == [
        ("tag", "react"),
        ("tag", "旅行"),
        ("word", "tag:"),
        ("word", "新幹線"),
    ]


def test_grams_of_a_query_string():
    from postsearch.search import gram_shard, grams_of

    assert grams_of("設定を変更") == ["を変更", "定を変", "設定を"]  # a long run: its trigrams
    assert grams_of("ab京都x") == ["京都"]  # a run of two: itself; one character: nothing
    assert grams_of("京 都") == []
    assert gram_shard("京都", 97) == (ord("京") * 31 + ord("都")) % 97


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
    assert sorted(h.title for h in index.search("勝手に消え").hits) == ["cut", "whole"]
    assert [h.title for h in index.search("勝手に消え", adjacency=False).hits] == ["whole"]


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
    assert [h.title for h in index.search("必要有").hits] == ["typed", "both"]


# --- bounded work for long queries (issue #10) -----------------------------------------------


class CountingLexicon(dict):
    """A lexicon that counts its lookups: work is bounded by counting operations, never by
    timing. `probes`: get(), the segmenter trying a substring; `lookups`: get, [] and `in`."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.probes = 0
        self.lookups = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.probes += 1
        self.lookups += 1
        return super().get(key, default)

    def __getitem__(self, key: str) -> LexiconEntry:
        self.lookups += 1
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.lookups += 1
        return super().__contains__(key)


def counted(surfaces_of: Callable[[str], list[str]]) -> tuple[list[int], Callable[[str], list[str]]]:
    """`surfaces_of` and a one-item list counting its calls: one per longer_surfaces call."""
    calls = [0]

    def counting(c: str) -> list[str]:
        calls[0] += 1
        return surfaces_of(c)

    return calls, counting


def test_segmenting_a_20000_character_word_is_linear():
    """A word of n characters costs at most n x longest lexicon probes and a few
    longer_surfaces calls (only the last `longest` positions can start a longer surface);
    it used to call longer_surfaces, rebuilding the rest of the word, at every character."""
    words = ["新幹線", "幹線", "新", "京都", "大阪", "へ", "で", "行く", "旅行", "予約", "東京駅", "乗り換え案内"]
    lex = CountingLexicon({w: LexiconEntry(1, 3 + len(w), [w]) for w in words})
    lex["形態素解析入門書"] = LexiconEntry(1, 20, ["形態素解析入門書"])  # longest: 8
    longest = max(len(s) for s in lex)
    rng = random.Random(10)
    parts: list[str] = []
    while len(parts) < 20_000:  # characters, not words
        parts.extend(rng.choice(words))
    word = "".join(parts) + "形態素解"  # ends with the start of a longer surface
    n = len(word)
    calls, surfaces_of = counted(lambda c: sorted(s for s in dict.keys(lex) if s[0] == c))
    lex.probes = lex.lookups = 0
    pieces = segment(word, lex, longest, surfaces_of)
    assert "".join(p.surface for p in pieces) == word
    assert (pieces[-1].surface, pieces[-1].prefix_terms) == ("形態素解", ["形態素解析入門書"])
    assert all(not p.fallback for p in pieces)
    assert lex.probes <= n * longest  # a probe per substring tried
    assert lex.lookups <= n * (longest + 1) + 1000  # a lookup per piece cut, the prefix's few
    assert calls[0] <= longest + 2, calls[0]  # was n - 1


def test_a_100000_character_query_is_read_up_to_max_query_chars(example_index, monkeypatch):
    """Index.search reads the first MAX_QUERY_CHARS code points of the query: a pasted
    100,000-character word or list of words is answered, with bounded work, as its start."""
    import postsearch.search as search_module

    read: list[str] = []
    parse = search_module.parse_query
    monkeypatch.setattr(search_module, "parse_query", lambda q: read.append(q) or parse(q))
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
    assert result.total == open_index(example_index).search("京都 新").total > 0
    assert result.as_dict() == open_index(example_index).search(words[:MAX_QUERY_CHARS]).as_dict()


class CountingPostings(dict):
    """A term's postings that count how often they are read whole (iterated)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.reads = 0

    def __iter__(self) -> Iterator[int]:
        self.reads += 1
        return super().__iter__()


def test_phrases_and_exclusions_read_each_postings_list_once_not_once_per_post():
    """clause_matches is asked post by post: it used to gather every post of each piece for
    each post (posts x postings: a phrase or -word on a large site took seconds, and a
    query of many costs that many times over)."""
    fields, posts = 5, range(2000)
    tfs = [1, 0, 0, 0, 0]
    kyoto = TermEntry(CountingPostings({p: tfs for p in posts}), [2000, 0, 0, 0, 0], [])
    osaka = TermEntry(CountingPostings({p: tfs for p in posts if p % 2 == 0}), [1000, 0, 0, 0, 0], [])
    kyoto.positions = {p: [[3], None, None, None, None] for p in posts}
    osaka.positions = {p: [[4 if p % 4 == 0 else 7], None, None, None, None] for p in posts if p % 2 == 0}
    terms = {"京都": kyoto, "大阪": osaka}
    phrase = Clause(
        "phrase", "京都大阪", [Piece("京都", ["京都"], 0, False, []), Piece("大阪", ["大阪"], 1, False, [])]
    )
    exclusion = Clause("not", "大阪", [Piece("大阪", ["大阪"], 0, False, [])])
    assert sum(clause_matches(phrase, p, fields, terms, {}) for p in posts) == 500  # 大阪 right after 京都
    assert sum(clause_matches(exclusion, p, fields, terms, {}) for p in posts) == 1000
    assert kyoto.postings.reads + osaka.postings.reads == 3  # was 5,000
