"""Stage 3 to 4: a post's fields, read by the Analyzer, counted into its postings.

What `index.add_tokens` does unit by unit over `Analyzer.units` (the reference, kept in the
tests), done here with array operations over the post's word numbers: a morpheme costs the
build one dictionary lookup and one append (Analyzer.sequence), and its unit, parts and
positions are looked up in the columns of `Vocab` for all of a post's morphemes at once.
Only runs of Latin morphemes that may join (`latin_joins`) are looked at one by one.
A few posts are counted together (`posts_terms`), each entry tagged with its post, and cut
apart at the end: a count's array operations cost about 0.4 ms however short the post.
"""

from __future__ import annotations

import unicodedata
import weakref
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from .analysis import Analyzer
from .core import FIELDS
from .ngrams import distinct
from .postings import PostPostings, uint32_array, within_groups
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
class Read:
    """A batch of posts as the Analyzer read them: every field's word numbers end to end,
    where each piece Sudachi read ends among them, and per field read its post (the index in
    the batch), its field number (FIELDS), where its words end and its NFKC text."""

    numbers: list[int] = field(default_factory=list)
    piece_ends: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    fields: list[int] = field(default_factory=list)
    bounds: list[int] = field(default_factory=lambda: [0])
    texts: list[str] = field(default_factory=list)

    def add(self, analyzer: Analyzer, post: int, texts: list[str]) -> None:
        """One post's fields (index.FIELDS order) read."""
        for f, text in enumerate(texts):
            if not text:
                continue
            text = unicodedata.normalize("NFKC", text)
            words, ends = analyzer.sequence(text, code=f == CODE)
            self.piece_ends.extend(len(self.numbers) + e for e in ends)
            self.numbers.extend(words)
            self.posts.append(post)
            self.fields.append(f)
            self.bounds.append(len(self.numbers))
            self.texts.append(text)


@dataclass
class Entries:
    """The batch's term occurrences (post, field, term number, position) and surface keys
    seen (post, key), as arrays, gathered from the units, the parts and the joins in that
    order: a post's own entries keep the order they would have alone."""

    columns: list[list[Ints]] = field(default_factory=lambda: [[], [], [], []])
    keys: list[list[Ints]] = field(default_factory=lambda: [[], []])

    def add(self, posts: Ints, fields: Ints, terms: Ints, positions: Ints) -> None:
        for column, values in zip(self.columns, (posts, fields, terms, positions), strict=True):
            column.append(values)

    def add_keys(self, posts: Ints, keys: Ints) -> None:
        self.keys[0].append(posts)
        self.keys[1].append(keys)


def joined(parts: list[Ints]) -> Ints:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def post_terms(analyzer: Analyzer, texts: list[str]) -> PostTerms:
    """One post's fields (index.FIELDS order) read and counted."""
    return posts_terms(analyzer, [texts])[0]


def posts_terms(analyzer: Analyzer, posts: list[list[str]]) -> list[PostTerms]:
    """Each post's fields read, then the batch counted at once: the array operations cost
    a few hundred microseconds a call however short the post, so a batch shares that. The
    one public entry."""
    analyzer.make_room()  # not between the posts: their word numbers point into the table
    read = Read()
    for p, texts in enumerate(posts):
        read.add(analyzer, p, texts)
    return counted(vocab_of(analyzer), read, len(posts))


def vocab_of(analyzer: Analyzer) -> Vocab:
    """The analyzer's Vocab, up to date with its table."""
    vocab = _vocabs.get(analyzer)
    if vocab is None or vocab.generation != analyzer.generation:
        vocab = _vocabs[analyzer] = Vocab(analyzer.generation)
    vocab.sync(analyzer.table)
    return vocab


def counted(vocab: Vocab, read: Read, count: int) -> list[PostTerms]:
    """The counting itself (posts_terms), for the `count` posts of a batch."""
    entries = Entries()
    words = np.array(read.numbers, dtype=np.int64)
    sizes = np.diff(np.array(read.bounds, dtype=np.int64))
    segment = np.repeat(np.arange(len(sizes)), sizes)  # each morpheme's field read
    fields = np.array(read.fields, dtype=np.int64)[segment]
    posts = np.array(read.posts, dtype=np.int64)[segment]
    starts = np.array(read.bounds[:-1], dtype=np.int64)
    pos = within_field(vocab.col("width")[words], starts, sizes)
    terms = vocab.col("term")[words]
    indexed = terms >= 0
    entries.add(posts[indexed], fields[indexed], terms[indexed], pos[indexed])
    entries.add_keys(posts, vocab.col("key")[words])
    add_parts(vocab, words, posts, fields, pos, entries)
    offsets = within_field(vocab.col("length")[words], starts, sizes)
    add_joins(vocab, words, segment, pos, offsets, read, entries)
    postings, lengths = postings_of(vocab, entries, count)
    return [PostTerms(*each) for each in zip(postings, lengths, surfaces_of(vocab, entries, count), strict=True)]


