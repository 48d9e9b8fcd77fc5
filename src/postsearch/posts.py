"""Stage 1, posts: find a site's post files and read them into `Post` records.

Front matter may be YAML (`---`), TOML (`+++`) or JSON (`{ ... }`), read with
python-frontmatter. The conventions of real generators (Jekyll/Octopress, Hugo,
Hexo, Zenn) decide dates, drafts and URLs. A broken file becomes a `Failure`
naming the file and the reason; it never stops the rest of the site.

A site's repository is untrusted input (CI builds pull requests), so reading it is bounded:
only regular files inside the site are read (symlinks leading out of it are skipped with a
warning unless `SiteOptions.follow_symlinks`), a post file and its front matter have size
limits, and YAML aliases cannot expand past a limit.
"""

from __future__ import annotations

import datetime as dt
import errno
import fnmatch
import html
import os
import re
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler
from yaml.constructor import SafeConstructor

DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.mdx", "*.html", "*.htm")
DEFAULT_EXCLUDE_DIRS = ("_drafts", "_site", "node_modules", "public", "resources", "vendor")

# Limits on what one file may cost. Real posts stay far below them; past them the file fails
# alone ("file too large", "front matter too large ...") and the build goes on.
MAX_POST_BYTES = 32 * 1024 * 1024
"""A post file's size: a disk image or a log named `.md` is not read into memory."""
MAX_FRONT_MATTER_BYTES = 256 * 1024
"""The front matter's size, before parsing."""
MAX_FRONT_MATTER_VALUES = 10_000
"""Values (scalars, lists, mappings) in the front matter with every YAML alias expanded: a
500-byte "billion laughs" would otherwise expand to billions the first time anything walks
the metadata (str(), json.dumps). Counted on the parsed nodes, never expanded."""
MAX_FRONT_MATTER_CHARS = 1024 * 1024
"""Characters of the front matter's scalars with every alias expanded (one long string
aliased a thousand times is a bomb too)."""
_MAX_INT_BITS = 13_000  # str() refuses ints over 4,300 digits; YAML's `0x...` builds them


@dataclass(frozen=True)
class SiteOptions:
    """What to read and how to name it. Defaults follow the generators' own defaults."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    exclude_dirs: tuple[str, ...] = DEFAULT_EXCLUDE_DIRS
    url_template: str | None = None
    skip: tuple[Path, ...] = ()
    follow_symlinks: bool = False  # read links to outside the site and walk linked folders


@dataclass
class Post:
    """One published post, ready for text extraction."""

    path: str
    url: str
    title: str
    date: str | None
    tags: list[str]
    body: str
    markup: str  # "markdown" or "html"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """A post that must never reach the output (counted in the build summary)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Failure:
    """A file that could not be read; the build goes on without it."""

    path: str
    reason: str


class TomlHandler(BaseHandler):
    """Hugo's `+++` front matter, parsed with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class JsonHandler(JSONHandler):
    """JSON front matter: an object whose braces stand on their own lines."""

    FM_BOUNDARY = re.compile(r"^(?:\{|\})\s*$", re.MULTILINE)


class FrontMatterTooLarge(ValueError):
    """Front matter past one of the limits above; its message is the Failure's reason."""


class FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader (libyaml's when present, as python-frontmatter uses), with alias
    expansion bounded before anything is constructed, and impossible dates kept as text."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        check_expanded_size(node)
        return self.construct_document(node)


def timestamp_or_text(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    """An unquoted `2014-13-45` is a timestamp to YAML's resolver but no date: keep its text,
    so `post_date` warns about it instead of the whole post failing."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_or_text)


def yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_expanded_size(root: yaml.Node) -> None:
    """Raise FrontMatterTooLarge if the document, with every alias expanded, has more values
    or characters than the limits, or refers to itself. An alias is a shared node: each
    node's expanded size is computed once, from its children's, so a bomb costs only its
    own few nodes here. Iterative, so deep nesting cannot overflow the stack."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, characters) expanded
    open_nodes: set[int] = set()  # the path from the root: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            values = 1 + sum(sizes[id(c)][0] for c in yaml_children(node))
            chars = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            chars += sum(sizes[id(c)][1] for c in yaml_children(node))
            if values > MAX_FRONT_MATTER_VALUES:
                raise FrontMatterTooLarge(
                    f"front matter too large once its aliases are expanded (over {MAX_FRONT_MATTER_VALUES:,} values)"
                )
            if chars > MAX_FRONT_MATTER_CHARS:
                raise FrontMatterTooLarge(
                    f"front matter too large once its aliases are expanded (over {MAX_FRONT_MATTER_CHARS:,} characters)"
                )
            sizes[key] = (values, chars)
        elif key not in sizes:
            if key in open_nodes:
                raise FrontMatterTooLarge("front matter refers to itself (a recursive alias)")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in yaml_children(node))


class YamlHandler(YAMLHandler):
    """`---` front matter, loaded with FrontMatterLoader."""

    def load(self, fm: str, **kwargs: object) -> Any:
        loader = FrontMatterLoader(fm)  # a safe loader: no tag constructs objects or runs code
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()


HANDLERS: tuple[BaseHandler, ...] = (YamlHandler(), TomlHandler(), JsonHandler())

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_value(value: Any, seen: dict[int, Any] | None = None) -> Any:
    """Parsed front matter with every lone surrogate (JSON's `"\\ud800"`) replaced by U+FFFD,
    in keys and values alike, so no later step meets a string that is not UTF-8. Shared
    values (YAML aliases) stay shared: each is cleaned once."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INT_BITS:
        raise ValueError("a number in it is too long")
    if not isinstance(value, dict | list | tuple | set | frozenset):
        return value
    seen = {} if seen is None else seen
    if id(value) not in seen:
        if isinstance(value, dict):
            seen[id(value)] = {clean_value(k, seen): clean_value(v, seen) for k, v in value.items()}
        else:
            seen[id(value)] = type(value)(clean_value(v, seen) for v in value)
    return seen[id(value)]


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
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as e:
            skipped.append((show_path(rel_dir or "."), f"cannot list folder: {e.strerror or e}"))
            continue
        subfolders: list[tuple[str, str, str]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if is_folder(entry):
                if entry.name in options.exclude_dirs and entry.name != "_drafts":
                    continue
                if os.path.abspath(entry.path) in skip:
                    continue
                real, problem = folder_link(entry, root, real_dir, walked, options.follow_symlinks)
                if problem:
                    skipped.append((show_path(rel), problem))
                elif real:
                    walked.add(real)
                    subfolders.append((entry.path, rel, real))
                continue
            if not any(fnmatch.fnmatch(entry.name, g) or fnmatch.fnmatch(rel, g) for g in options.include):
                continue
            if any(fnmatch.fnmatch(rel, g) for g in options.exclude):
                continue
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


def find_post_files(src: Path, options: SiteOptions) -> list[Path]:
    """All post files below `src` (drafts folders left out), sorted by path."""
    return walk_site(src, options)[0]


def read_posts(src: Path, options: SiteOptions | None = None) -> Iterator[Post | Draft | Failure]:
    """Read every post file of a site. The one public entry of this stage. The files the walk
    skipped (links out of the site, special files) are left out: `walk_site` says which."""
    options = options or SiteOptions()
    posts, drafts, _ = walk_site(src, options)
    for path in posts:
        yield read_post(path, path.relative_to(src).as_posix(), options)
    for path in drafts:
        yield Draft(show_path(path.relative_to(src).as_posix()), "in _drafts/")


def read_post(path: Path, rel: str, options: SiteOptions) -> Post | Draft | Failure:
    """Read one file. Never raises: a bad file is a Failure naming it and the reason."""
    if not is_utf8(rel):
        return Failure(show_path(rel), "file name is not UTF-8")
    try:
        return parse_post(path, rel, options)
    except Exception as e:  # the last guard: one bad file must never stop the build
        return Failure(rel, f"unexpected error: {one_line(e)}")


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


def parse_post(path: Path, rel: str, options: SiteOptions) -> Post | Draft | Failure:
    """read_post's work, for a file whose name is UTF-8."""
    raw = read_source(path, rel, options.follow_symlinks)
    if isinstance(raw, str):
        return Failure(rel, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return Failure(rel, f"not UTF-8 (byte {e.start}: {raw[e.start : e.start + 1]!r})")
    text = clean_control_chars(text.replace("\r\n", "\n").replace("\r", "\n"))
    try:
        meta, body = split_front_matter(text)
    except FrontMatterTooLarge as e:
        return Failure(rel, str(e))
    except Exception as e:  # YAML, TOML and JSON parsers raise many kinds of error
        return Failure(rel, f"bad front matter: {one_line(e)}")
    if not isinstance(meta, dict):
        return Failure(rel, f"front matter is a {type(meta).__name__}, not a mapping")
    meta = {str(k): v for k, v in meta.items()}
    draft = draft_reason(meta)
    if draft:
        return Draft(rel, draft)
    markup = "html" if rel.lower().endswith((".html", ".htm")) else "markdown"
    warnings: list[str] = []
    date = post_date(meta, rel, warnings)
    return Post(
        path=rel,
        url=post_url(meta, rel, date, options.url_template),
        title=post_title(meta, body, rel),
        date=date,
        tags=post_tags(meta),
        body=body,
        markup=markup,
        warnings=warnings,
    )


def one_line(e: Exception) -> str:
    """An exception as one short line for the build summary (printable: parsers quote the
    input, lone surrogates and all)."""
    text = " ".join(str(e).split())[:200] or type(e).__name__
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_control_chars(text: str) -> str:
    """Drop NUL and other C0 controls (real posts carry stray ones); keep tab and newline."""
    return _CONTROL.sub("", text)


def split_front_matter(text: str) -> tuple[Any, str]:
    """Front matter (its strings made valid UTF-8) and body; a file without front matter has
    empty metadata. Raises FrontMatterTooLarge past MAX_FRONT_MATTER_BYTES."""
    for handler in HANDLERS:
        if handler.detect(text):
            fm, content = handler.split(text)
            size = len(fm.encode("utf-8", "surrogatepass"))
            if size > MAX_FRONT_MATTER_BYTES:
                raise FrontMatterTooLarge(f"front matter too large ({size} bytes, limit {MAX_FRONT_MATTER_BYTES})")
            meta = clean_value(handler.load(fm))
            return ({} if meta is None else meta), content
    return {}, text


def get_key(meta: dict[str, Any], *names: str) -> Any:
    """A front matter value by any of its spellings (`tags`, `Tags`, ...), case-insensitively."""
    lowered = {k.lower(): v for k, v in meta.items()}
    for name in names:
        if name.lower() in lowered and lowered[name.lower()] is not None:
            return lowered[name.lower()]
    return None


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no"))


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))


