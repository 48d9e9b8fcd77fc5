"""Stage 3, second half: a text as read (its word numbers, `Analyzer.sequence`) spelled out
as units, with the terms that runs of Latin words add (`Node.js`, `EC2`, `C++`).

Kept apart from analysis.py, which holds what talks to Sudachi: this half is pure Python
over the analyzer's word table, and postterms.py does the same counting with arrays.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .core import fold

_ALNUM = re.compile(r"[0-9a-z]+")
_LATIN_EDGE = re.compile(r"^[^0-9a-z]+|(?<![+#])[^0-9a-z+#]+$")
MAX_JOINED = 32

# A token as a tuple: (term or None, surface, pos, width, start, end), as in Token.
Unit = tuple[str | None, str, int, int, int, int]
# A text as read: its word numbers (Analyzer.table) and where each piece Sudachi read ends.
Sequence = tuple[list[int], list[int]]


class Word(NamedTuple):
    """What one dictionary word contributes (Analyzer.table)."""

    term: str | None  # None: a stop word
    surface: str  # folded
    latin: bool  # printable ASCII only: may join its neighbours (`node` `.` `js`)
    plain: bool  # letters and digits only: alone, nothing to join or split
    width: int
    parts: tuple[tuple[int, int, str, str], ...]  # (start, end, term, surface) of indexed mode A parts
    length: int  # characters of the surface as read


def units_of(table: list[Word], text: str, sequence: Sequence) -> list[Unit]:
    """A sequence spelled out: each morpheme's unit and its mode A parts, and after each run
    of Latin morphemes the units `latin_joins` adds."""
    numbers, ends = sequence
    units: list[Unit] = []
    pos = offset = i = 0
    for piece_end in ends:
        run: list[Unit] = []  # the units of the Latin run so far
        run_start = run_pos = count = 0
        for n in numbers[i:piece_end]:
            word = table[n]
            start, offset = offset, offset + word.length
            if count and not word.latin:
                units.extend(joined_units(run, text[run_start:start], run_start, run_pos, count))
                run, count = [], 0
            mine = [(word.term, word.surface, pos, word.width, start, offset)]
            mine += [
                (part, surface, pos + k, 1, start + a, start + b) for k, (a, b, part, surface) in enumerate(word.parts)
            ]
            units.extend(mine)
            if word.latin:
                if not count:
                    run_start, run_pos = start, pos
                run.extend(mine)
                count += 1
            pos += word.width
        if count:
            units.extend(joined_units(run, text[run_start:offset], run_start, run_pos, count))
        i = piece_end
    return units


def joined_units(run: list[Unit], text: str, start: int, pos: int, count: int) -> list[Unit]:
    """The units latin_joins adds to a run of `count` Latin morphemes (their units `run`) at
    `start` and position `pos` of the text."""
    joins = latin_joins(text, count, {u[1] for u in run})
    return [(s, s, pos, width, start + a, start + b) for s, width, a, b in joins]


def latin_joins(text: str, count: int, seen: set[str]) -> list[tuple[str, int, int, int]]:
    """`EC2`, `Node.js`, `re:Invent`, `C++` as one more term beside their pieces (a run of
    `count` Latin morphemes spelling `text`), and the letter and digit runs inside a piece
    Sudachi kept whole (`0.000057` → `000057`), each unless a unit of the run already has
    that surface (`seen`). As (surface, width, start, end) in `text`: the joined one spans
    the run's morphemes, a letter or digit run one position."""
    if count == 1 and text.isalnum():
        return []  # one plain word: nothing to join or split
    folded = fold(text)
    seen = set(seen)
    joins: list[tuple[str, int, int, int]] = []
    joined = _LATIN_EDGE.sub("", folded)
    if count > 1 and joined and len(joined) <= MAX_JOINED and joined not in seen:
        lead = folded.index(joined)
        joins.append((joined, count, lead, lead + len(joined)))
        seen.add(joined)
    for m in _ALNUM.finditer(folded):
        if m.group() not in seen and len(m.group()) <= MAX_JOINED:
            joins.append((m.group(), 1, m.start(), m.end()))
            seen.add(m.group())
    return joins
