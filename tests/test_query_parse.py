"""The query side's parsing and segmentation (postsearch.query.parse), alone: no index, no Sudachi."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from postsearch.core import compare, fold, gram_shard, grams_of
from postsearch.query.decode import Lexicon, LexiconEntry
from postsearch.query.parse import KNOWN, UNCOVERED, backtrack, parse_query, segment


def lexicon(*rows: tuple[str, int, list[str]]) -> dict[str, LexiconEntry]:
    return {s: LexiconEntry(w, 5, t) for s, w, t in rows}


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


def test_tag_clauses():
    assert [(c.kind, c.text) for c in parse_query("tag:React category:旅行 tag: 新幹線")] == [
        ("tag", "react"),
        ("tag", "旅行"),
        ("word", "tag:"),
        ("word", "新幹線"),
    ]


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


def test_backtrack_joins_uncovered_characters_side_by_side():
    back = [(0, UNCOVERED), (0, UNCOVERED), (1, UNCOVERED), (2, KNOWN), (3, UNCOVERED)]
    assert backtrack(back) == [(0, 2, UNCOVERED), (2, 3, KNOWN), (3, 4, UNCOVERED)]
    assert backtrack([(0, UNCOVERED)]) == []


def test_compare_is_code_point_order():
    assert compare("\uffff", "😀") == -1  # UTF-16 order would say the opposite
    assert compare("a", "a") == 0


def test_grams_of_a_query_string():
    assert grams_of("設定を変更") == ["を変更", "定を変", "設定を"]  # a long run: its trigrams
    assert grams_of("ab京都x") == ["京都"]  # a run of two: itself; one character: nothing
    assert grams_of("京 都") == []
    assert gram_shard("京都", 97) == (ord("京") * 31 + ord("都")) % 97


# --- bounded work for long queries (issue #10) -----------------------------------------------


class CountingLexicon(Lexicon):
    """A lexicon that counts its lookups: work is bounded by counting operations, never by
    timing. `probes`: get(), the segmenter trying a substring; `lookups`: get, [] and `in`."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.probes = 0
        self.lookups = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.probes += 1
        self.lookups += 1
        return Lexicon.__getitem__(self, key) if dict.__contains__(self, key) else default

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
