"""Stage 3: Sudachi analysis into terms, positions and lexicon surfaces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postsearch.analysis import (
    LONG_PART_BYTES,
    SUDACHI_MAX_BYTES,
    SURELY_FITS,
    Analyzer,
    code_stretches,
    misread,
    split_for_sudachi,
)
from postsearch.core import fold
from postsearch.whoosh_analysis import whoosh_analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def terms(analyzer: Analyzer, text: str) -> list[str]:
    return [t.term for t in analyzer.analyze(text) if t.term is not None]


def test_mode_c_units_and_their_mode_a_parts(analyzer):
    got = terms(analyzer, "機械学習の勉強")
    assert "機械学習" in got and "機械" in got and "学習" in got


def test_normalized_form_unifies_spellings(analyzer):
    assert "サーバー" in terms(analyzer, "サーバの設定")
    assert "サーバー" in terms(analyzer, "サーバーの設定")
    assert "付属" in terms(analyzer, "附属の病院")


def test_particles_and_symbols_are_stops_but_known(analyzer):
    tokens = analyzer.analyze("設定を変更する。")
    assert [t.term for t in tokens if t.term] == ["設定", "変更"]
    stops = [t.surface for t in tokens if t.term is None]
    assert "を" in stops and "する" in stops and "。" in stops
    # positions count stop tokens, so a phrase keeps its shape
    by_term = {t.term: t.pos for t in tokens if t.term}
    assert by_term["変更"] - by_term["設定"] == 2


def test_latin_words_numbers_and_full_width(analyzer):
    got = terms(analyzer, "ＡＷＳのEC2とNode.jsとre:Inventと２０１４年のC++")
    for term in ("aws", "ec2", "node.js", "node", "js", "re:invent", "2014", "c++"):
        assert term in got, term
    assert all(t == t.lower() for t in got)


def test_a_dictionary_word_with_spaces_also_gives_its_words(analyzer):
    # Sudachi's dictionary holds `World Wide Web` as one word; `wide` alone must still find it
    got = terms(analyzer, "これはWorld Wide Webの話です")
    assert "world wide web" in got and {"world", "wide", "web"} <= set(got)


def test_offsets_point_into_the_normalized_text(analyzer):
    text = "東京の新幹線"
    for t in analyzer.analyze(text):
        assert text[t.start : t.end].lower() == t.surface


def test_long_text_is_split_under_the_limit_with_offsets_right(analyzer):
    paragraph = "新しい検索エンジンを作っています。" * 40
    text = "\n\n".join(f"{paragraph}段落{i}番" for i in range(120))  # ~245 KB of UTF-8
    assert len(text.encode()) > 4 * SUDACHI_MAX_BYTES
    tokens = analyzer.analyze(text)
    for t in tokens[::97]:
        assert text[t.start : t.end] == t.surface
    assert tokens[-1].end == len(text)
    assert [t.pos for t in tokens] == sorted(t.pos for t in tokens)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("あ漢カa。\n\n .😀"), max_size=400), st.integers(8, 60))
def test_split_for_sudachi_covers_text_within_limit(text, limit):
    pieces = list(split_for_sudachi(text, limit))
    assert "".join(p for _, p in pieces) == text
    offset = 0
    for start, piece in pieces:
        assert start == offset and len(piece.encode()) <= limit and piece
        offset += len(piece)


def test_text_without_any_boundary_still_splits(analyzer):
    text = "あ" * 40_000  # 120,000 bytes, no paragraph or sentence end
    assert sum(1 for _ in split_for_sudachi(text)) >= 3
    assert analyzer.analyze(text)[-1].end == len(text)


def test_whoosh_analyzer_yields_our_terms():
    a = whoosh_analyzer()
    got = [t.text for t in a("サーバの設定を変更する", positions=True)]
    assert got == ["サーバー", "設定", "変更"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("あア漢々ーa1 。\u3040\u30ff\u3400\u4dbf\u9fff\uf900\ufaff\u3004\u3006😀"), max_size=60
    )
)
def test_a_post_has_every_gram_a_query_for_its_text_asks_for(text):
    """The build's n-grams of a text hold every n-gram search.grams_of asks for, for the text
    and for every substring of it (a query may be any part of a post)."""
    from postsearch.core import grams_of, post_grams

    have = set(post_grams(text))
    for i in range(len(text)):
        for j in range(i + 1, min(len(text), i + 8) + 1):
            assert set(grams_of(text[i:j])) <= have


CODE = (
    "const total = items.map(x => x.price);\n  // 合計金額を新幹線の中で計算する\n  return total;\n\n\nconst total = 0;"
)


def test_code_stretches_cover_the_text_and_keep_white_space_whole():
    stretches = list(code_stretches(CODE))
    assert [s[2] for s in stretches] == [True, False, True]
    assert "".join(CODE[a:b] for a, b, _ in stretches) == CODE
    assert all(a < b for a, b, _ in stretches)
    assert CODE[stretches[1][0] - 3 : stretches[1][0]] == "\n  "  # the indent stays with its newline


def test_code_is_read_a_word_at_a_time_and_its_japanese_by_sudachi(analyzer):
    units = analyzer.units(CODE, code=True)
    words = {u[1] for u in units}
    assert {"const", "total", "x.price", "price", "return"} <= words  # Latin runs joined as in prose
    assert "新幹線" in {u[0] for u in units} and "計算" in {u[0] for u in units}  # the comment
    for _, surface, _, _, start, end in units:
        assert fold(CODE[start:end]) == surface  # offsets into the text, after any cached word
    positions = [u[2] for u in units if u[3] == 1 and u[1].strip()]
    assert positions == sorted(positions)
    covered = bytearray(len(CODE))
    for u in units:
        covered[u[4] : u[5]] = b"\x01" * (u[5] - u[4])
    assert covered.count(0) == 0  # every character is in some unit, white space included


def test_code_units_are_what_each_word_on_a_line_of_its_own_gives(analyzer):
    """A word of code gives the units Sudachi gives it on a line of its own, wherever it is
    and whatever the cache holds (read alone or many to a call): the index is the same
    whichever worker read the post."""
    text = "let a = b;\nlet c = d;\nconsole.log(a)"
    warm = analyzer.units(text, code=True)
    assert Analyzer().units(text, code=True) == warm
    alone = Analyzer()
    expected, pos, offset = [], 0, 0
    words = ["let", " ", "a", " ", "=", " ", "b;", "\n", "let", " ", "c", " ", "=", " ", "d;", "\n", "console.log(a)"]
    for word in words:
        lined, shift = (word, 0) if word.isspace() else (f"\n{word}\n", 1)  # white space: alone
        units = [
            (t, s, p - shift, w, a - shift, b - shift)
            for t, s, p, w, a, b in alone.units(lined)
            if shift <= a and b <= len(word) + shift
        ]
        expected += [(t, s, pos + p, w, offset + a, offset + b) for t, s, p, w, a, b in units]
        pos += max(p + w for _, _, p, w, _, _ in units)  # the positions the word spans
        offset += len(word)
    assert warm == expected


def test_a_long_code_word_is_split_under_the_sudachi_limit(analyzer):
    word = "ab" * 30_000  # 60,000 bytes, no white space
    units = analyzer.units(f"x = {word}", code=True)
    assert max(u[5] for u in units) == len(word) + 4
    assert all(len(u[1].encode()) <= SUDACHI_MAX_BYTES for u in units)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("線を引く。", "線(せん)を引く。"),  # Sudachi drops the reading in brackets: a longer surface
        ("ー", "長音が---続く"),  # a run of dashes read as one ー
        ("apple", "APPLE と Apple"),  # the same word in other letter cases
        ("istanbul", "İstanbul へ"),  # İ is longer in lower case
    ],
)
def test_a_word_found_by_its_id_has_the_units_a_fresh_analyzer_gives(first, then):
    """`Analyzer._read_piece` finds a known word by its id alone only where Sudachi reads the
    text as its lower case; elsewhere the same id may come with another surface."""
    warm = Analyzer()
    warm.analyze(first)
    assert warm.analyze(then) == Analyzer().analyze(then)
    assert warm.analyze(first + "\n" + then) == Analyzer().analyze(first + "\n" + then)


ASCII_BITS = st.sampled_from(["-", "--", " ", "aZ", "(9)", "~", "_.", "\n", "\t", "\x00"])  # dashes often


@settings(max_examples=300, deadline=None)
@given(st.lists(ASCII_BITS | st.characters(max_codepoint=127), max_size=30).map("".join))
def test_ascii_text_is_taken_as_read_in_lower_case_only_where_it_is(analyzer, text):
    """`misread` skips Sudachi's normalizer for ASCII text without a run of dashes."""
    if misread(analyzer.normalizer, text) is None:
        assert analyzer.normalizer.normalize(text) == text.lower()
    else:
        assert "--" in text


