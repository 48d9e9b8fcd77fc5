"""N-grams as codes (ngrams.py): the same n-grams, rows and bytes as the strings they stand for."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from postsearch import ngrams
from postsearch.core import deltas, gram_shard, post_grams
from postsearch.rows import dumps

# kana, kanji (both blocks), the iteration mark, and what breaks runs: Latin, digits, spaces,
# long vowel mark's neighbours, a lone surrogate, and a code point past the BMP
CHARS = st.sampled_from([*"あいうアイウー々灯台港㐀豈a1 \n・", "\ud800", "\U00020000", "\u3040", "\u30ff", "\u9fff"])


@given(st.lists(CHARS, max_size=60).map("".join))
def test_codes_are_the_grams_of_the_text(text):
    codes = ngrams.post_gram_codes(text)
    assert ngrams.gram_texts(codes) == post_grams(text)
    assert ngrams.valid_codes(codes)
    assert ngrams.unpacked(ngrams.packed(codes)).tolist() == codes.tolist()
    assert [ngrams.gram_code(g) for g in post_grams(text)] == codes.tolist()


def test_codes_that_are_not_grams_are_refused():
    good = ngrams.post_gram_codes("灯台守の日誌")
    assert ngrams.valid_codes(good)
    assert not ngrams.valid_codes(good[::-1])  # not rising
    assert not ngrams.valid_codes(np.array([ngrams.gram_code("ab")], dtype=np.uint64))
    assert not ngrams.valid_codes(np.array([ngrams.gram_code("灯台") | 0x41], dtype=np.uint64))


@given(
    st.dictionaries(st.sampled_from(["京都", "ーあ", "灯台守", "港の"]), st.sets(st.integers(0, 5000), min_size=1)),
    st.sampled_from([1, 2, 3, 7, ngrams.ROW_PAIRS]),
)
def test_rows_are_what_json_would_write(posts_of, row_pairs):
    pairs = sorted((ngrams.gram_code(g), i) for g, ids in posts_of.items() for i in ids)
    codes = np.array([c for c, _ in pairs], dtype=np.uint64)
    ids = np.array([i for _, i in pairs], dtype=np.uint32)
    saved, ngrams.ROW_PAIRS = ngrams.ROW_PAIRS, row_pairs  # the numbers made into strings a few at a time
    try:
        rows = [row for grams, texts in ngrams.gram_stretches(codes, ids) for row in zip(grams, texts, strict=True)]
    finally:
        ngrams.ROW_PAIRS = saved
    assert rows == [(g, dumps([g, *deltas(sorted(posts_of[g]))])) for g in sorted(posts_of)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(CHARS, max_size=40).map("".join), min_size=1, max_size=12), st.integers(1, 40))
def test_runs_on_disk_read_back_as_the_pairs_held(texts, every):
    """Spilled after every `every` posts, cut into ranges of a few pairs: the same pairs."""
    whole, spilled = ngrams.GramPostings(), ngrams.GramPostings()
    saved = ngrams.SAMPLE, ngrams.PIECE_PAIRS
    ngrams.SAMPLE, ngrams.PIECE_PAIRS = 2, 3
    try:
        for i, text in enumerate(texts):
            codes = ngrams.post_gram_codes(text)
            whole.add(i, codes)
            spilled.add(i, codes)
            if i % every == every - 1:
                spilled.spill()
        pieces = list(spilled.pieces())
    finally:
        ngrams.SAMPLE, ngrams.PIECE_PAIRS = saved
    (held,) = list(whole.pieces())
    assert np.concatenate([c for c, _ in pieces]).tolist() == held[0].tolist()
    assert np.concatenate([i for _, i in pieces]).tolist() == held[1].tolist()
    lasts = [int(c[-1]) for c, _ in pieces if len(c)]
    firsts = [int(c[0]) for c, _ in pieces if len(c)]
    assert all(a < b for a, b in zip(lasts, firsts[1:], strict=False))  # no code split


@given(
    st.lists(st.text(st.characters(codec="utf-8") | CHARS, min_size=1, max_size=5)),
    st.integers(1, 5000),
)
def test_shards_of_many_grams_are_each_grams_shard(grams, shards):
    """gram_shards (all at once) and core.gram_shard (one at a time, what the browser does)
    agree on any strings, n-grams or longer, to the largest code points."""
    assert ngrams.gram_shards(grams, shards) == [gram_shard(g, shards) for g in grams]
    trigrams = ["\U0010ffff" * 3, "灯台守", "\U00020000あ"]
    assert ngrams.gram_shards(trigrams, shards) == [gram_shard(g, shards) for g in trigrams]
