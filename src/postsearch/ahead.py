"""Files made ahead: the index's files made empty while the build still runs, filled at the end.

Making a file (its inode) can cost far more than writing it. On this project's 2-core test
machine (ext4 in a VM) it takes from 0.06 to 0.6 ms of system time depending on the hour,
against about 0.08 ms to fill a file and rename it into place: efcl-blog's 2,100 index files
cost up to a second, in the last step of a build, where the other core has little to do.
A child process at the lowest priority makes empty files from the start of the build, in
the time no other process wants, and the writer (writer.write_data) fills and renames them.
Whatever goes wrong with them only means that files are made as they are written, as they
would be without this.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .forked import Forked, can_fork

SLOT = re.compile(r"slot-\d{1,9}")  # an empty file made ahead, in `.OUT.ahead-*` beside OUT


class FilesAhead:
    """Up to `count` empty files made by a child process for the index at `out`, in
    `.OUT.ahead-*` beside it (the same file system, so a rename moves them into the new
    build folder). The folder is locked while this lives, so another build's
    writer.clean_leftovers leaves it alone."""

    def __init__(self, out: Path, count: int) -> None:
        where = Path(os.path.realpath(out))
        self.folder = Path(tempfile.mkdtemp(prefix=f".{where.name}.ahead-", dir=where.parent))
        self.lock = os.open(self.folder, os.O_RDONLY)  # held until close: the folder is in use
        with contextlib.suppress(ImportError, OSError):
            import fcntl

            fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.stop = multiprocessing.get_context("fork").Event()
        self.child: Forked | None = Forked.start("making files ahead", make_slots, self.folder, count, self.stop)
        self.slots: list[str] | None = None  # the files made, once the child is stopped

    @classmethod
    def start(cls, out: Path, count: int) -> FilesAhead | None:
        """`count` files made ahead for the index at `out`; None where that cannot be done."""
        if not can_fork() or not os.path.isdir(os.path.dirname(os.path.realpath(out))):
            return None
        try:
            return cls(out, count)
        except OSError:
            return None

    def fill(self, target: Path, data: bytes) -> bool:
        """Put `data` at `target` through a file made ahead; False when none is left."""
        if self.slots is None:
            self.stop_making()  # the first file to write: the child stops making more
            self.slots = sorted(
                slots_in(self.folder), key=lambda name: int(name[5:]), reverse=True
            )  # popped from the end
        while self.slots:
            slot = os.path.join(self.folder, self.slots.pop())
            try:
                with open(os.open(slot, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)), "wb") as f:
                    f.write(data)
                os.rename(slot, target)
                return True
            except OSError:  # the folder was removed (clean_leftovers of another build), or full
                with contextlib.suppress(OSError):
                    os.unlink(slot)
        return False

    def stop_making(self) -> None:
        """Stop the child and wait for it (once). Whatever it ran into only means fewer files
        made ahead: the ones in the folder are what it made."""
        child, self.child = self.child, None
        if child is not None:
            self.stop.set()
            with contextlib.suppress(Exception):  # its error is not the build's
                child.wait()

    def __enter__(self) -> FilesAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child and remove the files it made that were not used."""
        self.stop_making()
        remove_slots(self.folder)
        os.close(self.lock)


def make_slots(folder: Path, count: int, stop: Any) -> None:
    """FilesAhead's child: empty files `slot-0`, `slot-1`... in `folder` until `count` are
    made, it is told to stop, or making one fails."""
    with contextlib.suppress(OSError):
        os.nice(19)  # the lowest priority: only time no other process wants
    for k in range(count):
        if stop.is_set():
            return
        try:
            os.close(os.open(os.path.join(folder, f"slot-{k}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except OSError:
            return


def slots_in(folder: Path) -> list[str]:
    """The names of the files made ahead in `folder` (none if it is gone)."""
    try:
        return [e.name for e in os.scandir(folder) if SLOT.fullmatch(e.name)]
    except OSError:
        return []


def remove_slots(folder: Path) -> None:
    """Delete the empty slot files a FilesAhead made in `folder`, then the folder if that
    left it empty (a build whose slots these are, if any is still running, writes its files
    as they come instead)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if SLOT.fullmatch(entry.name) and entry.is_file(follow_symlinks=False) and not entry.stat().st_size:
                os.unlink(entry.path)
        os.rmdir(folder)


def in_use(folder: Path) -> bool:
    """Whether another open file holds the lock on `folder` (a FilesAhead still making or
    filling its files)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False