def test_a_word_met_again_in_the_same_call_has_one_number():
    """`_read_piece` learns a word the table lacked at its first morpheme, and finds the same
    word later in the call, in another letter case, by its id: one Word, one number."""
    analyzer, text = Analyzer(), "Apple と APPLE と apple"
    numbers, _ = analyzer.sequence(text)
    ids = [(m.word_id(), m.surface()) for m in analyzer.tokenizer.tokenize(text)]
    by_id: dict[int, set[int]] = {}
    for (word_id, _), n in zip(ids, numbers, strict=True):
        by_id.setdefault(word_id, set()).add(n)
    assert any(a != b and i == j for i, a in ids for j, b in ids)  # one id, two spellings
    assert all(len(ns) == 1 for ns in by_id.values())


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("はじめに\nで、次に進む", "で、次に進む"),  # で after a newline: a particle; first: a conjunction
        ("で、次に進む", "はじめに\nで、次に進む"),
        ("はじめに\n別の行です", "はじめに\nで、次に進む"),  # its first line known, its second read after a newline
        ("Note: 設定を確かめる\n\n  Note: 設定を確かめる", "前置き\n  Note: 設定を確かめる\nNote: 設定を確かめる"),
    ],
)
def test_a_line_read_before_has_the_units_it_has_where_it_is(first, then):
    """Prose is read a line at a time, each line once (`Analyzer.lines`); a line is read where
    it stands (at its text's start, or after a newline), as Sudachi reads the two apart."""
    warm = Analyzer()
    warm.analyze(first)
    assert warm.lines
    assert warm.analyze(then) == Analyzer().analyze(then)


