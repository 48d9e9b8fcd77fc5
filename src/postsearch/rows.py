"""Stage 5, format: the containers an index's encoded rows live in until they are files.

A site has hundreds of thousands of rows, and a rebuild after a few edits replaces a few of
them, then cuts every file again: so rows are kept as bytes, not objects. `RowRun` holds rows in
order as one blob (a file is one slice of it), `SortedRows` a RowRun by key, `HashedFiles` rows
spread over files by a hash of their key (kept as the files' bytes). format.py fills them;
update.py patches them; cache.py saves and reads them.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import mmap
import os
import tempfile
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from .core import lexicon_file_count, shard_of


def dumps(data: Any) -> bytes:
    """Compact, deterministic JSON (UTF-8, no spaces). Not orjson: its output buffers, made
    large and shrunk, doubled a build's peak memory (hundreds of thousands of small rows)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


quoted = json.encoder.encode_basestring  # `dumps(text)` as a str: what json.dumps uses with ensure_ascii=False


def string_json(text: str) -> bytes:
    """`dumps(text)` for a string, by the function json itself quotes strings with: rows put
    together by hand (format.encode_term, format.lexicon_json) skip json's checks per call."""
    return quoted(text).encode("utf-8")


SMALL_NUMBERS = 1 << 16  # deltas and counts, most numbers of a row, are below this


def number_texts(values: Sequence[int]) -> list[str]:
    """`list(map(str, values))`, about twice as fast: a number below SMALL_NUMBERS has its
    text taken from a table rather than made anew (an index writes millions of numbers).
    An unsigned array needs no check for negative numbers (which would index the table
    from its end); a number too large for the table sends the whole list the slow way."""
    unsigned = isinstance(values, array) and values.typecode in "BHILQ"
    if not values or not (unsigned or min(values) >= 0):
        return list(map(str, values))
    try:
        return list(map(small_number_texts().__getitem__, values))
    except IndexError:
        return list(map(str, values))


@functools.cache
def small_number_texts() -> list[str]:
    """The table of number_texts, made once per process that writes rows (4 MB)."""
    return [str(n) for n in range(SMALL_NUMBERS)]


FAULT_AROUND = 128 * 1024  # what a read of a mapped page may map beside it, with a margin
DEAL_BYTES = 32 * 1024 * 1024  # rows held while spooling or dealing them to files (HashedFiles.of_spool)
DEAL_ROWS = 65_536  # rows whose files are worked out at once (HashedFiles.of_spool)


