"""Stage 4, index: the n-gram postings of a build, as numbers (numpy), not strings.

A post has every kana/kanji bigram and trigram of its text (core.post_grams): a thousand
posts make a million (n-gram, post) pairs, five times their (term, post) pairs. Held as
strings, each pair cost a dictionary lookup and an append in the merging process, and each
n-gram row its own Python loop. Here an n-gram is one 64-bit code (its code points, 21 bits
each, a bigram's third 0), so a post's n-grams are one array, made and sorted in C, and the
build's pairs are sorted and delta-coded in bulk. Codes sort as their n-grams do (code point
order, a bigram before the trigrams it starts), so the rows come out in the same order and
with the same bytes as before.

Like the term postings (spill.py), the pairs go to disk as sorted runs past a budget and
are read back one range of codes at a time, so a site of any size fits in bounded memory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from .core import GRAM_RANGES, gram_shard
from .rows import number_texts

Codes = npt.NDArray[np.uint64]
_BITS = 21  # a code point's bits
_MASK = (1 << _BITS) - 1
PAIR_BYTES = 40  # a (code, post id) pair at its peak: held (8), then sorted (GramPostings.sorted_pairs)
PIECE_PAIRS = 1024 * 1024  # pairs read back at once from the runs (about 40 MB at the sort)
ROW_PAIRS = 256 * 1024  # pairs made into strings at once (gram_stretches)
SAMPLE = 4096  # a run keeps every SAMPLE-th code in memory (GramRun)


def gram_chars(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Which code points are kana or kanji (core.GRAM_RANGES)."""
    found = np.zeros(len(points), dtype=bool)
    for a, b in GRAM_RANGES:
        found |= (points >= a) & (points <= b)
    return found


def post_gram_codes(text: str) -> Codes:
    """The codes of core.post_grams(text), sorted: every bigram and trigram of kana/kanji
    characters in a row, found with array operations (a Python loop per character costs
    more than Sudachi on long posts)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ok = gram_chars(points)
    c = points.astype(np.uint64)
    pair = ok[:-1] & ok[1:]
    triple = pair[:-1] & ok[2:]
    bigrams = (c[:-1][pair] << 42) | (c[1:][pair] << 21)
    trigrams = (c[:-2][triple] << 42) | (c[1:-1][triple] << 21) | c[2:][triple]
    return distinct(np.concatenate([bigrams, trigrams]))


def distinct(codes: Codes) -> Codes:
    """np.unique, sorting: numpy's own picks a hash table for these, twice as slow here."""
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


def packed(codes: Codes) -> bytes:
    """Codes as a record keeps them (PostRecord.grams): bytes, so records compare, pickle
    and travel between processes as one block."""
    return codes.astype("<u8").tobytes()


def unpacked(blob: bytes) -> Codes:
    """The codes `packed` gave."""
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64, copy=False)


def gram_code(gram: str) -> int:
    """The code of one n-gram (two or three characters)."""
    points = [*map(ord, gram), 0][:3]
    return (points[0] << 42) | (points[1] << 21) | points[2]


def code_points(codes: Codes) -> npt.NDArray[np.uint32]:
    """The three code points of each code, one row each (a bigram's third is 0)."""
    points = np.empty((len(codes), 3), dtype="<u4")
    points[:, 0] = codes >> np.uint64(2 * _BITS)  # 22 bits at most: a code not ours fails the checks
    points[:, 1] = (codes >> np.uint64(_BITS)) & np.uint64(_MASK)
    points[:, 2] = codes & np.uint64(_MASK)
    return points


def gram_texts(codes: Codes) -> list[str]:
    """The n-grams of these codes: their code points read as UTF-32 numpy strings (which
    drop a bigram's trailing 0)."""
    return code_points(codes).view("<U3").ravel().tolist()


def valid_codes(codes: Codes) -> bool:
    """Whether these are n-gram codes, rising: every character kana or kanji, a bigram's
    third 0 (what a cache read back must hold before it is trusted)."""
    first, second, third = code_points(codes).T
    ok = gram_chars(first) & gram_chars(second) & (gram_chars(third) | (third == 0))
    return bool(ok.all()) and bool((codes[1:] > codes[:-1]).all())


