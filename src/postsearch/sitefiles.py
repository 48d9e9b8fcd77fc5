"""Stage 1, posts: finding a site's post files and reading their bytes, safely.

A site's repository is untrusted input (CI builds pull requests), so only regular files inside
the site are read: symlinks leading out of it (or to its hidden files) are skipped with a
warning unless `SiteOptions.follow_symlinks`; /proc, /sys and /dev are never read; FIFOs,
devices and sockets are never opened for reading (a FIFO would hang the build), and a file is
checked again when it is read, not only when the site is walked; a post file has a size limit.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .posts import SiteOptions

# Limits on what one file may cost. Real posts stay far below them; past them the file fails
# alone ("file too large", "front matter too large ...") and the build goes on.
MAX_POST_BYTES = 32 * 1024 * 1024
"""A post file's size: a disk image or a log named `.md` is not read into memory."""


TEMPLATE_DIRS = frozenset(
    {
        "_layouts", "_includes", "_includes_custom", "_sass", "_data", "_plugins",  # Jekyll, Octopress
        "layouts", "archetypes", "themes", "assets", "data", "i18n",  # Hugo (and Hexo's themes)
        "scaffolds",  # Hexo
    }
)  # fmt: skip
"""Top-level folders of a site's sources that hold templates, styles and data, never posts:
a template fragment in the results is a bug (a post folder deeper down may have these names)."""


def walk_site(src: Path, options: SiteOptions) -> tuple[list[Path], list[Path], list[tuple[str, str]]]:
    """Post files, draft files (in `_drafts/`), each sorted by path, and the files and
    folders skipped with a warning (relative path, reason). Hidden folders, dependency and
    output folders are never entered. Only regular files inside the site are listed:
    symlinks whose target is outside it (or hidden) are skipped unless
    `options.follow_symlinks`; linked folders are not followed (they would list posts twice)
    unless it is set, and then each real folder is walked once, so a loop ends."""
    root = os.path.realpath(src)
    skip = {os.path.abspath(p) for p in options.skip}
    found: list[tuple[str, Path]] = []
    skipped: list[tuple[str, str]] = []
    walked = {root}  # real paths of the folders walked (or about to be)
    stack: list[tuple[str, str, str]] = [(os.fspath(src), "", root)]  # folder, its rel, its real path
    while stack:
        folder, rel_dir, real_dir = stack.pop()
        subfolders: list[tuple[str, str, str]] = []
        for entry in listing(folder, rel_dir, skipped):
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if is_folder(entry):
                if is_left_out(entry, rel_dir, options) or os.path.abspath(entry.path) in skip:
                    continue
                real, problem = folder_link(entry, root, real_dir, walked, options.follow_symlinks)
                if problem:
                    skipped.append((show_path(rel), problem))
                elif real:
                    walked.add(real)
                    subfolders.append((entry.path, rel, real))
            elif is_post_file(entry.name, rel, options):
                problem = file_problem(entry, root, options.follow_symlinks)
                if problem:
                    skipped.append((show_path(rel), problem))
                else:
                    found.append((rel, Path(entry.path)))
        stack.extend(reversed(subfolders))
    found.sort(key=lambda item: item[0])
    skipped.sort()
    posts = [p for rel, p in found if "_drafts" not in rel.split("/")[:-1]]
    drafts = [p for rel, p in found if "_drafts" in rel.split("/")[:-1]]
    return posts, drafts, skipped


def is_left_out(entry: os.DirEntry[str], rel_dir: str, options: SiteOptions) -> bool:
    """A folder never walked: output and dependency folders, and a source site's template
    folders at its top."""
    if entry.name in options.exclude_dirs and entry.name != "_drafts":
        return True
    return not rel_dir and not options.built and entry.name in TEMPLATE_DIRS


def listing(folder: str, rel_dir: str, skipped: list[tuple[str, str]]) -> list[os.DirEntry[str]]:
    """A folder's entries by name, hidden ones left out (a folder that cannot be listed is
    skipped with a warning)."""
    try:
        with os.scandir(folder) as entries:
            return sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as e:
        skipped.append((show_path(rel_dir or "."), f"cannot list folder: {e.strerror or e}"))
        return []


def is_post_file(name: str, rel: str, options: SiteOptions) -> bool:
    """Whether a file is one of the posts `options` include and do not exclude."""
    if not any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) for g in options.include):
        return False
    if options.rules.never and re.search(options.rules.never, rel):
        return False  # the generator never publishes it (siterules: Jekyll's `_` names)
    return not any(fnmatch.fnmatch(rel, g) for g in options.exclude)


