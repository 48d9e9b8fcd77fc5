"""What a hit shows (postsearch.query.excerpt)."""

from __future__ import annotations

from postsearch.query.excerpt import escape_html, excerpt, section_at


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
