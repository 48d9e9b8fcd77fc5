"""The build cache: analyzed posts kept between builds as data (saved.py keeps the last build).

A cache folder may sit inside the site's repository (the default, `SITE/.postsearch-cache`),
so it is untrusted input like the posts: anyone can commit one or send it in a pull request.
It therefore holds only plain data (JSON, and the index's own encoded rows as raw bytes),
never code: nothing in it is unpickled or executed, and everything read back is checked
against the layout below and ignored if it is anything else (that post is analyzed again,
that build done in full). Only a folder postsearch made (its marker file) is written to, and
only files named as postsearch names them are ever deleted, never through a symlink.

Layout of a cache folder (CACHE_VERSION):
- `postsearch-cache.json` (the marker: `{"format": "postsearch-cache", "version": N}`) and
  `CACHEDIR.TAG` (so backup tools skip the folder);
- `ab/<key>.json`: one analyzed post (`encode_record`), under the sha256 key of everything
  its analysis depends on (`ab` = the key's first two characters);
- `build.bin`: the last build (saved.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from array import array
from collections import Counter
from pathlib import Path
from sys import intern
from typing import Any

import numpy as np
import orjson

from .core import FIELDS
from .index import PostRecord
from .ngrams import packed, unpacked, valid_codes
from .postings import PostPostings
from .posts import Post

CACHE_VERSION = 4  # 2: a record keeps the post's weight; 3: n-grams as codes (ngrams.py); 4: postings packed
MARKER = "postsearch-cache.json"
TAG = "CACHEDIR.TAG"
TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file marks a cache folder made by postsearch (https://bford.info/cachedir/).\n"
)
BUILD_FILE = "build.bin"  # the last build (saved.py)
RECORD_NAME = re.compile(r"[0-9a-f]{64}\.json")
SUB_NAME = re.compile(r"[0-9a-f]{2}")
# What caches of earlier versions held (pickles): deleted unread when a folder is adopted.
LEGACY_NAME = re.compile(r"(?:build|[0-9a-f]{64})\.pickle(?:\.\d+\.tmp)?|build\.\d+\.tmp|[0-9a-f]{64}\.\d+\.tmp")


class UnsafeCache(Exception):
    """The cache folder holds files postsearch did not write: using it could delete them."""


# --- the folder -------------------------------------------------------------------------------


def is_ours(folder: Path) -> bool:
    """Whether `folder` carries postsearch's cache marker (a regular file, as we write it)."""
    marker = folder / MARKER
    try:
        if not stat.S_ISREG(os.lstat(marker).st_mode):
            return False
        data = json.loads(marker.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == "postsearch-cache"


def foreign_entry(folder: Path) -> str | None:
    """The first entry of `folder` a postsearch cache (of any version) would not hold."""
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_symlink():
            return entry.name
        if entry.is_dir(follow_symlinks=False) and SUB_NAME.fullmatch(entry.name):
            for inner in os.scandir(entry.path):
                plain = inner.is_file(follow_symlinks=False)
                if not plain or not (RECORD_NAME.fullmatch(inner.name) or LEGACY_NAME.fullmatch(inner.name)):
                    return f"{entry.name}/{inner.name}"
        elif not (
            entry.is_file(follow_symlinks=False) and (entry.name in (MARKER, TAG) or LEGACY_NAME.fullmatch(entry.name))
        ):
            return entry.name
    return None


def open_cache(folder: Path) -> Path | None:
    """The cache folder ready for use: made (with its marker) if missing or empty, adopted if
    it holds only what postsearch caches hold (older versions' pickles are deleted unread).
    None when it cannot be written (a read-only checkout: build without a cache).
    UnsafeCache when it exists and holds anything else."""
    try:
        if folder.exists() and not folder.is_dir():
            raise UnsafeCache(f"{folder}: not a folder postsearch made; choose another cache folder")
        if folder.is_dir() and is_ours(folder):
            return folder
        if folder.is_dir():
            foreign = foreign_entry(folder)
            if foreign is not None:
                raise UnsafeCache(
                    f"{folder}: holds {foreign}, which postsearch did not write; choose an empty or new cache folder"
                )
            remove_legacy(folder)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / TAG, TAG_TEXT.encode())
        write_atomic(folder / MARKER, json.dumps({"format": "postsearch-cache", "version": CACHE_VERSION}).encode())
    except OSError:
        return None
    return folder


def remove_legacy(folder: Path) -> None:
    """Delete the pickles an older postsearch left (never loading them)."""
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False) and SUB_NAME.fullmatch(entry.name):
            for inner in os.scandir(entry.path):
                if inner.is_file(follow_symlinks=False) and LEGACY_NAME.fullmatch(inner.name):
                    os.unlink(inner.path)
        elif entry.is_file(follow_symlinks=False) and LEGACY_NAME.fullmatch(entry.name):
            os.unlink(entry.path)