def is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, or a link to one (a link that loops is no folder: it is reported as a file)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def folder_link(
    entry: os.DirEntry[str], root: str, real_dir: str, walked: set[str], follow: bool
) -> tuple[str | None, str | None]:
    """(real path to walk, or None; why it is skipped with a warning, or None) for a folder."""
    if not entry.is_symlink():
        return os.path.join(real_dir, entry.name), None
    problem = link_problem(entry.path, root, follow)
    if not follow:  # never followed (it would list posts twice); a warning when it leads out
        if problem and "outside the site" in problem:
            return None, "symlinked folder outside the site: not followed (--follow-symlinks follows it)"
        return None, None
    if problem:
        return None, problem
    real = os.path.realpath(entry.path)
    if real in walked or any(is_inside(d, real) for d in (real_dir, root)):
        return None, "symlinked folder already walked (a loop or a second link): not followed"
    return real, None


def file_problem(entry: os.DirEntry[str], root: str, follow: bool) -> str | None:
    """Why a post file is skipped (a link out of the site, a FIFO, a device), or None."""
    if entry.is_symlink():
        problem = link_problem(entry.path, root, follow)
        if problem:
            return problem
        try:
            regular = stat.S_ISREG(os.stat(entry.path).st_mode)
        except OSError as e:
            return f"cannot read: {e.strerror or e}"
    else:
        regular = entry.is_file(follow_symlinks=False)
    return None if regular else "not a regular file"


def is_inside(path: str, folder: str) -> bool:
    """Whether the real path `path` is `folder` or below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


# Kernel file systems: their "regular" files are the machine's state (/proc/self/environ).
_PSEUDO_FILE_SYSTEMS = ("/proc", "/sys", "/dev") if os.name == "posix" else ()


def link_problem(path: str | Path, root: str, follow: bool) -> str | None:
    """Why the symlink at `path` may not be read, or None: a loop, a dangling link or a target
    in /proc, /sys or /dev always; without `follow`, a target outside the site (its real
    path `root`) or a hidden file in it (`.git/config` holds CI tokens, `.env` secrets)."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as e:
        return "symlink loop" if e.errno == errno.ELOOP else "broken symlink"
    if not follow and not is_inside(real, root):
        return "symlink to outside the site: skipped (--follow-symlinks reads it)"
    for fs in _PSEUDO_FILE_SYSTEMS:
        if is_inside(real, fs) and not is_inside(root, fs):
            return f"symlink into {fs}: special files are never read"
    if not follow and any(part.startswith(".") for part in Path(os.path.relpath(real, root)).parts):
        return "symlink to a hidden file of the site: skipped"
    return None


def show_path(name: str) -> str:
    """A file name as printable UTF-8: bytes that are not UTF-8 shown escaped (`caf\\xe9.md`)."""
    try:
        raw = os.fsencode(name)
    except UnicodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not wait for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def site_root(path: Path, rel: str) -> str:
    """The real path of the site `path` is in: `path` less `rel`'s parts."""
    parts = PurePosixPath(rel).parts
    if parts and path.parts[-len(parts) :] == parts:
        return os.path.realpath(path.parents[len(parts) - 1])
    return os.path.realpath(path.parent)


def read_source(path: Path, rel: str, follow: bool) -> bytes | str:
    """The file's bytes, or why they may not be read. Checked here again, not only when
    walking: a link is vetted, the file is opened without waiting (a FIFO would hang the
    build) and must be a regular file of at most MAX_POST_BYTES, by fstat of what is read."""
    flags = _OPEN_FLAGS
    if os.path.islink(path):
        problem = link_problem(path, site_root(path, rel), follow)
        if problem:
            return problem
    else:
        flags |= getattr(os, "O_NOFOLLOW", 0)  # nor made a link since
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return "not a regular file"
            if info.st_size > MAX_POST_BYTES:
                return f"file too large ({info.st_size} bytes, limit {MAX_POST_BYTES})"
            raw = f.read(info.st_size + 1)  # not read(MAX_POST_BYTES): that allocates it all
            if len(raw) > info.st_size:  # it grew since fstat
                raw += f.read(MAX_POST_BYTES + 1 - len(raw))
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    if len(raw) > MAX_POST_BYTES:
        return f"file too large (over {MAX_POST_BYTES} bytes, limit {MAX_POST_BYTES})"
    return raw
