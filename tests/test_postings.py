"""A post's postings, encoded in the worker (postings.py): what the builder appends must be
what encode_entry gives, and `fields()` must give back what was packed."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from postsearch.core import FIELDS
from postsearch.postings import HeldPostings, encode_entry, pack_postings

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


def runs_term_by_term(site: list[tuple[int, dict]]) -> list[tuple[str, int, array, array]]:
    """What the builder held before HeldPostings: each term's entries appended as each post
    came, an id delta (from 0 for the term's first) before each, in term order."""
    held: dict[str, tuple[list[int], array, array]] = {}
    for post_id, by_term in site:
        for term, term_fields in by_term.items():
            last, postings, deltas = held.setdefault(term, ([0], array("I"), array("I")))
            encode_entry(post_id, last[0], term_fields, postings, deltas)
            last[0] = post_id
    return [(t, held[t][0][0], held[t][1], held[t][2]) for t in sorted(held)]


@settings(deadline=None)
@given(st.lists(posts, max_size=12), st.integers(0, 3))
def test_held_postings_run_as_if_appended_term_by_term(site, skip):
    held = HeldPostings()
    numbered = [(skip + 2 * i, by_term) for i, by_term in enumerate(site)]  # ids with gaps
    for post_id, by_term in numbered:
        held.add(post_id, pack_postings(by_term))
    got = [(t, last, postings, positions) for t, last, (postings, positions) in held.runs()]
    assert got == runs_term_by_term(numbered)
    assert list(held.runs()) == []  # the held posts were let go