LINES = ["で、次に進む", "Note: 設定を確かめる", "はじめに", "non-null な値を返す", "2つ目の例を示す。", "　全角の空白"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(["\n", "\n\n", "\n  ", " \n"])), max_size=8))
def test_prose_read_a_line_at_a_time_is_the_text_read_whole(lines):
    text = "".join(line + end for line, end in lines)
    warm = Analyzer()
    warm.analyze("\n".join(LINES[::-1]))
    assert warm.analyze(text) == Analyzer().analyze(text)
    whole: list[int] = []
    warm._read_piece(text, whole)
    assert warm.sequence(text)[0] == whole


class CallSizes:
    """A tokenizer that records the UTF-8 size of each text it is given, then reads it."""

    def __init__(self, tokenizer: object) -> None:
        self.tokenizer, self.sizes = tokenizer, []

    def tokenize(self, text: str, *args: object) -> object:
        self.sizes.append(len(text.encode("utf-8")))
        return self.tokenizer.tokenize(text, *args)  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", [False, True])
def test_a_very_long_line_is_read_in_parts(code):
    # Percent-encoded text costs Sudachi time that grows with the square of a run's length:
    # a line too long to read after a newline must not go to it whole.
    analyzer = Analyzer()
    analyzer.tokenizer = spy = CallSizes(analyzer.tokenizer)  # type: ignore[assignment]
    line = "https://example.jp/" + "%E6%A4%9C%E7%B4%A2" * 1_000  # 18,019 characters, no space
    text = f"検索の話です。\n{line}\nおわり"
    assert len(line) >= SURELY_FITS
    numbers, _ = analyzer.sequence(text, code=code)
    assert max(spy.sizes) <= LONG_PART_BYTES
    assert sum(analyzer.table[n].length for n in numbers) == len(text)  # every character read once
    for _, surface, _, _, start, end in analyzer.units(text, code=code):
        assert surface == text[start:end].lower()
