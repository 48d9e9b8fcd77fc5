"""The last build, saved in the cache folder: what a rebuild patches instead of building again.

`build.bin` holds a first line `postsearch-build N`, a line of JSON (the key of everything the
build depends on, the post files and what each gave, the post metadata, the site's surface
counts, and the sizes of the sections that follow), then the sections: the index's encoded rows
as raw bytes (rows.py). Like every file of the cache folder it is untrusted data (cache.py):
read back part by part, each checked against the others, and ignored if anything is off.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import operator
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .cache import (
    BUILD_FILE,
    CACHE_VERSION,
    Invalid,
    decode_surfaces,
    ints,
    need,
    opt_str,
    read_plain,
    strs,
    write_atomic,
)
from .core import FIELDS, gram_shard, shard_of
from .format import GRAM_BYTES, LEXICON_BYTES, IndexRows
from .index import NO_POSTINGS, PostRecord
from .posts import Draft, Failure
from .rows import HashedFiles, RowRun, SortedRows
from .writer import Stamp

BUILD_MAGIC = b"postsearch-build %d\n" % CACHE_VERSION


@dataclass
class FileOutcome:
    """What one post file gave a build, as the next build needs it: a post (`detail`: its
    record cache key, with its warnings), a draft or a failure (`detail`: the reason)."""

    path: str
    digest: str  # of the file's bytes
    stat: tuple[int, int]  # its size and modification time (ns) when it had that digest
    kind: Literal["post", "draft", "failure"]
    detail: str
    warnings: list[str]

    def reported(self) -> Draft | Failure | None:
        """The draft or failure this file is in the build summary (None for a post)."""
        if self.kind == "post":
            return None
        return Draft(self.path, self.detail) if self.kind == "draft" else Failure(self.path, self.detail)


@dataclass
class SavedBuild:
    """The last build of a site: its files and its rows, under the key of everything else
    they depend on (our code, Sudachi's versions, the options)."""

    key: str
    files: list[FileOutcome]
    rows: IndexRows
    out: str = ""  # where it was written, resolved
    stamps: dict[str, Stamp] = field(default_factory=dict)  # of the data files written there


def ends_bytes(ends: array[int]) -> bytes:
    """Row ends as little-endian 64-bit integers, whatever this machine's byte order."""
    copy = array("Q", ends)
    if sys.byteorder == "big":
        copy.byteswap()
    return copy.tobytes()


def ends_of(data: bytes) -> array[int]:
    need(len(data) % 8 == 0, "row ends")
    ends = array("Q")
    ends.frombytes(data)
    if sys.byteorder == "big":
        ends.byteswap()
    return ends


def encode_outcome(f: FileOutcome) -> list[Any]:
    return [f.path, f.digest, f.stat[0], f.stat[1], f.kind, f.detail, f.warnings]


def decode_outcome(row: Any) -> FileOutcome:
    need(type(row) is list and len(row) == 7, "a file")
    path, digest, size, mtime, kind, detail, warnings = row
    need(type(path) is str and type(digest) is str and type(detail) is str, "a file's strings")
    need(type(size) is int and type(mtime) is int and kind in ("post", "draft", "failure"), "a file's kind")
    return FileOutcome(path, digest, (size, mtime), kind, detail, strs(warnings))


def encode_build(saved: SavedBuild) -> bytes:
    """The saved build as bytes (this module's docstring): a JSON header, then raw sections."""
    return b"".join(encode_build_parts(saved))


def encode_build_parts(saved: SavedBuild) -> list[Any]:
    """encode_build's bytes in parts, to be written one after the other: joined, they would
    hold the whole index in memory a second time. A mapped part (the texts) is itself."""
    rows = saved.rows
    sections = [
        rows.texts.blob,
        ends_bytes(rows.texts.ends),
        json.dumps(rows.terms.keys, ensure_ascii=False).encode(),
        rows.terms.run.blob,
        ends_bytes(rows.terms.run.ends),
        rows.positions.run.blob,
        ends_bytes(rows.positions.run.ends),
        *rows.grams.files,
        *rows.lexicon.files,
    ]
    header = {
        "key": saved.key,
        "out": saved.out,
        "files": [encode_outcome(f) for f in saved.files],
        "posts": [[p.path, p.url, p.title, p.date, p.tags, p.lengths, p.weight] for p in rows.posts],
        "surfaces": [[s, t, w, c] for (s, t, w), c in rows.surfaces.items()],
        "scale": rows.scale,
        "grams": [len(rows.grams.files), rows.grams.size, rows.grams.budget],
        "lexicon": [len(rows.lexicon.files), rows.lexicon.size, rows.lexicon.budget],
        "stamps": {k: [d.hex(), s, m, i] for k, (d, s, m, i) in saved.stamps.items()},
        "sections": [len(s) for s in sections],
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return [BUILD_MAGIC, head, b"\n", *sections]


def decode_build(data: bytes, key: str) -> SavedBuild | None:
    """The saved build, if `data` is one made under `key`; Invalid if it is malformed."""
    need(data.startswith(BUILD_MAGIC), "a saved build of this version")
    end = data.find(b"\n", len(BUILD_MAGIC))
    need(end > 0, "a header")
    try:
        header = json.loads(data[len(BUILD_MAGIC) : end])
    except ValueError as e:
        raise Invalid("a JSON header") from e
    need(type(header) is dict, "a header")
    if header.get("key") != key:
        return None
    sizes = ints(header.get("sections"))
    need(end + 1 + sum(sizes) == len(data), "sections that fill the file")
    sections: list[bytes] = []
    at = end + 1
    for size in sizes:
        sections.append(data[at : at + size])
        at += size
    return SavedBuild(
        key,
        [decode_outcome(f) for f in header_list(header, "files")],
        decode_rows(header, sections),
        header.get("out") if type(header.get("out")) is str else "",
        decode_stamps(header.get("stamps")),
    )


def header_list(header: dict[str, Any], name: str) -> list[Any]:
    value = header.get(name)
    need(type(value) is list, name)
    return value


def decode_rows(header: dict[str, Any], sections: list[bytes]) -> IndexRows:
    """The IndexRows of a saved build, each part checked against the others."""
    grams_meta, lexicon_meta = ints(header.get("grams")), ints(header.get("lexicon"))
    need(len(grams_meta) == 3 and len(lexicon_meta) == 3, "file groups")
    need(len(sections) == 7 + grams_meta[0] + lexicon_meta[0], "every section")
    scale = header.get("scale")
    need(type(scale) is int and scale >= 1, "a scale")
    texts = run_of(sections[0], sections[1])
    keys = json.loads(sections[2]) if sections[2] else None
    strs(keys)
    need(all(a < b for a, b in itertools.pairwise(keys)), "sorted keys")
    terms, positions = sorted_rows(keys, sections[3], sections[4]), sorted_rows(keys, sections[5], sections[6])
    posts = [decode_post(p) for p in header_list(header, "posts")]
    need(len(posts) == len(texts), "a text per post")
    surfaces = decode_surfaces(header_list(header, "surfaces"))
    grams_files = sections[7 : 7 + grams_meta[0]]
    lexicon_files = sections[7 + grams_meta[0] :]
    need(grams_meta[2] == GRAM_BYTES * scale and lexicon_meta[2] == LEXICON_BYTES * scale, "budgets")
    grams = HashedFiles(list(grams_files), grams_meta[1], grams_meta[2], gram_shard)
    lexicon = HashedFiles(list(lexicon_files), lexicon_meta[1], lexicon_meta[2], shard_of)
    need(bool(grams.files) and bool(lexicon.files), "n-gram and lexicon files")
    return IndexRows(posts, texts, terms, positions, grams, lexicon, surfaces, scale)


def run_of(blob: bytes, ends_data: bytes) -> RowRun:
    """A RowRun from its blob and row ends, checked: ends rise and the last is the blob's end."""
    run = RowRun()
    run.blob, run.ends = blob, ends_of(ends_data)
    ends = run.ends
    need(all(map(operator.lt, ends, itertools.islice(ends, 1, None))), "rising row ends")
    need((ends[-1] if ends else 0) == len(blob) and (not ends or ends[0] > 0), "row ends within the blob")
    return run


def sorted_rows(keys: list[str], blob: bytes, ends: bytes) -> SortedRows:
    rows = SortedRows({})
    rows.keys, rows.run = list(keys), run_of(blob, ends)
    need(len(rows.keys) == len(rows.run), "a row per key")
    return rows


def decode_post(row: Any) -> PostRecord:
    """A post's metadata (index.metadata) from the saved build."""
    need(type(row) is list and len(row) == 7, "a post")
    path, url, title, date, tags, lengths, weight = row
    need(type(weight) in (int, float) and 0.1 <= weight <= 10, "a post's weight")
    need(type(path) is str and type(url) is str and type(title) is str, "a post's strings")
    need(len(ints(lengths)) == len(FIELDS), "a length per field")
    return PostRecord(
        path, url, title, opt_str(date), strs(tags), "", [], lengths, NO_POSTINGS, b"", weight=float(weight)
    )


def decode_stamps(value: Any) -> dict[str, Stamp]:
    need(type(value) is dict, "stamps")
    stamps: dict[str, Stamp] = {}
    for name, stamp in value.items():
        need(type(stamp) is list and len(stamp) == 4 and type(stamp[0]) is str, "a stamp")
        digest = bytes.fromhex(stamp[0])
        size, mtime, ino = ints(stamp[1:])
        stamps[name] = (digest, size, mtime, ino)
    return stamps


def load_build(folder: Path | None, key: str) -> SavedBuild | None:
    """The saved build in the cache folder, if there is one made under the same key and it
    is well formed (anything else is ignored: the build is then done in full)."""
    if folder is None:
        return None
    data = read_plain(folder / BUILD_FILE)
    if data is None:
        return None
    try:
        return decode_build(data, key)
    except (Invalid, ValueError, RecursionError):
        return None


def save_build(folder: Path | None, saved: SavedBuild) -> None:
    """Keep the build in the cache folder. Any failure just removes it: the next build is a
    full one."""
    if folder is None:
        return
    path = folder / BUILD_FILE
    try:
        path.unlink(missing_ok=True)  # ext4 flushes a file renamed over another to disk: slow
        write_atomic(path, encode_build_parts(saved))
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
