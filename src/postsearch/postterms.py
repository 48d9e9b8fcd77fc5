"""Stage 3 to 4: a post's fields, read by the Analyzer, counted into its postings.

What `index.add_tokens` does unit by unit over `Analyzer.units` (the reference, kept in the
tests), done here with array operations over the post's word numbers: a morpheme costs the
build one dictionary lookup and one append (Analyzer.sequence), and its unit, parts and
positions are looked up in the columns of `Vocab` for all of a post's morphemes at once.
Only runs of Latin morphemes that may join (`latin_joins`) are looked at one by one.
"""

from __future__ import annotations

import unicodedata
import weakref
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .analysis import Analyzer
from .core import FIELDS
from .ngrams import distinct
from .postings import PostPostings, within_groups
from .units import Word, latin_joins

Ints = npt.NDArray[np.int64]
SurfaceKey = tuple[str, str, int]  # (surface, term or "", width): a lexicon count's key
CODE = FIELDS.index("code")
MAX_RUNS = 200_000  # runs of Latin words whose joins are kept (Vocab.joins)


class Column:
    """A numpy column that grows (doubling), filled from Python lists a stretch at a time."""

    def __init__(self) -> None:
        self.data: Ints = np.zeros(1024, dtype=np.int64)
        self.size = 0

    def extend(self, values: list[int]) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.zeros(max(end, 2 * len(self.data)), dtype=np.int64)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    @property
    def values(self) -> Ints:
        return self.data[: self.size]


@dataclass
class Vocab:
    """The Analyzer's word table as numeric columns (one row per word number), with the
    terms and surface keys numbered. Words are added as the table grows (`sync`)."""

    generation: int  # the analyzer's (a table emptied is a new vocab)
    words: int = 0  # rows synced
    terms: list[str] = field(default_factory=list)
    term_numbers: dict[str, int] = field(default_factory=dict)
    keys: list[SurfaceKey] = field(default_factory=list)
    key_numbers: dict[SurfaceKey, int] = field(default_factory=dict)
    columns: dict[str, Column] = field(default_factory=dict)  # per word: term, key, width, length, ...
    spelled: list[tuple[str, ...]] = field(default_factory=list)  # per word: its surface and its parts'
    joins: dict[tuple[int, ...], list[tuple[int, int]]] = field(default_factory=dict)  # run of words -> (term, key)

    def term(self, term: str) -> int:
        return number_of(term, self.terms, self.term_numbers)

    def key(self, key: SurfaceKey) -> int:
        return number_of(key, self.keys, self.key_numbers)

    def __post_init__(self) -> None:
        self.columns = {name: Column() for name in WORD_COLUMNS + PART_COLUMNS}

    def sync(self, table: list[Word]) -> None:
        """Rows for the words added to the analyzer's table since the last call."""
        rows: dict[str, list[int]] = {name: [] for name in self.columns}
        parts = self.columns["part_term"].size
        for word in table[self.words :]:
            self.add_word(word, rows, parts + len(rows["part_term"]))
        for name, values in rows.items():
            self.columns[name].extend(values)
        self.words = len(table)

    def add_word(self, word: Word, rows: dict[str, list[int]], part_start: int) -> None:
        rows["term"].append(-1 if word.term is None else self.term(word.term))
        rows["key"].append(self.key((word.surface, word.term or "", word.width)))
        rows["width"].append(word.width)
        rows["length"].append(word.length)
        rows["latin"].append(int(word.latin))
        rows["plain"].append(int(word.plain))
        rows["parts"].append(len(word.parts))
        rows["part_start"].append(part_start)
        self.spelled.append((word.surface, *(surface for _, _, _, surface in word.parts)))
        for k, (_, _, part, surface) in enumerate(word.parts):
            rows["part_term"].append(self.term(part))
            rows["part_key"].append(self.key((surface, part, 1)))
            rows["part_index"].append(k)

    def col(self, name: str) -> Ints:
        return self.columns[name].values


def number_of(value: Any, values: list[Any], numbers: dict[Any, int]) -> int:
    """The number of `value` in `values` (by `numbers`), added at the end if it is new."""
    n = numbers.get(value)
    if n is None:
        n = numbers[value] = len(values)
        values.append(value)
    return n


WORD_COLUMNS = ("term", "key", "width", "length", "latin", "plain", "parts", "part_start")
PART_COLUMNS = ("part_term", "part_key", "part_index")
_vocabs: weakref.WeakKeyDictionary[Analyzer, Vocab] = weakref.WeakKeyDictionary()


