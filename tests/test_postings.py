"""A post's postings, encoded in the worker (postings.py): what the builder appends must be
what encode_entry gives, and `fields()` must give back what was packed."""

from __future__ import annotations

from array import array

from hypothesis import given
from hypothesis import strategies as st

from postsearch.core import FIELDS
from postsearch.postings import encode_entry, pack_postings

positions = st.lists(st.integers(0, 5_000), min_size=1, max_size=12, unique=True).map(sorted)
fields = st.dictionaries(st.integers(0, len(FIELDS) - 1), positions, min_size=1).map(lambda d: list(d.items()))
posts = st.dictionaries(st.text(min_size=1, max_size=4), fields, max_size=20)


@given(posts)
def test_packed_postings_are_encode_entry_without_the_id_delta(by_term):
    packed = pack_postings(by_term)
    assert packed.terms == list(by_term)
    assert packed.fields() == {t: sorted(f) for t, f in by_term.items()}
    h = q = 0
    for term, h_end, q_end in zip(packed.terms, packed.head_ends, packed.position_ends, strict=True):
        heads, deltas = array("I"), array("I")
        encode_entry(7, 7, by_term[term], heads, deltas)
        assert heads[0] == 0 and packed.heads[h:h_end] == heads[1:]
        assert packed.positions[q:q_end] == deltas
        h, q = h_end, q_end
    assert (h, q) == (len(packed.heads), len(packed.positions))
