"""Stage 1, posts: find a site's post files and read them into `Post` records.

Front matter may be YAML (`---`), TOML (`+++`) or JSON (`{ ... }`), read with
python-frontmatter. The conventions of real generators (Jekyll/Octopress, Hugo,
Hexo, Zenn) decide dates, drafts and URLs. A broken file becomes a `Failure`
naming the file and the reason; it never stops the rest of the site.

A site's repository is untrusted input (CI builds pull requests), so reading it is bounded:
sitefiles.py finds and reads only regular files inside the site, frontmatter.py parses front
matter with size and alias-expansion limits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .dates import normalize_date
from .frontmatter import FrontMatterTooLarge, split_front_matter
from .sitefiles import is_utf8, read_source, show_path, walk_site
from .siterules import NO_RULES, SiteRules, literal_url, rule_url, site_rules

DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.mdx", "*.html", "*.htm")
DEFAULT_EXCLUDE_DIRS = ("_drafts", "_site", "node_modules", "public", "resources", "vendor")


@dataclass(frozen=True)
class SiteOptions:
    """What to read and how to name it. Defaults follow the generators' own defaults."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    exclude_dirs: tuple[str, ...] = DEFAULT_EXCLUDE_DIRS
    url_template: str | None = None
    skip: tuple[Path, ...] = ()
    follow_symlinks: bool = False  # read links to outside the site and walk linked folders
    built: bool = False  # SRC is a generator's built HTML (builtpages.py), not its sources
    base_url: str = "/"  # built pages: the URL the folder is served at
    title_from: str = "h1"  # built pages: "h1" (the content's first <h1>, else <title>) or "title"
    lang: str | None = None  # built pages: only pages whose <html lang> is this language
    require_body: bool = False  # built pages: some page marks its content, so pages must
    rules: SiteRules = NO_RULES  # the generator's config (siterules.py), read by `ruled`


def ruled(src: Path, options: SiteOptions) -> SiteOptions:
    """Options with the rules of the generator whose config is at `src` (a built site has none)."""
    if options.built:
        return options
    rules = site_rules(src)
    return SiteOptions(**{**options.__dict__, "rules": rules, "exclude": (*options.exclude, *rules.skipped)})


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
    weight: float = 1.0  # its scores are multiplied by this (front matter `postsearch_weight`)


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


def find_post_files(src: Path, options: SiteOptions) -> list[Path]:
    """All post files below `src` (drafts folders left out), sorted by path."""
    return walk_site(src, options)[0]


def read_posts(src: Path, options: SiteOptions | None = None) -> Iterator[Post | Draft | Failure]:
    """Read every post file of a site. The one public entry of this stage. The files the walk
    skipped (links out of the site, special files) are left out: `walk_site` says which."""
    options = ruled(src, options or SiteOptions())
    posts, drafts, _ = walk_site(src, options)
    if options.built:
        from .builtpages import any_marks_body  # it imports this module's types

        options = SiteOptions(
            **{**options.__dict__, "require_body": any_marks_body(src, posts, options.follow_symlinks)}
        )
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
    if options.built:
        from .builtpages import page_post  # it imports this module's types

        return page_post(rel, text, options)
    try:
        meta, body = split_front_matter(text)
    except FrontMatterTooLarge as e:
        return Failure(rel, str(e))
    except Exception as e:  # YAML, TOML and JSON parsers raise many kinds of error
        return Failure(rel, f"bad front matter: {one_line(e)}")
    if not isinstance(meta, dict):
        return Failure(rel, f"front matter is a {type(meta).__name__}, not a mapping")
    meta = FrontMatter((str(k), v) for k, v in meta.items())
    draft = draft_reason(meta)
    if draft:
        return Draft(rel, draft)
    markup = "html" if rel.lower().endswith((".html", ".htm")) else "markdown"
    warnings: list[str] = []
    date = post_date(meta, rel, warnings)
    return Post(
        path=rel,
        url=post_url(meta, rel, date, options.url_template, options.rules),
        title=post_title(meta, body, rel),
        date=date,
        tags=post_tags(meta),
        body=body,
        markup=markup,
        warnings=warnings,
        weight=as_weight(meta.get("postsearch_weight")),
    )


def as_weight(value: Any) -> float:
    """A page weight: a number from 0.1 to 10 (anything else, or none, is 1)."""
    try:
        weight = float(value) if value is not None and not isinstance(value, bool) else 1.0
    except (TypeError, ValueError):
        return 1.0
    return min(10.0, max(0.1, weight)) if weight == weight else 1.0


def one_line(e: Exception) -> str:
    """An exception as one short line for the build summary (printable: parsers quote the
    input, lone surrogates and all)."""
    text = " ".join(str(e).split())[:200] or type(e).__name__
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_control_chars(text: str) -> str:
    """Drop NUL and other C0 controls (real posts carry stray ones); keep tab and newline."""
    return _CONTROL.sub("", text)


class FrontMatter(dict[str, Any]):
    """A post's front matter, its keys also lower-cased once for get_key: a post asks for a
    dozen of them, and lowering every key for each cost vsdocs-ja's build 0.4 s."""

    def __init__(self, items: Any) -> None:
        super().__init__(items)
        self.lowered = {k.lower(): v for k, v in self.items()}


def get_key(meta: FrontMatter, *names: str) -> Any:
    """A front matter value by any of its spellings (`tags`, `Tags`, ...), case-insensitively."""
    lowered = meta.lowered
    for name in names:
        if name.lower() in lowered and lowered[name.lower()] is not None:
            return lowered[name.lower()]
    return None


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no"))


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))


def draft_reason(meta: FrontMatter) -> str | None:
    """Why a post is unpublished, or None when it is published."""
    if is_true(get_key(meta, "draft")):
        return "draft: true"
    if is_false(get_key(meta, "published")):
        return "published: false"
    return None


# --- dates --------------------------------------------------------------------------------

_FILENAME_DATE = re.compile(r"(?:^|/)(\d{4})-(\d{1,2})-(\d{1,2})-")


def post_date(meta: FrontMatter, rel: str, warnings: list[str]) -> str | None:
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


def post_title(meta: FrontMatter, body: str, rel: str) -> str:
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


def post_tags(meta: FrontMatter) -> list[str]:
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


def post_url(meta: FrontMatter, rel: str, date: str | None, template: str | None, rules: SiteRules = NO_RULES) -> str:
    """The URL a generator would give the post: explicit `permalink`/`url` first (its
    placeholders filled in), then `--url-template`, then the generator's rules. Never
    protocol-relative (`//evil.example`), whatever the front matter or file names say."""
    explicit = get_key(meta, "permalink", "url")
    slug = str(get_key(meta, "slug") or slug_from_path(rel))
    if isinstance(explicit, str) and explicit.strip():
        url = explicit.strip()
        if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
            return url  # absolute (or hostile, like javascript:) URLs are kept; the UI vets them
        filled = rule_url(rules, {**meta, "permalink": url}, rel, date, slug) if ":" in url else None
        return site_path(filled or "/" + literal_url(rules, url))
    if template is None:
        by_rules = rule_url(rules, meta, rel, date, slug)
        if by_rules:
            return site_path(by_rules)
    return site_path(derived_url(meta, rel, date, template))


def derived_url(meta: FrontMatter, rel: str, date: str | None, template: str | None) -> str:
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