class GramPostings:
    """Per n-gram code, the ids of the posts that have it, in the order posts are added.

    Posts' codes are kept as they come (one array each) until the builder spills (PAIR_BYTES
    a pair), then sorted together by code (stably: ids stay rising) and written out as a
    run; `pieces` reads the runs back by ranges of codes."""

    def __init__(self) -> None:
        self.codes: list[Codes] = []
        self.ids: list[int] = []
        self.counts: list[int] = []
        self.runs: list[GramRun] = []

    def add(self, post_id: int, codes: Codes) -> None:
        self.codes.append(codes)
        self.ids.append(post_id)
        self.counts.append(len(codes))

    def sorted_pairs(self) -> tuple[Codes, npt.NDArray[np.uint32]]:
        """The held pairs, sorted by code, then id; the held arrays are let go."""
        codes = np.concatenate(self.codes) if self.codes else np.empty(0, dtype=np.uint64)
        ids = np.repeat(np.array(self.ids, dtype=np.uint32), self.counts)
        self.codes, self.ids, self.counts = [], [], []
        order = np.argsort(codes, kind="stable")
        return codes[order], ids[order]

    def spill(self) -> None:
        """The held pairs to disk, as one sorted run."""
        codes, ids = self.sorted_pairs()
        if len(codes):
            self.runs.append(GramRun(codes, ids))

    def pieces(self) -> Iterator[tuple[Codes, npt.NDArray[np.uint32]]]:
        """Every (code, id) pair, sorted by code then id, in pieces that never split a code:
        the runs and the held pairs, merged a range of codes at a time."""
        if not self.runs:  # a small site: all in memory
            yield self.sorted_pairs()
            return
        self.spill()
        try:
            bounds = code_bounds([run.samples for run in self.runs], PIECE_PAIRS // self.runs[0].step)
            for lo, hi in zip([None, *bounds], [*bounds, None], strict=True):
                parts = [run.read(run.cut(lo, 0), run.cut(hi, run.size)) for run in self.runs]
                codes = np.concatenate([c for c, _ in parts])
                ids = np.concatenate([i for _, i in parts])
                order = np.argsort(codes, kind="stable")  # runs in the order made: ids rise
                yield codes[order], ids[order]
        finally:
            for run in self.runs:
                run.file.close()
            self.runs = []


class GramRun:
    """Sorted pairs in an unnamed temporary file (the codes, then the ids), read back with
    plain reads (not mapped: what is read does not stay resident), and every SAMPLE-th code
    kept in memory to find where a range of codes starts."""

    def __init__(self, codes: Codes, ids: npt.NDArray[np.uint32]) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by GramPostings.pieces)
        self.file.write(codes.tobytes())
        self.file.write(ids.tobytes())
        self.file.flush()
        self.size = len(codes)
        self.step = SAMPLE
        self.samples = codes[:: self.step].copy()

    def codes(self, a: int, b: int) -> Codes:
        return np.frombuffer(os.pread(self.file.fileno(), 8 * (b - a), 8 * a), dtype=np.uint64)

    def read(self, a: int, b: int) -> tuple[Codes, npt.NDArray[np.uint32]]:
        """Pairs a to b."""
        ids = os.pread(self.file.fileno(), 4 * (b - a), 8 * self.size + 4 * a)
        return self.codes(a, b), np.frombuffer(ids, dtype=np.uint32)

    def cut(self, bound: np.uint64 | None, edge: int) -> int:
        """Where the codes from `bound` on start (None: at `edge`, the run's start or end):
        between two samples, found in the codes read between them."""
        if bound is None:
            return edge
        j = int(np.searchsorted(self.samples, bound))  # samples[j - 1] < bound <= samples[j]
        if j == 0:
            return 0
        a, b = (j - 1) * self.step, min(j * self.step, self.size)
        return a + int(np.searchsorted(self.codes(a, b), bound))


def code_bounds(samples: list[Codes], per_range: int) -> list[np.uint64]:
    """Codes that cut the runs into ranges holding `per_range` of all the runs' samples
    (each standing for a step of pairs), and so at most one step more from each run."""
    every = np.sort(np.concatenate(samples))
    return list(np.unique(every[max(1, per_range) :: max(1, per_range)]))


def gram_stretches(codes: Codes, ids: npt.NDArray[np.uint32]) -> Iterator[tuple[list[str], list[bytes]]]:
    """The n-gram rows `[gram, idDelta...]` of sorted pairs, in order, as `rows.dumps` would
    write them (kana and kanji need no escaping), a stretch at a time: (grams, rows). The
    numbers are made into strings about ROW_PAIRS at a time (as Python objects, each takes
    some 80 bytes), and a stretch goes into its container in one call (KeyedSpool.extend)."""
    if not len(codes):
        return
    starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    gaps = ids.astype(np.int64)
    gaps[1:] -= ids[:-1]
    gaps[starts] = ids[starts]
    grams = gram_texts(codes[starts])
    bounds = [*starts.tolist(), len(codes)]  # row k: pairs bounds[k] to bounds[k + 1]
    first = 0  # the first row of this stretch
    while first < len(grams):
        last = max(first + 1, int(np.searchsorted(starts, bounds[first] + ROW_PAIRS, side="right")) - 1)
        offset = bounds[first]
        numbers = number_texts(gaps[offset : bounds[last]].tolist())
        rows = [
            f'["{grams[k]}",{",".join(numbers[bounds[k] - offset : bounds[k + 1] - offset])}]'.encode()
            for k in range(first, last)
        ]
        yield grams[first:last], rows
        first = last


def gram_shards(grams: list[str], shards: int) -> list[int]:
    """core.gram_shard of many n-grams at once (a call per gram cost efcl-blog's build about
    a third of a second). The hash is a polynomial in the code points: reduced once at the
    end, it gives the number gram_shard's reducing at each step does (that only keeps it
    small), and an n-gram's (three code points) fits 64 bits. Longer strings take gram_shard."""
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    if not len(grams) or lengths.max() > 3:
        return [gram_shard(g, shards) for g in grams]
    points = np.frombuffer("".join(grams).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    hashes = np.zeros(len(grams), dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    for k in range(int(lengths.max())):  # Horner's rule over the k-th characters
        having = lengths > k
        hashes[having] = hashes[having] * 31 + points[starts[having] + k]
    return (hashes % shards).tolist()
