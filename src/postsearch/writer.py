"""Stage 5, writing: put an index folder in place without ever losing what was there.

An index is written into a fresh sibling folder and swapped in at the end, so a reader and
an interrupted build always find a whole index. OUT is only ever replaced when it is empty or
an index postsearch wrote, holding nothing else: `-o public` instead of `-o public/search`
is refused before anything is touched. Leftovers of a killed build are removed by the next
one, and only the files postsearch names are ever deleted.

The data files go into a folder named after the build (`build` in the manifest, a digest of
everything written: docs/format.md), so a reader that opened an older manifest never reads a
newer build's files by mistake; it finds them gone and opens the new manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .ahead import FilesAhead, in_use, remove_slots

WEB_FILES = ("postsearch.js", "ui.js", "highlight.js", "ui.css", "demo.html")
MANIFEST = "manifest.json"
# Every name an index folder of any version holds: the runtime, the manifest, the data files
# (at the top up to version 4, in the build folder since version 5) and the build folders.
DATA_FILE = re.compile(r"(?:terms|positions|grams|lexicon|text)-\d{1,9}\.json|(?:lengths|dates|tags|posts)\.json")
BUILD_NAME = re.compile(r"[0-9a-f]{16}")
PENDING = ".data"  # the build folder while it is written, before its name is known
MANIFEST_MAX = 64 * 1024 * 1024  # a manifest larger than this is not one postsearch wrote

Stamp = tuple[bytes, int, int, int]  # a written file's digest, size, mtime_ns and inode


class UnsafeOutput(Exception):
    """OUT holds something postsearch did not write, so replacing it could lose a user's files."""


@dataclass(frozen=True)
class Written:
    """What a write put in OUT: file count, bytes, the build name, and a stamp per data file
    (by `build/name`) so the next build can hard-link the files that did not change."""

    files: int
    bytes: int
    build: str
    stamps: dict[str, Stamp]


# --- what is ours ---------------------------------------------------------------------------


def foreign_entry(folder: Path, depth: int = 0) -> str | None:
    """The first entry under `folder` that no postsearch index holds (its path relative to
    `folder`), or None when everything there is ours. Links are never followed."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        return f". ({e.strerror or e})"
    for entry in entries:
        if entry.is_symlink():
            return entry.name
        if entry.is_dir(follow_symlinks=False):
            ours = depth == 0 and (BUILD_NAME.fullmatch(entry.name) or entry.name == PENDING)
            inner = foreign_entry(Path(entry.path), depth + 1) if ours else entry.name
            if inner is not None:
                return entry.name if inner == entry.name else f"{entry.name}/{inner}"
        elif not entry.is_file(follow_symlinks=False) or not (
            DATA_FILE.fullmatch(entry.name) or (depth == 0 and entry.name in (MANIFEST, *WEB_FILES))
        ):
            return entry.name
    return None


def is_index_manifest(path: Path) -> bool:
    """Whether `path` is a regular file holding a postsearch manifest (of any version)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or os.lstat(path).st_size > MANIFEST_MAX:
            return False
        manifest = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == "postsearch-index"


def check_output(out: Path, src: Path | None = None) -> None:
    """Raise UnsafeOutput unless `out` may become an index: it does not exist, or it is an
    empty folder, or a postsearch index with nothing else in it; and it does not hold the site."""
    where = os.path.realpath(out)  # a link to a folder: that folder
    if src is not None:
        site = os.path.realpath(src)
        if site == where or site.startswith(where.rstrip(os.sep) + os.sep):
            raise UnsafeOutput(f"{out}: the output folder holds the site {src}; write the index to a folder of its own")
    if not os.path.lexists(where):
        return
    if not os.path.isdir(where):
        raise UnsafeOutput(f"{out}: exists and is not a folder; postsearch writes the index as a folder")
    if not any(os.scandir(where)):
        return
    if not is_index_manifest(Path(where) / MANIFEST):
        raise UnsafeOutput(
            f"{out}: not empty and not a postsearch index (no postsearch manifest.json); "
            "postsearch replaces only its own index: choose an empty or new folder, e.g. OUT/search"
        )
    foreign = foreign_entry(Path(where))
    if foreign is not None:
        raise UnsafeOutput(
            f"{out}: holds {foreign}, which postsearch did not write; move it away or choose another folder"
        )