class RowRun:
    """Encoded rows in order, kept as one blob of `row,` after `row,`, with where each row's
    comma ends: a file of consecutive rows is one slice of the blob, and a saved build keeps
    it as two byte strings (cache.py), not one object per row."""

    def __init__(self, rows: Iterable[bytes] = ()) -> None:
        self.blob: bytes | bytearray | mmap.mmap = bytearray()  # grown in place: no list of rows beside it
        self.ends = array("Q")
        for row in rows:
            self.append(row)

    @classmethod
    def mapped(cls, file: BinaryIO, ends: array[int]) -> RowRun:
        """The rows a file holds (`row,` after `row,`, ending at `ends`), mapped from it: the
        pages a file of rows reads are let go once it is written (files())."""
        run = cls()
        run.ends = ends
        if run.ends:
            run.blob = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        return run

    def append(self, row: bytes) -> None:
        assert isinstance(self.blob, bytearray)
        self.blob += row
        self.blob += b","
        self.ends.append(len(self.blob))

    def __len__(self) -> int:
        return len(self.ends)

    @property
    def size(self) -> int:
        """All rows, each + 1 for its comma."""
        return self.ends[-1] if self.ends else 0

    def row(self, i: int) -> bytes:
        return self.blob[self.ends[i - 1] if i else 0 : self.ends[i] - 1]

    def __getitem__(self, i: int) -> bytes:
        return self.row(i)

    def __iter__(self) -> Iterator[bytes]:
        """Each row in order; a mapped run lets each row's pages go once it is read."""
        for i in range(len(self)):
            yield self.row(i)
            self.release(self.ends[i - 1] if i else 0, self.ends[i])

    def release(self, begin: int, end: int) -> None:
        """A mapped run's pages from `begin` to `end`, read once, given back to the system."""
        if isinstance(self.blob, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            # the kernel maps the pages around each one read (Linux's fault-around, 64 KiB), on
            # both sides: they go too, or they would stay resident however often we let go
            aligned = max(0, begin - FAULT_AROUND)
            aligned -= aligned % mmap.PAGESIZE
            self.blob.madvise(mmap.MADV_DONTNEED, aligned, min(len(self.blob), end + FAULT_AROUND) - aligned)

    def splice(self, edits: list[tuple[int, int, list[bytes]]]) -> None:
        """Replace rows [a, b) by the given rows, for each (a, b, rows): sorted, apart."""
        blob: list[bytes] = []
        sizes: list[int] = []
        done = 0  # rows copied or replaced so far
        for a, b, rows in [*edits, (len(self), len(self), [])]:
            start = self.ends[done - 1] if done else 0
            blob.append(self.blob[start : self.ends[a - 1] if a else 0])
            sizes.extend(self.ends[i] - (self.ends[i - 1] if i else 0) for i in range(done, a))
            blob.extend(row + b"," for row in rows)
            sizes.extend(len(row) + 1 for row in rows)
            done = b
        self.blob = b"".join(blob)
        self.ends = array("Q", itertools.accumulate(sizes))

    def files(self, prefix: str, budget: int) -> Iterator[tuple[int, str, bytes]]:
        """Files `prefix-K.json` of consecutive rows within the budget (group_starts), each
        with its first row."""
        starts = group_starts(self.ends, budget)
        for k, (start, end) in enumerate(zip(starts, [*starts[1:], len(self)], strict=True)):
            begin = self.ends[start - 1] if start else 0
            yield start, f"{prefix}-{k}.json", b"[" + self.blob[begin : self.ends[end - 1] - 1] + b"]"
            self.release(begin, self.ends[end - 1])  # read once: let it go


class RowSpool:
    """Rows written to an unnamed temporary file as they come, then given back as a RowRun
    mapped from it (`run`): a big site's rows are never all in this process's memory."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by run())
        self.ends = array("Q")
        self.size = 0

    def append(self, row: bytes) -> None:
        self.file.write(row)
        self.file.write(b",")  # laid out as a RowRun's blob
        self.size += len(row) + 1
        self.ends.append(self.size)

    def adopt(self, ends: array[int]) -> None:
        """Take on rows another process wrote into this spool's file (shared by a fork), given
        where each ends."""
        self.ends = ends
        self.size = ends[-1] if ends else 0

    def run(self) -> RowRun:
        """The rows, mapped (the mapping keeps the unlinked file; this spool is done)."""
        self.file.flush()
        run = RowRun.mapped(self.file, self.ends)
        self.file.close()
        return run

    def read_back(self) -> Iterator[bytes]:
        """The rows in order, read from the file (not mapped: nothing stays resident); this
        spool is done."""
        self.file.flush()
        self.file.seek(0)
        previous = 0
        for end in self.ends:
            yield self.file.read(end - previous)[:-1]
            previous = end
        self.file.close()


class KeyedSpool:
    """Rows with their keys, in memory up to `budget` bytes, then spooled to disk (RowSpool):
    the rows of HashedFiles too many to hold, before the number of files (which needs their
    total size) is known. A small site's never leave memory."""

    def __init__(self, budget: int | None = None) -> None:
        self.held: dict[str, bytes] = {}
        self.held_size = self.size = 0  # the held rows' and all rows', each + 1 for its comma
        self.budget = DEAL_BYTES if budget is None else budget
        self.spooled: tuple[RowSpool, RowSpool] | None = None  # (rows, keys), once spilled

    def extend(self, keys: list[str], rows: list[bytes]) -> None:
        self.held.update(zip(keys, rows, strict=True))
        size = sum(map(len, rows)) + len(rows)
        self.held_size += size
        self.size += size
        if self.held_size > self.budget:
            self.spill()

    def spill(self) -> None:
        """The held rows to disk."""
        rows, keys = self.spooled = self.spooled or (RowSpool(), RowSpool())
        for key, row in self.held.items():
            rows.append(row)
            keys.append(key.encode("utf-8", "surrogatepass"))
        self.held, self.held_size = {}, 0

    def read_back(self) -> tuple[Iterator[str], Iterator[bytes]]:
        """The keys and the rows, in the order appended (as many of each); the spool is done."""
        self.spill()
        assert self.spooled is not None
        rows, keys = self.spooled
        return (k.decode("utf-8", "surrogatepass") for k in keys.read_back()), rows.read_back()


class SortedRows:
    """Rows sorted by key, as a RowRun: a rebuild replaces a few of them."""

    def __init__(self, rows: dict[str, bytes]) -> None:
        self.keys = sorted(rows)
        self.run = RowRun(rows[k] for k in self.keys)

    @classmethod
    def of_sorted(cls, keys: list[str], run: RowRun) -> SortedRows:
        """The rows of `run`, already in the order of `keys` (sorted)."""
        rows = cls({})
        rows.keys, rows.run = keys, run
        return rows

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        i = bisect_left(self.keys, key)
        return i < len(self.keys) and self.keys[i] == key

    def get(self, key: str) -> bytes | None:
        i = bisect_left(self.keys, key)
        return self.run.row(i) if i < len(self.keys) and self.keys[i] == key else None

    def update(self, changes: dict[str, bytes | None]) -> None:
        """Give each key its new row (None: drop the key)."""
        edits: list[tuple[int, int, list[bytes]]] = []
        keys: list[str] = []
        done = 0
        for key in sorted(changes):
            i = bisect_left(self.keys, key)
            present = i < len(self.keys) and self.keys[i] == key
            row = changes[key]
            keys.extend(self.keys[done:i])
            if row is not None:
                keys.append(key)
            edits.append((i, i + present, [] if row is None else [row]))
            done = i + present
        keys.extend(self.keys[done:])
        self.keys = keys
        self.run.splice(edits)


def group_starts(ends: Sequence[int], budget: int) -> list[int]:
    """Where each group of consecutive rows starts, given where each row's comma ends
    (`ends`, a running total of each row's size + 1), filling groups greedily: a row joins
    the group while the group's size stays within the budget, and a group has at least one
    row. Found by bisection: a site has hundreds of thousands of rows, and a rebuild groups
    them all again."""
    starts: list[int] = []
    i = 0
    while i < len(ends):
        starts.append(i)
        begin = ends[i - 1] if i else 0
        i = max(i + 1, bisect_right(ends, begin + budget + 1))
    return starts


Shard = Callable[[str, int], int]  # (key, number of files) -> file
Shards = Callable[[list[str], int], list[int]]  # the same for many keys at once


def shards_of(keys: list[str], count: int, shard: Shard, many: Shards | None) -> list[int]:
    """Each key's file, by `many` where there is one (all keys in one call), else by `shard`."""
    return many(keys, count) if many else [shard(key, count) for key in keys]


def file_count(size: int, budget: int, shard: Shard) -> int:
    """How many files rows of `size` bytes go into: one per budget, and for the lexicon (keyed
    by a code point modulo the count) one that keeps Latin and kana files apart."""
    count = max(1, math.ceil(size / budget))
    return lexicon_file_count(count) if shard is shard_of else count


@dataclass
class HashedFiles:
    """Rows spread over files by a hash of their key, kept as the files' bytes: a rebuild
    decodes only the files whose rows change. The number of files follows the rows' total
    size, so it moves only when the site grows or shrinks by a whole file's budget."""

    files: Sequence[bytes]  # a list, or a RowRun of one row per file (of_spool: on disk)
    size: int  # all rows, each + 1 for its comma
    budget: int
    shard: Shard

    @classmethod
    def of(cls, rows: dict[str, bytes], budget: int, shard: Shard, many: Shards | None = None) -> HashedFiles:
        """The files of these rows (key -> encoded row); each file's rows sorted by key. The
        rows are consumed (`rows` is left empty): each file's are let go once it is made, so
        the rows and the files are never all in memory together. `many`: `shard` for many
        keys at once, where there is a faster way (ngrams.gram_shards)."""
        size = sum(len(r) + 1 for r in rows.values())
        count = file_count(size, budget, shard)
        groups: list[list[bytes]] = [[] for _ in range(count)]
        keys = sorted(rows)
        for key, k in zip(keys, shards_of(keys, count, shard, many), strict=True):
            groups[k].append(rows.pop(key))
        files = []
        for k in range(count):
            files.append(b"[" + b",".join(groups[k]) + b"]")
            groups[k] = []
        return cls(files, size, budget, shard)

    @classmethod
    def of_spool(cls, spool: KeyedSpool, budget: int, shard: Shard, many: Shards | None = None) -> HashedFiles:
        """The files of spooled rows, made on disk: the rows are read back in order and dealt
        to their files in pieces of at most DEAL_BYTES, then each file is put together from
        its pieces. So a site's n-gram rows, which grow with it, are never all in memory."""
        if spool.spooled is None:  # it all fits in memory
            return cls.of(spool.held, budget, shard, many)
        count = file_count(spool.size, budget, shard)
        pieces: list[list[tuple[int, int]]] = [[] for _ in range(count)]  # (offset, size) in `dealt`
        pending: list[list[bytes]] = [[] for _ in range(count)]
        held = 0
        with tempfile.TemporaryFile() as dealt:

            def deal() -> None:
                for k, rows in enumerate(pending):
                    if rows:
                        data = b",".join(rows)
                        pieces[k].append((dealt.tell(), len(data)))
                        dealt.write(data)
                        pending[k] = []

            keys, rows = spool.read_back()
            while stretch := list(itertools.islice(keys, DEAL_ROWS)):  # keys only: rows come one by one
                for k, row in zip(shards_of(stretch, count, shard, many), rows):  # noqa: B905 (zip stops at the stretch's end)
                    pending[k].append(row)
                    held += len(row)
                    if held > DEAL_BYTES:
                        deal()
                        held = 0
            deal()
            dealt.flush()
            files = RowSpool()
            for k in range(count):
                files.append(b"[" + b",".join(os.pread(dealt.fileno(), n, at) for at, n in pieces[k]) + b"]")
        return cls(files.run(), spool.size, budget, shard)

    def rebudget(self, budget: int) -> None:
        """Use this budget from now on, grouping every row again if the number of files moves."""
        self.budget = budget
        if file_count(self.size, budget, self.shard) != len(self.files):
            self.regroup()

    def regroup(self) -> None:
        every = {row[0]: dumps(row) for data in self.files for row in json.loads(data)}
        regrouped = HashedFiles.of(every, self.budget, self.shard)
        self.files, self.size = regrouped.files, regrouped.size

    def patch(self, keys: Iterable[str], change: Callable[[str, list[Any] | None], list[Any] | None]) -> None:
        """Give each key the row `change(key, its row or None)` (rows decoded; None: no row)."""
        self.files = list(self.files)  # patched in place (a rebuild's few files)
        count = len(self.files)
        by_file: dict[int, list[str]] = defaultdict(list)
        for key in keys:
            by_file[self.shard(key, count)].append(key)
        for k, group in by_file.items():
            table = {row[0]: row for row in json.loads(self.files[k])}
            for key in group:
                old = table.pop(key, None)
                if old is not None:
                    self.size -= len(dumps(old)) + 1
                row = change(key, old)
                if row is not None:
                    table[key] = row
                    self.size += len(dumps(row)) + 1
            self.files[k] = dumps([table[key] for key in sorted(table)])  # the bytes `of` joins
        if file_count(self.size, self.budget, self.shard) != count:
            self.regroup()