@dataclass
class PostTerms:
    """What a post's fields give the index: postings, indexed tokens per field, and how
    often each surface was seen as each term (the lexicon's counts)."""

    postings: PostPostings
    lengths: list[int]
    surfaces: dict[SurfaceKey, int]


@dataclass
class Entries:
    """The post's term occurrences (field, term number, position) and surface keys seen,
    as arrays, gathered from the units, the parts and the joins in that order."""

    fields: list[Ints] = field(default_factory=list)
    terms: list[Ints] = field(default_factory=list)
    positions: list[Ints] = field(default_factory=list)
    keys: list[Ints] = field(default_factory=list)

    def add(self, fields: Ints, terms: Ints, positions: Ints) -> None:
        self.fields.append(fields)
        self.terms.append(terms)
        self.positions.append(positions)


def post_terms(analyzer: Analyzer, texts: list[str]) -> PostTerms:
    """The post's fields (index.FIELDS order) read and counted. The one public entry."""
    analyzer.make_room()
    numbers: list[int] = []
    piece_ends: list[int] = []
    field_of: list[int] = []  # per field read: its number, and where its words start and end
    bounds: list[int] = [0]
    normalized: list[str] = []
    for f, text in enumerate(texts):
        if not text:
            continue
        text = unicodedata.normalize("NFKC", text)
        words, ends = analyzer.sequence(text, code=f == CODE)
        piece_ends.extend(len(numbers) + e for e in ends)
        numbers.extend(words)
        field_of.append(f)
        bounds.append(len(numbers))
        normalized.append(text)
    return counted(vocab_of(analyzer), np.array(numbers, dtype=np.int64), piece_ends, field_of, bounds, normalized)


def vocab_of(analyzer: Analyzer) -> Vocab:
    """The analyzer's Vocab, up to date with its table."""
    vocab = _vocabs.get(analyzer)
    if vocab is None or vocab.generation != analyzer.generation:
        vocab = _vocabs[analyzer] = Vocab(analyzer.generation)
    vocab.sync(analyzer.table)
    return vocab


def counted(
    vocab: Vocab, words: Ints, piece_ends: list[int], field_of: list[int], bounds: list[int], texts: list[str]
) -> PostTerms:
    """The counting itself (post_terms)."""
    entries = Entries()
    sizes = np.diff(np.array(bounds, dtype=np.int64))
    fields = np.repeat(np.array(field_of, dtype=np.int64), sizes)
    starts = np.array(bounds[:-1], dtype=np.int64)
    pos = within_field(vocab.col("width")[words], starts, sizes)
    terms = vocab.col("term")[words]
    indexed = terms >= 0
    entries.add(fields[indexed], terms[indexed], pos[indexed])
    entries.keys.append(vocab.col("key")[words])
    add_parts(vocab, words, fields, pos, entries)
    offsets = within_field(vocab.col("length")[words], starts, sizes)
    add_joins(vocab, words, fields, pos, offsets, piece_ends, field_of, texts, entries)
    return PostTerms(*postings_of(vocab, entries), surfaces_of(vocab, entries))


def within_field(widths: Ints, starts: Ints, sizes: Ints) -> Ints:
    """Where each morpheme starts within its field, given each one's width."""
    before = np.cumsum(widths) - widths
    if not len(before):
        return before
    return before - np.repeat(before[starts], sizes)


def add_parts(vocab: Vocab, words: Ints, fields: Ints, pos: Ints, entries: Entries) -> None:
    """Each morpheme's mode A parts, at its position plus the part's index."""
    counts = vocab.col("parts")[words]
    having = np.flatnonzero(counts)
    if not len(having):
        return
    each = counts[having]
    morpheme = np.repeat(having, each)
    k = within_groups(each)
    part = vocab.col("part_start")[words[morpheme]] + k
    entries.add(fields[morpheme], vocab.col("part_term")[part], pos[morpheme] + vocab.col("part_index")[part])
    entries.keys.append(vocab.col("part_key")[part])


