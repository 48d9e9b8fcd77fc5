"""Sorted runs on disk: how a build's postings stay within a bounded amount of memory.

IndexBuilder gathers, per term, uint32 arrays that grow with every post (the n-grams,
numbers rather than keys, have runs of their own: ngrams.py). Past a budget it writes them out as a run, sorted by key, to an unnamed temporary
file and starts again; at the end `merged` reads the runs back one record at a time, in key
order, with each key's pieces from every run in the order they were written. So the memory
a build holds for its postings is the budget, however big the site: the merge works key by
key, as the rows are encoded (format.encode_rows).

A run file is ours and local (never read from a site): records of a header `<key bytes,
last, array count>`, then each array's length, the key in UTF-8 and the arrays' bytes.
"""

from __future__ import annotations

import heapq
import itertools
import struct
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import BinaryIO

Record = tuple[str, int, tuple[array, ...]]  # key, the last post id it was seen in, its arrays
_HEAD = struct.Struct("<III")
_SIZE = struct.Struct("<I")


def write_run(file: BinaryIO, records: Iterable[Record]) -> None:
    """Records, in the order given (sorted by key), to `file`."""
    for key, last, arrays in records:
        raw = key.encode("utf-8", "surrogatepass")
        file.write(_HEAD.pack(len(raw), last, len(arrays)))
        for a in arrays:
            file.write(_SIZE.pack(len(a)))
        file.write(raw)
        for a in arrays:
            file.write(a.tobytes())


def read_run(file: BinaryIO) -> Iterator[Record]:
    """The records write_run wrote, one at a time, read from the file as they are asked for
    (read, not mapped: pages read stay out of this process's memory)."""
    while head := file.read(_HEAD.size):
        size, last, count = _HEAD.unpack(head)
        lengths = [_SIZE.unpack(file.read(_SIZE.size))[0] for _ in range(count)]
        key = file.read(size).decode("utf-8", "surrogatepass")
        arrays = []
        for n in lengths:
            a = array("I")
            a.fromfile(file, n)
            arrays.append(a)
        yield key, last, tuple(arrays)


class Runs:
    """The runs spilled so far, each an unnamed temporary file (gone when closed)."""

    def __init__(self) -> None:
        self.files: list[BinaryIO] = []

    def spill(self, records: Iterable[Record]) -> None:
        """One more run (records sorted by key)."""
        file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by merged())
        write_run(file, records)
        file.flush()
        self.files.append(file)

    def merged(self, last: Iterable[Record]) -> Iterator[tuple[str, list[Record]]]:
        """Every key once, in key order, with its records: one from each run that has it, in
        the order the runs were made, and `last` (sorted, still in memory) after them."""
        for f in self.files:
            f.seek(0)
        try:
            streams = [read_run(f) for f in self.files] + [iter(last)]
            # heapq.merge keeps the streams' order among equal keys: runs in the order made
            for key, group in itertools.groupby(heapq.merge(*streams, key=lambda r: r[0]), key=lambda r: r[0]):
                yield key, list(group)
        finally:
            for f in self.files:
                f.close()
            self.files = []
