"""End to end on the example site: real posts, real Sudachi, real files, asserted answers.

What each post contains is listed in examples/EXPECTATIONS.md.
"""

from __future__ import annotations

KYOTO = "_posts/2016-04-02-kyoto-day-trip.md"
OSAKA = "source/_posts/osaka-kanazawa-trip.md"
KEITAISO = "articles/keitaiso-kaiseki-nyumon.md"
HOKKAIDO = "content/posts/hokkaido-drive.md"
DOCKER = "_posts/2019-01-05-docker-web-server.md"
HUGO = "content/posts/hugo-dev-server.md"
CRLF = "pages/crlf-post.md"
BOM = "pages/bom-post.md"
OCTOPRESS = "_posts/2014-11-12-octopress-to-github-pages.markdown"
JSONFM = "pages/json-front-matter.md"
REACT = "articles/react-effect-loop.md"
HEXO = "source/_posts/hexo-first-post.md"


def paths(example, query: str, limit: int = 50) -> list[str]:
    """The posts that match every word (partial matches are tested on their own below)."""
    return [h.path for h in example.search(query, limit=limit, partial=False).hits]


def test_shinkansen_is_one_word_not_its_characters(example):
    found = set(paths(example, "新幹線"))
    assert {KYOTO, OSAKA, KEITAISO} <= found
    assert HOKKAIDO not in found  # has 新しい and 幹線道路, never 新幹線


def test_server_spellings_find_each_other(example):
    assert set(paths(example, "サーバ")) == {DOCKER, HUGO}
    assert set(paths(example, "サーバー")) == {DOCKER, HUGO}
    assert set(paths(example, "ｻｰﾊﾞｰ")) == {DOCKER, HUGO}  # half-width katakana


def test_query_with_particles(example):
    found = paths(example, "設定を変更する")
    assert set(found[:2]) == {DOCKER, CRLF}
    assert BOM in found  # has both words, far apart: matches, ranks lower for now


def test_phrase(example):
    assert set(paths(example, '"設定を変更する"')) == {DOCKER, CRLF}
    assert paths(example, '"東京駅から新大阪駅まで"') == [KYOTO]
    assert set(paths(example, "新大阪駅 東京駅")) == {KYOTO, OSAKA}


def test_katakana_compound_found_from_a_part(example):
    assert paths(example, "ラーニング") == [HEXO]
    assert paths(example, "ディープラーニング") == [HEXO]


def test_english_words_in_japanese_text(example):
    assert paths(example, "docker") == [DOCKER]
    assert paths(example, "Docker") == [DOCKER]
    assert paths(example, "useEffect")[0] == REACT
    assert paths(example, "node.js") == [REACT]
    assert paths(example, "EC2") == [OCTOPRESS]
    assert paths(example, "re:Invent") == [OCTOPRESS]


def test_full_width_and_half_width_agree(example):
    assert set(paths(example, "ＡＷＳ")) == {OCTOPRESS, JSONFM}
    assert set(paths(example, "aws")) == {OCTOPRESS, JSONFM}
    assert paths(example, "２０２４年") == [JSONFM]


def test_exclusion(example):
    found = paths(example, "新幹線 -京都")
    assert KYOTO not in found and OSAKA in found


def test_kanji_title_ranks_first(example):
    assert paths(example, "形態素解析入門")[0] == KEITAISO
    assert paths(example, "形態素解析")[0] == KEITAISO


def test_drafts_and_scripts_are_not_searchable(example):
    for word in (
        "下書き専用語ポストサーチ",
        "未公開ドラフト語",
        "ヒューゴ下書き語",
        "ゼン非公開語",
        "スクリプト内の隠し語",
    ):
        assert example.search(f'"{word}"', partial=False).total == 0, word
        assert all(h.path != "_drafts/unfinished-idea.md" for h in example.search(f'"{word}"').hits)
        assert all(h.path != "_drafts/unfinished-idea.md" for h in example.search(word).hits)


def test_long_post_is_indexed_to_its_end(example):
    assert paths(example, "長文末尾の合言葉") == ["pages/long-post.md"]
    assert paths(example, "長文冒頭の合言葉") == ["pages/long-post.md"]


def test_hits_carry_metadata_and_marked_excerpt(example):
    hit = example.search("新幹線", limit=1).hits[0]
    assert hit.url.startswith("/") and hit.title and hit.date and hit.tags and hit.score > 0
    assert "<mark>新幹線</mark>" in hit.excerpt


def test_other_spelling_is_marked_in_excerpt(example):
    hits = example.search("サーバ").hits
    docker = next(h for h in hits if h.path == DOCKER)
    assert "<mark>サーバー</mark>" in docker.excerpt


def test_empty_and_junk_queries(example):
    for q in ("", "   ", "-", '""', "の", "!!!", "-新幹線"):
        assert example.search(q).total == 0, q


def test_part_of_a_word_the_lexicon_cannot_cut(example):
    # no surface covers these, so n-grams of the text find the posts containing it, first
    assert paths(example, "ープラーニ") == [HEXO]
    assert paths(example, "幹線道")[0] == HOKKAIDO