def write_atomic(path: Path, data: bytes | list[Any]) -> None:
    """Write a file whole or not at all (a temp file renamed over it); `data` may come in
    parts (bytes-like), written one after the other."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            for part in [data] if isinstance(data, bytes) else data:
                f.write(part)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_plain(path: Path) -> bytes | None:
    """A regular file's bytes, never through a symlink; None if there is none."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return f.read()


# --- checking decoded JSON --------------------------------------------------------------------


class Invalid(ValueError):
    """Cached data that is not what postsearch writes."""


def need(ok: bool, what: str) -> None:
    if not ok:
        raise Invalid(what)


def strs(value: Any) -> list[str]:
    need(type(value) is list and all(type(x) is str for x in value), "a list of strings")
    return value


def ints(value: Any) -> list[int]:
    need(type(value) is list and all(type(x) is int and x >= 0 for x in value), "a list of whole numbers")
    return value


def opt_str(value: Any) -> str | None:
    need(value is None or type(value) is str, "a string or null")
    return value


def decode_surfaces(rows: list[Any]) -> Counter[tuple[str, str, int]]:
    """The site's surface counts, `[surface, term, width, count]` rows, checked column by
    column (a big site has hundreds of thousands: no Python loop per row)."""
    try:
        surfaces = Counter({(intern(s), intern(t), w): c for s, t, w, c in rows})
    except (TypeError, ValueError) as e:  # not rows of four, or a list where a key should be
        raise Invalid("surfaces") from e
    need(len(surfaces) == len(rows), "distinct surfaces")
    columns = list(zip(*surfaces, strict=True)) or [(), (), ()]
    kinds = [set(map(type, column)) for column in (*columns, surfaces.values())]
    need(kinds[0] <= {str} and kinds[1] <= {str} and kinds[2] <= {int} and kinds[3] <= {int}, "surface types")
    need(min(columns[2], default=1) > 0 and min(surfaces.values(), default=1) > 0, "surface counts")
    return surfaces


# --- analyzed posts ---------------------------------------------------------------------------


def encode_record(record: PostRecord) -> bytes:
    """A PostRecord as one JSON array (docstring of this module). orjson writes the numbers
    straight from the arrays (json.dumps of lists took a fifth of the merging process's
    time in a first build); a text orjson refuses (a lone surrogate) goes through json."""
    data = [
        CACHE_VERSION,
        record.path,
        record.url,
        record.title,
        record.date,
        record.tags,
        record.text,
        [list(h) for h in record.headings],
        record.lengths,
        encode_postings(record.postings),
        unpacked(record.grams),
        [[s, t, w, c] for (s, t, w), c in record.surfaces.items()],
        record.weight,
    ]
    try:
        return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
    except orjson.JSONEncodeError:
        plain = [x.tolist() if isinstance(x, np.ndarray) else x for x in data]
        plain[9] = [x.tolist() if isinstance(x, np.ndarray) else x for x in plain[9]]
        return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def decode_record(data: bytes) -> PostRecord:
    """The PostRecord encode_record wrote, checked field by field (Invalid if anything is off).
    The checks run column by column in C (`set(map(type, ...))`): a warm build reads every
    post's record, and a Python loop per position would cost a third of the reading."""
    try:
        row = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise Invalid("not JSON") from e
    need(type(row) is list and len(row) == 13 and row[0] == CACHE_VERSION, "a record of this version")
    _, path, url, title, date, tags, text, headings, lengths, postings, grams, surfaces, weight = row
    need(type(weight) in (int, float) and 0.1 <= weight <= 10, "a weight")
    need(all(type(x) is str for x in (path, url, title, text)), "strings")
    need(len(ints(lengths)) == len(FIELDS), "a length per field")
    return PostRecord(
        path=path,
        url=url,
        title=title,
        date=opt_str(date),
        tags=strs(tags),
        text=text,
        headings=decode_headings(headings),
        lengths=lengths,
        postings=decode_postings(postings),
        grams=decode_grams(grams),
        surfaces=decode_surfaces(surfaces),
        weight=float(weight),
    )


def decode_headings(rows: Any) -> list[tuple[int, str]]:
    """`[[offset, anchor], ...]` as tuples."""
    need(type(rows) is list and set(map(type, rows)) <= {list} and set(map(len, rows)) <= {2}, "headings")
    need(set(map(type, (h[0] for h in rows))) <= {int} and set(map(type, (h[1] for h in rows))) <= {str}, "headings")
    return list(map(tuple, rows))  # type: ignore[arg-type]


def decode_grams(value: Any) -> bytes:
    """The n-gram codes of a post (ngrams.py), rising, each of kana and kanji; packed."""
    need(type(value) is list and set(map(type, value)) <= {int}, "n-gram codes")
    try:
        codes = np.array(value, dtype=np.uint64)
    except OverflowError as e:  # negative, or past 64 bits
        raise Invalid("n-gram codes") from e
    need(valid_codes(codes), "n-gram codes")
    return packed(codes)


