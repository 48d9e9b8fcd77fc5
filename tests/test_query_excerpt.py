"""What a hit shows (postsearch.query.excerpt)."""

from __future__ import annotations

from postsearch.query.excerpt import (
    MAX_SECTIONS,
    escape_html,
    excerpt,
    excerpt_in,
    mark_spans,
    section_at,
    sections,
)


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


# A post with five sections: the matches fall in 2 (twice), 3 (once), 4 (three times) and 5
# (once); the untitled intro (no anchor) and a heading without an anchor never link.
SECTIONED = (
    "前置きに新幹線の話。\n"  # 0: before any heading
    "出発\n東京駅で新幹線の切符を買い、新幹線に乗った。\n"
    "車内\n🚄車内で駅弁を食べた。新幹線は速い。\n"
    "到着\n新大阪駅に着いた。新幹線を降りて、新幹線の写真と新幹線の動画を撮った。\n"
    "帰り\n帰りも新幹線だった。\n"
    "付録\n新幹線の時刻表。\n"
)


def sectioned_headings(text: str = SECTIONED) -> list:
    flat: list = []
    for title, anchor in [("出発", "depart"), ("車内", "train"), ("到着", "arrive"), ("帰り", "back"), ("付録", None)]:
        flat += [text.index(title + "\n"), anchor]
    return flat


def test_sections_are_the_best_three_in_page_order():
    got = sections(SECTIONED, sectioned_headings(), mark_spans(SECTIONED, ["新幹線"]))
    assert MAX_SECTIONS == 3
    # most matches: 到着 (3), 出発 (2), then 車内 and 帰り (1 each): the earlier wins the tie
    assert [s["anchor"] for s in got] == ["depart", "train", "arrive"]
    assert [s["title"] for s in got] == ["出発", "車内", "到着"]
    assert got[0]["excerpt"] == "東京駅で<mark>新幹線</mark>の切符を買い、<mark>新幹線</mark>に乗った。 "
    assert got[1]["excerpt"].startswith("🚄車内で")  # the heading line is the title, not the excerpt


def test_sections_need_an_anchor_and_a_match():
    assert sections(SECTIONED, sectioned_headings(), mark_spans(SECTIONED, ["飛行機"])) == []
    assert sections(SECTIONED, [], mark_spans(SECTIONED, ["新幹線"])) == []
    only_appendix = sections(SECTIONED, sectioned_headings(), mark_spans(SECTIONED, ["時刻表"]))
    assert only_appendix == []  # 付録 has no anchor to link to


def test_a_section_excerpt_is_the_excerpt_of_its_text():
    """excerpt_in() over the whole text's spans gives what excerpt() gives on the section alone."""
    text = SECTIONED * 3
    headings = sectioned_headings(text)
    for needles in (["新幹線"], ["新幹線", "駅"], ["写真", "新大阪駅"], ["帰り"]):
        spans = mark_spans(text, needles)
        for k in range(0, len(headings), 2):
            end = headings[k + 2] if k + 2 < len(headings) else len(text)
            body = text.index("\n", headings[k]) + 1
            assert excerpt_in(text, spans, body, end)[0] == excerpt(text[body:end], needles)[0]
