"""postterms.py counts a post with array operations; here it is held to the plain reading
of Analyzer.units, unit by unit (what the build did before, kept as the reference)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postsearch.analysis import Analyzer
from postsearch.core import FIELDS
from postsearch.postterms import CODE, PostTerms, post_terms, posts_terms


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


READER = Analyzer()


def reference(analyzer: Analyzer, texts: list[str]) -> tuple[dict, list[int], dict]:
    """term -> [(field, positions)], indexed tokens per field, surface key -> count."""
    by_term: dict[str, list[tuple[int, list[int]]]] = {}
    lengths = [0] * len(FIELDS)
    surfaces: dict[tuple[str, str, int], int] = {}
    for f, text in enumerate(texts):
        if not text:
            continue
        per_term: dict[str, list[int]] = defaultdict(list)
        for term, surface, pos, width, _, _ in analyzer.units(text, code=f == CODE):
            key = (surface, term or "", width)
            surfaces[key] = surfaces.get(key, 0) + 1
            if term is not None:
                per_term[term].append(pos)
        for term, positions in per_term.items():
            by_term.setdefault(term, []).append((f, sorted(set(positions))))
            lengths[f] += len(positions)
    return by_term, lengths, surfaces


def check(analyzer: Analyzer, texts: list[str]) -> None:
    got = post_terms(analyzer, texts)
    by_term, lengths, surfaces = reference(READER, texts)  # its own tables: no history shared
    assert got.postings.fields() == by_term
    assert got.lengths == lengths
    assert got.surfaces == surfaces


POST = [
    "機械学習で新幹線の遅れを予測する",
    "機械学習\nNode.js",
    "はじめに\nre:Invent と C++ の話",
    "World Wide Web の本文。0.000057 秒で Node.js と EC2 を使う。サーバの設定を変更する。\n\n機械学習の機械学習。",
    "const total = items.map((x) => x.price);\n  // 合計を新幹線の中で計算する\n  return total;\n\nfoo.bar.baz(1)",
]


def test_a_post_counts_as_its_units_do(analyzer):
    check(analyzer, POST)
    check(analyzer, POST)  # again, every word now known


def test_empty_fields_and_an_empty_post(analyzer):
    check(analyzer, ["", "", "", "", ""])
    check(analyzer, ["タイトル", "", "", "", ""])
    check(analyzer, ["", "", "", "", "x = 1"])


def test_texts_past_the_sudachi_limit_count_the_same(analyzer):
    long_prose = "今日は晴れ。Node.js を使う。" * 3_000  # pieces cut at sentence ends
    long_code = "a.b " * 20_000 + "ab" * 30_000  # a code word cut anywhere
    check(analyzer, ["", "", "", long_prose, long_code])


def test_a_full_table_is_emptied_and_counts_the_same(analyzer, monkeypatch):
    fresh = Analyzer()
    monkeypatch.setattr("postsearch.analysis.MAX_WORDS", 5)
    check(fresh, POST)
    check(fresh, POST)  # the table, full since the first post, is emptied first
    assert fresh.generation == 1


pieces = st.sampled_from(
    [
        "機械学習",
        "の",
        "新幹線",
        "サーバ",
        "Node.js",
        " ",
        "\n",
        "\n  ",
        "re:Invent",
        "C++",
        "x.y",
        "0.5",
        "(",
        ")",
        "。",
        "World Wide Web",
        "ｻｰﾊﾞｰ",
        "İ",
        "é",
        "//",
        "a",
        "1",
        "\t",
    ]
)
field_text = st.lists(pieces, max_size=30).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(field_text, min_size=len(FIELDS), max_size=len(FIELDS)))
def test_any_post_counts_as_its_units_do(analyzer, texts):
    check(analyzer, texts)


def spelled_out(terms: PostTerms) -> tuple:
    """Everything a PostTerms holds, order included."""
    p = terms.postings
    return (p.terms, p.heads, p.positions, p.head_ends, p.position_ends, terms.lengths, list(terms.surfaces.items()))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(field_text, min_size=len(FIELDS), max_size=len(FIELDS)), max_size=5))
def test_posts_counted_together_count_as_each_alone(analyzer, posts):
    together = posts_terms(analyzer, posts)
    assert [spelled_out(t) for t in together] == [spelled_out(post_terms(Analyzer(), texts)) for texts in posts]


def test_a_batch_of_the_example_posts_counts_as_each_alone(analyzer):
    posts = [POST, ["", "", "", "", ""], POST[::-1], ["機械学習", "", "", "Node.js と C++", ""]]
    together = posts_terms(analyzer, posts)
    assert [spelled_out(t) for t in together] == [spelled_out(post_terms(READER, texts)) for texts in posts]
