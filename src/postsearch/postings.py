"""Stage 4, index: a post's postings, encoded where the post is analyzed.

A term's row of postings is, per post, an id delta, a field mask and a tf per field, and
apart, the position deltas per field (docs/format.md). All but the id delta depend on the
post alone, so a worker encodes them (`pack_postings`) and the merging process only puts
each term's part after its id delta (index.IndexBuilder.add).
"""

from __future__ import annotations

import operator
from array import array
from dataclasses import dataclass
from typing import Any

from .core import FIELDS, deltas, undeltas

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
