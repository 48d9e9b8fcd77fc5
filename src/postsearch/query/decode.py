"""Decoding the index files into what queries walk (docs/format.md has one section per file).

Mirrored by `web/src/decode.js`, function by function.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from ..core import undeltas


@dataclass
class LexiconEntry:
    """A surface form: how many positions it spans, what cutting it out of a query costs (rare
    surfaces cost more), and the terms it stands for (none: a stop)."""

    width: int
    cost: int
    terms: list[str]


@dataclass
class TermEntry:
    """A term's postings: post id -> term frequency per field (0 where absent), its document
    frequency per field, the other surfaces it was seen as (to mark other spellings), and,
    once read (phrases need them), post id -> positions per field (None where absent)."""

    postings: dict[int, list[int]]
    df: list[int]
    forms: list[str]
    positions: dict[int, list[list[int] | None]] | None = None
    scores: dict[int, float] = default(default_factory=dict)  # post id -> term_score, once computed


class Lexicon(dict[str, Any]):
    """surface -> LexiconEntry, each made from its row the first time it is looked up: a
    long query reads a hundred lexicon shards of thousands of rows and looks up a few hundred
    surfaces, and making every entry was most of its time. (The JavaScript makes them all as
    it reads a shard: there that costs little.)"""

    def __getitem__(self, surface: str) -> LexiconEntry:
        value = super().__getitem__(surface)
        if type(value) is list:
            terms = [surface if t == "" else t for t in value[3:]]
            value = LexiconEntry(value[1], value[2], terms)
            super().__setitem__(surface, value)
        return value  # type: ignore[no-any-return]

    def get(self, surface: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[surface] if surface in self else default  # noqa: SIM401 (self.get is this method)


def decode_lexicon(data: list[list[Any]], into: Lexicon) -> int:
    """Add a lexicon shard's `[surface, width, cost, term...]` rows (`""` = same as surface).
    Returns the longest surface in characters."""
    surfaces = [row[0] for row in data]
    into.update(zip(surfaces, data, strict=True))
    return max(map(len, surfaces), default=0)


def decode_lengths(data: list[list[int]]) -> list[int]:
    """`[levels, column per field]` to the length of field f of post p at `[p * F + f]`."""
    levels, columns = data[0], data[1:]
    return [levels[column[p]] for p in range(len(columns[0]) if columns else 0) for column in columns]


def decode_ids(values: list[int]) -> set[int]:
    """Post ids from their deltas."""
    return set(undeltas(values))


def decode_postings(ints: list[int], fields: int) -> TermEntry:
    """Flat ints: per post `dPost, fieldMask`, then the tf of each field in the mask."""
    postings: dict[int, list[int]] = {}
    df = [0] * fields
    post = 0
    i = 0
    while i < len(ints):
        post += ints[i]
        mask = ints[i + 1]
        i += 2
        tfs = [0] * fields
        for f in range(fields):
            if mask & (1 << f):
                tfs[f] = ints[i]
                df[f] += 1
                i += 1
        postings[post] = tfs
    return TermEntry(postings, df, [])


def decode_positions(ints: list[int], entry: TermEntry) -> None:
    """Flat position deltas, in postings order (posts ascending, fields ascending, tf each)."""
    positions: dict[int, list[list[int] | None]] = {}
    i = 0
    for post in sorted(entry.postings):
        per_field: list[list[int] | None] = []
        for tf in entry.postings[post]:
            if tf == 0:
                per_field.append(None)
                continue
            found = []
            p = 0
            for k in range(tf):
                p += ints[i + k]
                found.append(p)
            per_field.append(found)
            i += tf
        positions[post] = per_field
    entry.positions = positions