def encode_postings(postings: PostPostings) -> list[Any]:
    """`[terms, heads, positions, head ends, position ends]` (index.PostPostings), the
    numbers as numpy views of the arrays (no copy)."""
    p = postings
    return [p.terms, *(np.frombuffer(a, dtype=np.uint32) for a in (p.heads, p.positions, p.head_ends, p.position_ends))]


def decode_postings(value: Any) -> PostPostings:
    """The PostPostings encode_postings wrote, checked as the builder will read them: distinct
    terms; per term a field mask of known fields, a tf of at least 1 per field in it, and as
    many position deltas as the tfs add up to; every number a uint32. Checked with array
    operations: a post has thousands of terms."""
    need(type(value) is list and len(value) == 5, "postings")
    terms, heads, positions, head_ends, position_ends = value
    need(type(terms) is list and set(map(type, terms)) <= {str} and len(set(terms)) == len(terms), "terms")
    arrays = [uint32s(x) for x in (heads, positions, head_ends, position_ends)]
    h, q, h_end, q_end = arrays
    need(len(h_end) == len(q_end) == len(terms), "an end per term")
    h_start = np.concatenate(([0], h_end[:-1])).astype(np.int64)
    q_start = np.concatenate(([0], q_end[:-1])).astype(np.int64)
    need(bool(np.all(h_end > h_start)) and bool(np.all(q_end >= q_start)), "rising ends")
    need((int(h_end[-1]) if len(h_end) else 0) == len(h) and (int(q_end[-1]) if len(q_end) else 0) == len(q), "ends")
    if len(terms):
        masks = h[h_start]
        need(bool(np.all((masks > 0) & (masks < 1 << len(FIELDS)))), "field masks")
        counts = np.zeros(len(masks), dtype=np.int64)
        for f in range(len(FIELDS)):
            counts += (masks >> f) & 1
        need(bool(np.all(h_end - h_start == counts + 1)), "a tf per field")
        tfs = h.astype(np.int64)
        tfs[h_start] = 0
        need(bool(np.all(tfs[tfs != 0] > 0)) and np.count_nonzero(tfs) == int(counts.sum()), "tfs")
        need(bool(np.all(np.add.reduceat(tfs, h_start) == q_end - q_start)), "positions per tf")
    return PostPostings([intern(t) for t in terms], *(array("I", x.astype(np.uint32).tobytes()) for x in arrays))


def uint32s(value: Any) -> np.ndarray:
    """A list of whole numbers under 2**32 as an int64 array."""
    need(type(value) is list and set(map(type, value)) <= {int}, "a list of whole numbers")
    try:
        out = np.array(value, dtype=np.int64)
    except OverflowError as e:
        raise Invalid("a list of whole numbers") from e
    need(not len(out) or (int(out.min()) >= 0 and int(out.max()) < 1 << 32), "uint32 numbers")
    return out


class RecordCache:
    """Analyzed posts kept between builds (one JSON file per post), keyed by everything the
    analysis depends on: the post itself, the anchor style, our analysis code and the Sudachi
    and dictionary versions. A rebuild after editing one post re-analyzes only that post."""

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.used: set[str] = set()
        self.hits = 0

    def key(self, post: Post, anchors: str) -> str:
        """The key of what a post's analysis depends on (any strings, even lone surrogates)."""
        fields = [self.salt, anchors, post.path, post.url, post.title, post.date, post.tags, post.markup, post.body]
        fields += [post.weight] if post.weight != 1 else []  # (unweighted posts keep their keys)
        blob = json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return hashlib.sha256(blob).hexdigest()

    def path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, use: bool = True) -> PostRecord | None:
        """The cached record (`use`: and keep it at the next prune); None if there is none
        or it is not one postsearch wrote."""
        if use:
            self.used.add(key)
        if self.folder is None:
            return None
        data = read_plain(self.path(key))
        if data is None:
            return None
        try:
            record = decode_record(data)
        except Invalid:
            return None
        self.hits += 1
        return record

    def put(self, key: str, record: PostRecord) -> None:
        if self.folder is None:
            return
        path = self.path(key)
        try:
            path.parent.mkdir(exist_ok=True)
            write_atomic(path, encode_record(record))
        except OSError:
            self.folder = None  # a read-only site: build on without a cache

    def prune(self) -> None:
        """Forget entries this build did not use (edited or deleted posts): only files named
        as records are, in subfolders named as ours, never through a symlink."""
        if self.folder is None or not is_ours(self.folder):
            return
        with contextlib.suppress(OSError):
            for sub in os.scandir(self.folder):  # scandir, not glob: a big site has many thousands
                if not (SUB_NAME.fullmatch(sub.name) and sub.is_dir(follow_symlinks=False)):
                    continue
                for entry in os.scandir(sub.path):
                    stale = RECORD_NAME.fullmatch(entry.name) and entry.name[:-5] not in self.used
                    if stale and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)