def within_field(widths: Ints, starts: Ints, sizes: Ints) -> Ints:
    """Where each morpheme starts within its field, given each one's width."""
    before = np.cumsum(widths) - widths
    if not len(before):
        return before
    return before - np.repeat(before[starts], sizes)


def add_parts(vocab: Vocab, words: Ints, posts: Ints, fields: Ints, pos: Ints, entries: Entries) -> None:
    """Each morpheme's mode A parts, at its position plus the part's index."""
    counts = vocab.col("parts")[words]
    having = np.flatnonzero(counts)
    if not len(having):
        return
    each = counts[having]
    morpheme = np.repeat(having, each)
    k = within_groups(each)
    part = vocab.col("part_start")[words[morpheme]] + k
    at = pos[morpheme] + vocab.col("part_index")[part]
    entries.add(posts[morpheme], fields[morpheme], vocab.col("part_term")[part], at)
    entries.add_keys(posts[morpheme], vocab.col("part_key")[part])


def add_joins(vocab: Vocab, words: Ints, segment: Ints, pos: Ints, offsets: Ints, read: Read, entries: Entries) -> None:
    """The units latin_joins adds to each run of Latin morphemes (a run ends where a piece
    does, and so where a field read does), worked out once per run of words (`Vocab.joins`)."""
    latin = vocab.col("latin")[words].astype(bool)
    if not latin.any():
        return
    piece_start = np.zeros(len(words), dtype=bool)
    piece_start[[e for e in read.piece_ends if e < len(words)]] = True
    first = latin & (piece_start | ~np.concatenate(([False], latin[:-1])))
    last = latin & (np.concatenate((piece_start[1:], [True])) | ~np.concatenate((latin[1:], [False])))
    starts, ends = np.flatnonzero(first), np.flatnonzero(last)
    joining = (ends > starts) | (vocab.col("plain")[words[starts]] == 0)  # one plain word: nothing to join
    a, b = starts[joining], ends[joining]
    numbers = words.tolist()
    found: list[tuple[int, int, int, int, int]] = []  # (post, field, term, position, key)
    spans = zip(a.tolist(), b.tolist(), segment[a].tolist(), pos[a].tolist(), offsets[a].tolist(), strict=True)
    ends_at = (offsets[b] + vocab.col("length")[words[b]]).tolist()
    for (first_word, last_word, s, at, start), end in zip(spans, ends_at, strict=True):
        run = tuple(numbers[first_word : last_word + 1])
        joins = vocab.joins.get(run)
        if joins is None:
            joins = run_joins(vocab, run, read.texts[s][start:end])
            if len(vocab.joins) < MAX_RUNS:
                vocab.joins[run] = joins
        if joins:  # most runs join nothing (a lone `(` or `.`)
            found.extend((read.posts[s], read.fields[s], term, at, key) for term, key in joins)
    if found:
        table = np.array(found, dtype=np.int64)
        entries.add(table[:, 0], table[:, 1], table[:, 2], table[:, 3])
        entries.add_keys(table[:, 0], table[:, 4])


def run_joins(vocab: Vocab, run: tuple[int, ...], text: str) -> list[tuple[int, int]]:
    """(term, key) of the units latin_joins adds to this run of words."""
    seen = set().union(*(vocab.spelled[n] for n in run))
    return [(vocab.term(s), vocab.key((s, s, width))) for s, width, _, _ in latin_joins(text, len(run), seen)]