def draft_reason(meta: dict[str, Any]) -> str | None:
    """Why a post is unpublished, or None when it is published."""
    if is_true(get_key(meta, "draft")):
        return "draft: true"
    if is_false(get_key(meta, "published")):
        return "published: false"
    return None


# --- dates --------------------------------------------------------------------------------

_FILENAME_DATE = re.compile(r"(?:^|/)(\d{4})-(\d{1,2})-(\d{1,2})-")
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%Y.%m.%d",
)


def post_date(meta: dict[str, Any], rel: str, warnings: list[str]) -> str | None:
    """The post's date as ISO 8601 (date-only stays date-only), from front matter or file name."""
    value = get_key(meta, "date", "pubDate", "published_at", "ms.date")
    if value is not None:
        iso = normalize_date(value)
        if iso:
            return iso
        warnings.append(f"unreadable date {str(value)[:40]!r}")
    m = _FILENAME_DATE.search(rel)
    if m:
        return normalize_date(f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}")
    return None


def normalize_date(value: Any) -> str | None:
    """Any date a generator accepts, as one ISO 8601 string; None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    text = re.sub(r"T(\d):", r"T0\1:", text)  # `2019-01-05T9:00`
    text = re.sub(r"(?<=[+-]\d\d):(?=\d\d$)", "", text)  # `+09:00` -> `+0900` for %z
    text = re.sub(r"Z$", "+0000", text)
    text = re.sub(r"\.\d+(?=[+-]\d{4}$|$)", "", text)  # drop fractions of a second
    text = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}/{int(m[2]):02d}/{int(m[3]):02d}", text)
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%H" not in fmt:
            return parsed.date().isoformat()
        return parsed.isoformat()
    return None


# --- titles, tags, URLs -------------------------------------------------------------------

# Each pattern scans in linear time, whatever the body: no lazy `.*?` looks for a closing
# delimiter from every opening one (a body of 10,000 `<h1`s and no `</h1>` would be quadratic).
_HEADING = re.compile(r"^#[^\S\n]+(\S.*)", re.MULTILINE)
_H1_OPEN = re.compile(r"<h1(?:\s[^<>]*)?>", re.IGNORECASE)
_H1_CLOSE = re.compile(r"</h1\s*>", re.IGNORECASE)
_TITLE_MARKUP = re.compile(r"<[^<>]*>|\{#[^{}]*\}|\{/\*[^{]*?\*/\}")


def first_heading(body: str) -> str | None:
    """The text of the first `#` heading, else of the first `<h1>`, markup and all."""
    m = _HEADING.search(body)
    if m:
        line = m[1].rstrip()
        closed = line.rstrip("#")  # `# Title ##`, but not `# C#`
        return closed.rstrip() if closed != line and closed[-1:].isspace() else line
    start = _H1_OPEN.search(body)
    end = _H1_CLOSE.search(body, start.end()) if start else None
    return body[start.end() : end.start()] if start and end else None


def post_title(meta: dict[str, Any], body: str, rel: str) -> str:
    """Front matter title, else the first `#` heading or `<h1>` (tags stripped, entities such
    as `&amp;` decoded, as the page shows it), else the file name."""
    title = get_key(meta, "title")
    if title is not None and str(title).strip():
        return str(title).strip()
    heading = first_heading(body)
    if heading:
        heading = " ".join(html.unescape(_TITLE_MARKUP.sub("", heading)).split())
        if heading:
            return heading
    return slug_from_path(rel)


def as_list(value: Any) -> list[str]:
    """A tags value as a list of strings (`a, b`, `[a, b]` and a lone string all work)."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",") if "," in value else value.split()
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def post_tags(meta: dict[str, Any]) -> list[str]:
    """Tags, categories and Zenn topics, de-duplicated in first-seen order."""
    seen: dict[str, None] = {}
    for key in ("tags", "categories", "category", "topics", "keywords"):
        for tag in as_list(get_key(meta, key)):
            seen.setdefault(tag, None)
    return list(seen)


