"""Stage 4, index: a post's postings, encoded where the post is analyzed.

A term's row of postings is, per post, an id delta, a field mask and a tf per field, and
apart, the position deltas per field (docs/format.md). All but the id delta depend on the
post alone, so a worker encodes them (`pack_postings`) and the merging process only puts
each term's part after its id delta, for many posts at once (`HeldPostings`).
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .core import FIELDS, deltas, undeltas
from .spill import Record

Fields = list[tuple[int, list[int]]]  # a term's (field, rising positions), in one post


@dataclass(slots=True)
class PostPostings:
    """A post's postings, encoded in the worker as the builder appends them: per term, its
    entry of docs/format.md without the post id delta (field mask, tf per field) in `heads`
    and its position deltas in `positions`, and where the term's part of each ends. A
    record then crosses from a worker as a few arrays, not thousands of small lists:
    unpickling those cost the merging process as much as adding them did."""

    terms: list[str]
    heads: array[int]
    positions: array[int]
    head_ends: array[int]
    position_ends: array[int]

    def fields(self) -> dict[str, Fields]:
        """term -> [(field, positions)] (update.py compares a post's old and new)."""
        out: dict[str, Fields] = {}
        h = q = 0
        for term, h_end, q_end in zip(self.terms, self.head_ends, self.position_ends, strict=True):
            mask, tfs = self.heads[h], self.heads[h + 1 : h_end]
            numbers = [f for f in range(len(FIELDS)) if mask >> f & 1]
            out[term] = []
            for f, tf in zip(numbers, tfs, strict=True):
                out[term].append((f, list(undeltas(self.positions[q : q + tf]))))
                q += tf
            h = h_end
            assert q == q_end
        return out


def pack_postings(by_term: dict[str, Fields]) -> PostPostings:
    """A post's postings (term -> [(field, positions)]) encoded for the builder."""
    heads, positions, head_ends, position_ends = array("I"), array("I"), array("I"), array("I")
    for fields in by_term.values():
        encode_head(fields, heads, positions)
        head_ends.append(len(heads))
        position_ends.append(len(positions))
    return PostPostings(list(by_term), heads, positions, head_ends, position_ends)


def encode_entry(post: int, previous: int, fields: Fields, postings: Any, positions: Any) -> None:
    """One post's entry of a term's postings (id delta from `previous`, field bit mask, tf
    per field) and its positions (deltas per field), appended as docs/format.md lays them out."""
    postings.append(post - previous)
    encode_head(fields, postings, positions)


def encode_head(fields: Fields, postings: Any, positions: Any) -> None:
    """An entry without its id delta (encode_entry). Written for speed (a build makes one per
    term and post): most terms are in one field."""
    if len(fields) == 1:
        f, field_positions = fields[0]
        postings.append(1 << f)
        postings.append(len(field_positions))
        positions.append(field_positions[0])
        positions.extend(map(operator.sub, field_positions[1:], field_positions))  # core.deltas, inline
        return
    mask = 0
    for f, _ in fields:
        mask |= 1 << f
    postings.append(mask)
    for _, field_positions in sorted(fields):
        postings.append(len(field_positions))
        positions.extend(deltas(field_positions))


# A post held: its id, its terms' numbers, and its postings' heads, head ends, positions, position ends.
Held = tuple[int, array, array, array, array, array]


class HeldPostings:
    """The postings of the posts added since the last spill (index.IndexBuilder): each post's
    arrays as the worker packed them, its terms numbered on arrival, put in term order only
    when they are written out (`runs`), for all the held posts at once with numpy. Numbering
    a post's terms is a dictionary lookup each, made in C (`map`), where putting each term's
    part after its id delta in an array of its own, a term at a time in Python, cost the
    merging process more than all else it does per post (efcl-blog's records: adding them
    1.55 s before, 0.8 s now; putting the terms in order 0.17 s before, 0.40 s now)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}  # term -> its number, in order of arrival
        self.posts: list[Held] = []

    def add(self, post_id: int, postings: PostPostings) -> int:
        """A post's postings held; how many of its terms are new here."""
        numbers = list(map(self.numbers.get, postings.terms))
        before = len(self.numbers)
        if None in numbers:
            numbers = [
                self.numbers.setdefault(t, len(self.numbers)) if n is None else n
                for t, n in zip(postings.terms, numbers, strict=True)
            ]
        p = postings  # held without its terms: their numbers stand for them
        self.posts.append((post_id, array("I", numbers), p.heads, p.head_ends, p.positions, p.position_ends))
        return len(self.numbers) - before

    def runs(self) -> Iterator[Record]:
        """Every held term's record (spill.Record), in term order: its id deltas, each before the term's
        entry in that post (docs/format.md), the first counting from 0 (as a spilled run
        starts; spill.py), and its positions. The held posts are let go."""
        if not self.posts:
            return
        posts, self.posts = self.posts, []
        postings, postings_at, positions, positions_at, last = grouped(posts, len(self.numbers))
        postings, positions = uint32_array(postings), uint32_array(positions)  # sliced as arrays: fast
        at, places_at, lasts = postings_at.tolist(), positions_at.tolist(), last.tolist()
        for term in sorted(self.numbers):
            n = self.numbers[term]
            yield term, lasts[n], (postings[at[n] : at[n + 1]], positions[places_at[n] : places_at[n + 1]])


def grouped(posts: list[Held], terms: int) -> tuple[Any, Any, Any, Any, Any]:
    """The held posts' postings and positions, term by term (in number order), each term's
    entries in post order: (postings, where each term's start, positions, where each term's
    start, the last post id of each term)."""
    post_ids, term_numbers, heads, head_ends, positions, position_ends = zip(*posts, strict=True)
    counts = [len(n) for n in term_numbers]
    numbers = np.concatenate([np.frombuffer(n, dtype=np.uint32) for n in term_numbers]).astype(np.int64)
    ids = np.repeat(np.array(post_ids, dtype=np.int64), counts)
    heads, head_starts, head_ends = segments(heads, head_ends, counts)
    places, place_starts, place_ends = segments(positions, position_ends, counts)
    order = np.argsort(numbers, kind="stable")
    numbers, ids = numbers[order], ids[order]
    first = np.searchsorted(numbers, np.arange(terms + 1))  # each term's first entry (all have one)
    previous = np.concatenate(([0], ids[:-1]))
    previous[first[:-1]] = 0  # a term's first id delta counts from 0
    entries = gathered(heads, head_starts[order], head_ends[order])
    sizes = head_ends[order] - head_starts[order] + 1  # an entry's id delta, then its part
    starts = np.cumsum(sizes) - sizes
    postings = np.empty(int(sizes.sum()), dtype=np.uint32)
    postings[starts] = ids - previous
    parts = np.ones(len(postings), dtype=bool)
    parts[starts] = False
    postings[parts] = entries
    postings_at = np.append(starts, len(postings))[first]
    position_sizes = place_ends[order] - place_starts[order]
    positions_at = np.concatenate(([0], np.cumsum(position_sizes)))[first]
    positions = gathered(places, place_starts[order], place_ends[order])
    return postings, postings_at, positions, positions_at, ids[first[1:] - 1]


def segments(arrays: tuple[array, ...], ends: tuple[array, ...], counts: list[int]) -> tuple[Any, Any, Any]:
    """Posts' arrays joined, and where each entry's part starts and ends in the join (each
    post's `ends` say where its entries end in its own array)."""
    joined = np.concatenate([np.frombuffer(a, dtype=np.uint32) for a in arrays]) if arrays else np.zeros(0, np.uint32)
    offsets = np.repeat(np.cumsum([0, *(len(a) for a in arrays[:-1])]), counts)
    local = np.concatenate([np.frombuffer(e, dtype=np.uint32) for e in ends]).astype(np.int64)
    before = np.concatenate(([0], local[:-1]))
    before[np.cumsum([0, *counts[:-1]])[np.array(counts) > 0]] = 0  # a post's first entry starts at 0
    return joined, offsets + before, offsets + local


def gathered(values: Any, starts: Any, ends: Any) -> Any:
    """values[starts[0]:ends[0]] + values[starts[1]:ends[1]] + ..., in one array."""
    sizes = ends - starts
    return values[np.repeat(starts, sizes) + within_groups(sizes)]


def within_groups(sizes: Any) -> Any:
    """For groups of these sizes laid end to end, each element's index within its group:
    [2, 3] gives [0, 1, 0, 1, 2]."""
    return np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def uint32_array(values: Any) -> array:
    return array("I", values.astype(np.uint32, copy=False).tobytes())