def first_seen(posts: Ints, values: Ints, size: int) -> tuple[Ints, Ints, Ints, Ints]:
    """Each (post, value) pair once, in order of post and then of where the entries first
    have it: the pairs' values, their posts, each entry's pair and how many entries each
    pair has. `size`: a bound on the values."""
    pairs = posts * size + values
    unique, first, inverse, counts = np.unique(pairs, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(unique // size * max(len(pairs), 1) + first, kind="stable")
    rank = np.empty(len(unique), dtype=np.int64)
    rank[order] = np.arange(len(unique))
    return unique[order] % size, unique[order] // size, rank[inverse.reshape(-1)], counts[order]


def post_bounds(owners: Ints, count: int) -> list[int]:
    """Where each of `count` posts' rows start and end, given each row's post (in order)."""
    return [0, *np.cumsum(np.bincount(owners, minlength=count)).tolist()]


def postings_of(vocab: Vocab, entries: Entries, count: int) -> tuple[list[PostPostings], list[list[int]]]:
    """Each post's PostPostings (what postings.pack_postings makes of add_tokens' postings),
    terms in the order the post's entries first have them, and its indexed tokens per field."""
    posts, fields, terms, positions = map(joined, entries.columns)
    lengths = np.bincount(posts * len(FIELDS) + fields, minlength=count * len(FIELDS))
    values, owners, ranks, _ = first_seen(posts, terms, max(len(vocab.terms), 1))
    # (pair rank, field, position) as one number, sorted and each once: the rank of the
    # (post, term) pair above bit 35, the field in bits 32-34, the position (a uint32 in the
    # format) below
    keys = distinct((ranks << 35) | (fields << 32) | positions)
    r, f, p = keys >> 35, (keys >> 32) & 7, keys & 0xFFFFFFFF
    group = np.ones(len(r), dtype=bool)  # where a (pair, field) starts
    group[1:] = (keys[1:] >> 32) != (keys[:-1] >> 32)
    deltas = p.copy()
    deltas[1:] -= np.where(group[1:], 0, p[:-1])
    group_at = np.flatnonzero(group)
    tfs = np.diff(np.append(group_at, len(r)))
    group_pair, group_field = r[group_at], f[group_at]
    per_pair = np.bincount(group_pair, minlength=len(values))
    masks = np.bincount(group_pair, weights=1 << group_field, minlength=len(values)).astype(np.int64)
    head_ends = np.cumsum(per_pair + 1)
    heads = np.zeros(len(values) + len(group_at), dtype=np.int64)
    heads[head_ends - per_pair - 1] = masks
    heads[(head_ends - per_pair)[group_pair] + within_groups(per_pair)] = tfs
    position_ends = np.cumsum(np.bincount(group_pair, weights=tfs, minlength=len(values)).astype(np.int64))
    names = list(map(vocab.terms.__getitem__, values.tolist()))
    bounds = post_bounds(owners, count)
    packed = split_postings(names, bounds, owners, heads, deltas, head_ends, position_ends)
    return packed, lengths.reshape(count, len(FIELDS)).tolist()


def split_postings(
    names: list[str], bounds: list[int], owners: Ints, heads: Ints, deltas: Ints, head_ends: Ints, position_ends: Ints
) -> list[PostPostings]:
    """The batch's postings cut into each post's, whose pairs are bounds[i]:bounds[i + 1]
    (each pair's post in `owners`), each post's ends counted from its own start."""
    first_pair = np.array(bounds[:-1], dtype=np.int64)
    head_base = np.append(0, head_ends)[first_pair][owners]  # where each pair's post starts
    position_base = np.append(0, position_ends)[first_pair][owners]
    all_heads, all_deltas = uint32_array(heads), uint32_array(deltas)
    own_head_ends, own_position_ends = uint32_array(head_ends - head_base), uint32_array(position_ends - position_base)
    head_at, position_at = [0, *head_ends.tolist()], [0, *position_ends.tolist()]
    return [
        PostPostings(
            names[a:b],
            all_heads[head_at[a] : head_at[b]],
            all_deltas[position_at[a] : position_at[b]],
            own_head_ends[a:b],
            own_position_ends[a:b],
        )
        for a, b in pairwise(bounds)
    ]


def surfaces_of(vocab: Vocab, entries: Entries, count: int) -> list[dict[SurfaceKey, int]]:
    """How often each post has each surface key, in the order its entries first have them."""
    posts, keys = map(joined, entries.keys)
    values, owners, _, counts = first_seen(posts, keys, max(len(vocab.keys), 1))
    names = list(map(vocab.keys.__getitem__, values.tolist()))
    numbers = counts.tolist()
    bounds = post_bounds(owners, count)
    return [dict(zip(names[a:b], numbers[a:b], strict=True)) for a, b in pairwise(bounds)]