def add_joins(
    vocab: Vocab,
    words: Ints,
    fields: Ints,
    pos: Ints,
    offsets: Ints,
    piece_ends: list[int],
    field_of: list[int],
    texts: list[str],
    entries: Entries,
) -> None:
    """The units latin_joins adds to each run of Latin morphemes (a run ends where a piece
    does), worked out once per run of words (`Vocab.joins`)."""
    latin = vocab.col("latin")[words].astype(bool)
    if not latin.any():
        return
    piece_start = np.zeros(len(words), dtype=bool)
    piece_start[[e for e in piece_ends if e < len(words)]] = True
    piece_start[0] = True
    first = latin & (piece_start | ~np.concatenate(([False], latin[:-1])))
    last = latin & (np.concatenate((piece_start[1:], [True])) | ~np.concatenate((latin[1:], [False])))
    starts, ends = np.flatnonzero(first), np.flatnonzero(last)
    joining = (ends > starts) | (vocab.col("plain")[words[starts]] == 0)  # one plain word: nothing to join
    a, b = starts[joining], ends[joining]
    text_of = dict(zip(field_of, texts, strict=True))
    numbers = words.tolist()
    found: list[tuple[int, int, int, int]] = []  # (field, term, position, key)
    spans = zip(a.tolist(), b.tolist(), fields[a].tolist(), pos[a].tolist(), offsets[a].tolist(), strict=True)
    ends_at = (offsets[b] + vocab.col("length")[words[b]]).tolist()
    for (first_word, last_word, f, at, start), end in zip(spans, ends_at, strict=True):
        run = tuple(numbers[first_word : last_word + 1])
        joins = vocab.joins.get(run)
        if joins is None:
            joins = run_joins(vocab, run, text_of[f][start:end])
            if len(vocab.joins) < MAX_RUNS:
                vocab.joins[run] = joins
        if joins:  # most runs join nothing (a lone `(` or `.`)
            found.extend((f, term, at, key) for term, key in joins)
    if found:
        table = np.array(found, dtype=np.int64)
        entries.add(table[:, 0], table[:, 1], table[:, 2])
        entries.keys.append(table[:, 3])


def run_joins(vocab: Vocab, run: tuple[int, ...], text: str) -> list[tuple[int, int]]:
    """(term, key) of the units latin_joins adds to this run of words."""
    seen = set().union(*(vocab.spelled[n] for n in run))
    return [(vocab.term(s), vocab.key((s, s, width))) for s, width, _, _ in latin_joins(text, len(run), seen)]


def postings_of(vocab: Vocab, entries: Entries) -> tuple[PostPostings, list[int]]:
    """The post's PostPostings (what postings.pack_postings makes of add_tokens' postings),
    terms in the order the entries first have them, and the indexed tokens per field."""
    fields = np.concatenate(entries.fields) if entries.fields else np.zeros(0, dtype=np.int64)
    terms = np.concatenate(entries.terms) if entries.terms else fields
    positions = np.concatenate(entries.positions) if entries.positions else fields
    lengths = np.bincount(fields, minlength=len(FIELDS)).tolist()
    unique, first = np.unique(terms, return_index=True)
    by_first = np.argsort(first, kind="stable")
    rank = np.empty(len(unique), dtype=np.int64)
    rank[by_first] = np.arange(len(unique))
    ranks = rank[np.searchsorted(unique, terms)]
    # (term rank, field, position) as one number, sorted and each once: rank above bit 35,
    # the field in bits 32-34, the position (a uint32 in the format) below
    keys = distinct((ranks << 35) | (fields << 32) | positions)
    r, f, p = keys >> 35, (keys >> 32) & 7, keys & 0xFFFFFFFF
    group = np.ones(len(r), dtype=bool)  # where a (term, field) starts
    group[1:] = (keys[1:] >> 32) != (keys[:-1] >> 32)
    deltas = p.copy()
    deltas[1:] -= np.where(group[1:], 0, p[:-1])
    group_at = np.flatnonzero(group)
    tfs = np.diff(np.append(group_at, len(r)))
    group_term, group_field = r[group_at], f[group_at]
    per_term = np.bincount(group_term, minlength=len(unique))
    masks = np.bincount(group_term, weights=1 << group_field, minlength=len(unique)).astype(np.int64)
    head_ends = np.cumsum(per_term + 1)
    heads = np.zeros(len(unique) + len(group_at), dtype=np.int64)
    heads[head_ends - per_term - 1] = masks
    within = within_groups(per_term)
    heads[(head_ends - per_term)[group_term] + within] = tfs
    position_ends = np.cumsum(np.bincount(group_term, weights=tfs, minlength=len(unique)).astype(np.int64))
    names = list(map(vocab.terms.__getitem__, unique[by_first].tolist()))
    packed = PostPostings(names, uint32s(heads), uint32s(deltas), uint32s(head_ends), uint32s(position_ends))
    return packed, lengths


def surfaces_of(vocab: Vocab, entries: Entries) -> dict[SurfaceKey, int]:
    """How often the post has each surface key, in the order the entries first have them."""
    keys = np.concatenate(entries.keys) if entries.keys else np.zeros(0, dtype=np.int64)
    unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return dict(zip(map(vocab.keys.__getitem__, unique[order].tolist()), counts[order].tolist(), strict=True))


def uint32s(values: Any) -> array[int]:
    return array("I", np.asarray(values, dtype=np.uint32).tobytes())