def slug_from_path(rel: str) -> str:
    """A file's slug: its name without extension or Jekyll date prefix."""
    stem = PurePosixPath(rel).stem
    return re.sub(r"^\d{4}-\d{1,2}-\d{1,2}-", "", stem)


_SLASHES = "/\\\t\n\r"  # browsers read `\` as `/` and drop tabs and newlines in URLs


def site_path(url: str) -> str:
    """A path that stays on the site: `//host/x`, `/\\host`, `\\\\host` (which a browser reads
    as a link to another host) collapse to one `/`."""
    return "/" + url.lstrip(_SLASHES) if url[:1] in _SLASHES else url


URL_FIELDS = ("year", "month", "day", "slug", "dir", "path")  # the placeholders of a URL template


def check_url_template(template: str) -> None:
    """Raise ValueError saying what is wrong with a URL template, before any post is read."""
    import string

    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise ValueError(f"--url-template {template!r}: {e}") from None
    for name in names:
        if name not in URL_FIELDS:
            known = " ".join("{" + f + "}" for f in URL_FIELDS)
            raise ValueError(f"--url-template {template!r}: unknown placeholder {{{name}}} (use {known})")


def post_url(meta: dict[str, Any], rel: str, date: str | None, template: str | None) -> str:
    """The URL a generator would give the post: explicit `permalink`/`url` first. Never
    protocol-relative (`//evil.example`), whatever the front matter or file names say."""
    explicit = get_key(meta, "permalink", "url")
    if isinstance(explicit, str) and explicit.strip():
        url = explicit.strip()
        if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
            return url  # absolute (or hostile, like javascript:) URLs are kept; the UI vets them
        return site_path("/" + url)
    return site_path(derived_url(meta, rel, date, template))


def derived_url(meta: dict[str, Any], rel: str, date: str | None, template: str | None) -> str:
    """The URL from the template, or the generator's convention for the file's place."""
    slug = str(get_key(meta, "slug") or slug_from_path(rel))
    parts = PurePosixPath(rel).parts
    year, month, day = (date or "")[:4], (date or "")[5:7], (date or "")[8:10]
    dir_ = "/".join(parts[:-1])
    values = {"year": year, "month": month, "day": day, "slug": slug, "dir": dir_, "path": rel}
    if template:
        return template.format(**values)
    if ("_posts" in parts) and year:
        return f"/{year}/{month}/{day}/{slug}/"
    if "content" in parts:
        inner = parts[parts.index("content") + 1 : -1]
        if PurePosixPath(rel).stem in ("index", "_index"):
            return "/" + "".join(p + "/" for p in inner)
        return "/" + "".join(p + "/" for p in inner) + slug + "/"
    if PurePosixPath(rel).stem in ("index", "_index"):
        return "/" + "".join(p + "/" for p in parts[:-1])
    return "/" + "".join(p + "/" for p in parts[:-1]) + slug + "/"