def remove_ours(folder: Path) -> None:
    """Delete what a postsearch index folder holds, name by name, then the folder if that
    left it empty: anything else put there is kept."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            ours_dir = BUILD_NAME.fullmatch(entry.name) or entry.name in (PENDING, "index")
            if ours_dir and entry.is_dir(follow_symlinks=False):
                remove_ours(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and (
                DATA_FILE.fullmatch(entry.name) or entry.name in (MANIFEST, *WEB_FILES)
            ):
                os.unlink(entry.path)
        os.rmdir(folder)


def clean_leftovers(out: Path) -> None:
    """Remove the temp folders of builds of `out` that were killed before they finished
    (`.OUT.new-*`, `.OUT.old-*`, `.OUT.ahead-*`). Called with the folder's lock held, so no
    other build is writing; files made ahead are locked while their build runs."""
    prefixes = (f".{out.name}.new-", f".{out.name}.old-")
    ahead = f".{out.name}.ahead-"
    with contextlib.suppress(OSError):
        for entry in os.scandir(out.parent):
            if entry.name.startswith(prefixes) and entry.is_dir(follow_symlinks=False):
                remove_ours(Path(entry.path))
            elif entry.name.startswith(ahead) and entry.is_dir(follow_symlinks=False) and not in_use(Path(entry.path)):
                remove_slots(Path(entry.path))  # (a running build holds its own: FilesAhead)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (flock on the folder itself: no lock file to leave
    behind), so two builds into the same place take turns instead of undoing each other."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # a file system without locks: build on without one
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


# --- writing ----------------------------------------------------------------------------------


def file_stamp(path: str, digest: bytes) -> Stamp:
    st = os.stat(path)
    return (digest, st.st_size, st.st_mtime_ns, st.st_ino)


def unchanged(path: str, stamp: Stamp) -> bool:
    """Whether the file at `path` is still the one stamped (same inode, size and time)."""
    try:
        return file_stamp(path, stamp[0]) == stamp
    except OSError:
        return False


def link(source: str, target: str) -> bool:
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def write_data(
    files: Iterable[tuple[str, bytes]],
    folder: Path,
    old: Path,
    previous: dict[str, Stamp],
    ahead: FilesAhead | None = None,
) -> tuple[int, int, dict[str, bytes], hashlib.blake2b]:
    """Write the data files into `folder` as they come; a file the previous build wrote with
    the same bytes (its stamp, by name) is hard-linked from `old` instead: creating files is
    the slow part of a small rebuild (and of a full one: `ahead`, files made ahead of time).
    Returns count, bytes, digests and the running build hash."""
    by_name = {key.rpartition("/")[2]: (key, stamp) for key, stamp in previous.items()}
    build = hashlib.blake2b(digest_size=8)
    digests: dict[str, bytes] = {}
    count = size = 0
    for name, data in files:
        digest = hashlib.blake2b(data, digest_size=16).digest()
        build.update(name.encode() + b"\0" + digest)
        target = folder / name
        key, stamp = by_name.get(name, ("", None))
        source = str(old / key)
        same = stamp and stamp[0] == digest and unchanged(source, stamp) and link(source, str(target))
        if not same and not (ahead and ahead.fill(target, data)):
            target.write_bytes(data)
        digests[name] = digest
        count += 1
        size += len(data)
    return count, size, digests, build


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE), so a reader never
    finds OUT missing; False where the system cannot (then swap_in renames twice)."""
    try:
        import ctypes

        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_in(tmp: Path, out: Path) -> None:
    """Put the finished folder `tmp` at `out` and delete the previous index (if any), file by
    file: in one atomic exchange where the system has one, else by moving the previous index
    aside first (for the moment between the two renames, OUT is missing)."""
    if os.path.lexists(out) and exchange(tmp, out):
        remove_ours(tmp)  # now the previous index
        return
    old_dir = None
    if os.path.lexists(out):
        old_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old_dir / "index")
    try:
        os.rename(tmp, out)
    except OSError:
        if old_dir is not None:
            os.rename(old_dir / "index", out)  # put the previous index back
        raise
    if old_dir is not None:
        remove_ours(old_dir)


def write_folder(
    out: Path,
    data: Iterable[tuple[str, bytes]],
    top: Callable[[str], Iterable[tuple[str, bytes]]],
    previous: dict[str, Stamp] | None = None,
    src: Path | None = None,
    ahead: FilesAhead | None = None,
) -> Written:
    """Write an index folder at `out`: the data files (written as they come) into the build
    folder, then `top(build)` (the manifest, which names the build, and the runtime) beside
    it. The build name hashes the data files and the manifest as `top` writes it before the
    build is named, so the same input gives the same name. Refuses (UnsafeOutput) to replace anything but an
    index; the previous index stays whole until the new one is complete."""
    check_output(out, src)
    where = Path(os.path.realpath(out))
    where.parent.mkdir(parents=True, exist_ok=True)
    with locked(where.parent):
        check_output(out, src)  # again, now that no other build can be writing it
        clean_leftovers(where)
        tmp = Path(tempfile.mkdtemp(prefix=f".{where.name}.new-", dir=where.parent))
        try:
            (tmp / PENDING).mkdir()
            count, size, digests, hasher = write_data(data, tmp / PENDING, where, previous or {}, ahead)
            for name, blob in top(""):  # the build name covers the manifest (all but the name itself)
                if name == MANIFEST:  # not the runtime: it is not in the build folder
                    hasher.update(name.encode() + b"\0" + blob)
            build = hasher.hexdigest()
            os.rename(tmp / PENDING, tmp / build)
            for name, blob in top(build):
                (tmp / name).write_bytes(blob)
                count += 1
                size += len(blob)
            stamps = {f"{build}/{n}": file_stamp(str(tmp / build / n), d) for n, d in digests.items()}
            os.chmod(tmp, 0o755)
            swap_in(tmp, where)
        except BaseException:
            remove_ours(tmp)
            raise
    return Written(count, size, build, stamps)