def test_unknown_latin_prefix_finds_the_word(example):
    assert paths(example, "dock") == [DOCKER]
    assert paths(example, "useEff")[0] == REACT


def test_unknown_word_finds_nothing(example):
    assert example.search("予約").total == 0  # not in the example site at all
    both = example.search("新幹線 予約")
    assert both.complete == 0 and both.total == len(both.hits) > 0  # no post has both words:
    assert all(h.missing == ["予約"] for h in both.hits)  # those with 新幹線 follow, and say so
    assert example.search("新幹線 予約", partial=False).total == 0


def test_a_question_finds_the_post_with_most_of_its_words(example):
    result = example.search("京都へ日帰りで行くにはどの新幹線に乗ればいいですか？")
    assert result.complete == 0 and result.hits
    top = result.hits[0]
    assert top.path == "_posts/2016-04-02-kyoto-day-trip.md" and top.missing and "京都" not in top.missing


def test_posts_with_every_word_rank_above_partial_matches(example):
    result = example.search("新幹線 京都 予約")
    complete = example.search("新幹線 京都", partial=False)
    assert [h.path for h in result.hits[: complete.total]] == [h.path for h in complete.hits]
    assert all(h.missing == ["予約"] for h in result.hits[: complete.total])
    assert all(set(h.missing) >= {"予約"} for h in result.hits[complete.total :])
    enough = example.search("新幹線 京都", limit=2)  # as many posts with every word as asked for
    assert enough.complete == enough.total == 2 and all(not h.missing for h in enough.hits)


def test_search_as_you_type_matches_the_last_word_as_a_prefix(example):
    assert paths(example, "形態素解")[0] == KEITAISO
    assert paths(example, "ディープラー") == [HEXO]
    assert (
        paths(example, "形態素解", limit=5) != []
        and example.search("形態素解", prefix=False).total <= example.search("形態素解").total
    )


def test_a_finished_word_ranks_exact_matches_first(example):
    hits = example.search("ドライブ").hits
    assert hits and hits[0].path == HOKKAIDO


def test_pieces_side_by_side_rank_above_scattered_ones(example):
    on = paths(example, "設定を変更する")
    assert set(on[:2]) == {DOCKER, CRLF} and on.index(BOM) >= 2
    assert example.search("設定を変更する", adjacency=False).total == len(on)  # ranking only, same posts


def test_a_trailing_single_hiragana_need_not_match(example):
    assert paths(example, "設定を変更す")[:2] == paths(example, "設定を変更する")[:2]


def test_tag_filters_in_the_query_and_as_options(example):
    assert paths(example, "新幹線 tag:旅行") == [OSAKA]
    assert [h.path for h in example.search("新幹線", tags=["京都"]).hits] == [KYOTO]
    assert set(paths(example, "tag:新幹線")) == {KYOTO, OSAKA}  # filters alone list their posts
    assert example.search("tag:存在しないタグ").total == 0


def test_date_range_and_sort_by_date(example):
    assert [h.path for h in example.search("新幹線", since="2016-01-01").hits] == [KYOTO]
    assert [h.path for h in example.search("新幹線", until="2015-12-31").hits] == [OSAKA]
    by_date = [h.date for h in example.search("新幹線", sort="date").hits]
    dated = [d for d in by_date if d]
    assert dated == sorted(dated, reverse=True) and by_date[-1] is None  # undated last


def test_tag_list_with_counts(example):
    tags = dict(example.tags())
    assert tags["新幹線"] == 2 and tags["travel"] == 2
    counts = [c for _, c in example.tags()]
    assert counts == sorted(counts, reverse=True)


def test_hit_points_to_the_section_that_matched(example):
    hit = example.search('"東京駅から新大阪駅まで"').hits[0]
    assert hit.anchor == "東京駅から新大阪駅まで" and hit.section == "東京駅から新大阪駅まで"
    assert example.search("帰り道 新幹線").hits[0].anchor == "帰り道"


def test_a_phrase_no_post_has_in_sequence_finds_posts_with_its_words(example):
    # quotes in a pasted paragraph are rarely meant as a phrase: partial matches count its words
    assert example.search('"京都 新幹線"', partial=False).total == 0
    result = example.search('"京都 新幹線"')
    assert result.complete == 0 and result.hits
    assert all(h.missing == ['"京都 新幹線"'] for h in result.hits)  # the phrase, not its words
    mixed = example.search('"新幹線で京都" 予約')
    assert mixed.complete == 0 and all(h.missing[0] == "予約" for h in mixed.hits)
    assert ["予約"] in [h.missing for h in mixed.hits]  # the post with the phrase lacks only 予約
    assert ["予約", '"新幹線で京都"'] in [h.missing for h in mixed.hits]


def test_a_repeated_word_counts_once_toward_the_words_a_query_keeps(example):
    both = paths(example, "新幹線 京都")
    assert both and paths(example, " ".join(["京都"] * 30 + ["新幹線"])) == both
    assert paths(example, " ".join(["新幹線"] * 30 + ["京都"])) == both
