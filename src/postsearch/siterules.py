"""The generator's own rules for a source site: which files are posts and what URL each gets.

Read once from the site's config, when it has one (never executed: YAML through the bounded
safe loader of frontmatter.py, TOML through tomllib):
- **Jekyll / Octopress** (`_config.yml` beside `_posts/`, `_layouts/` or `_includes/`):
  `permalink` (a style: date, pretty, ordinal, none; or a template with `:year`, `:month`,
  `:day`, `:title`, `:categories`, `:output_ext`...), `collections` (only those with
  `output: true` are pages, at their own `permalink`), `exclude`. Folders starting with `_`
  that are not `_posts`, `_drafts` or an output collection hold templates and data: never posts.
- **Hexo** (`_config.yml` beside `source/`): `permalink` (default `:year/:month/:day/:title/`).
- **Hugo** (`hugo.toml`/`.yaml`/`.json`, `config.toml`/...): `[permalinks]` per section,
  `contentDir`.
A front matter `permalink` with placeholders is expanded the same way. Without a config, the
conventions of posts.derived_url apply.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

MAX_CONFIG_BYTES = 256 * 1024

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
HEXO_DEFAULT = ":year/:month/:day/:title/"


@dataclass(frozen=True)
class SiteRules:
    """What a build needs of the generator's config (hashable: part of the build's key)."""

    generator: str = ""  # "jekyll", "hexo", "hugo" or "" (no config read)
    permalink: str = ""  # Jekyll/Hexo: the posts' URL template
    collections: tuple[tuple[str, str], ...] = ()  # Jekyll: output collections, (name, permalink)
    skipped: tuple[str, ...] = ()  # globs of files that are never posts (templates, excluded)
    never: str = ""  # a regular expression of relative paths that are never posts (Jekyll: `_` names)
    sections: tuple[tuple[str, str], ...] = ()  # Hugo: (section, permalink)
    content_dir: str = "content"  # Hugo


NO_RULES = SiteRules()


def read_config(path: Path) -> dict[str, Any]:
    """A config file's mapping ({} when it is not one, a link, too large or unreadable: the
    site is untrusted, and a link could lead out of it)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
            return {}
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            from .frontmatter import YamlHandler

            data = YamlHandler().load(text)
    except Exception:  # any parser's error (YAML, TOML, JSON, a bomb the loader refused): no rules
        return {}
    return data if isinstance(data, dict) else {}


def site_rules(src: Path) -> SiteRules:
    """The rules of the generator whose config is at the site's top, if any. The one public
    entry of this module."""
    if (src / "_config.yml").is_file() and (src / "source").is_dir() and not (src / "_posts").is_dir():
        config = read_config(src / "_config.yml")
        return SiteRules("hexo", permalink=str(config.get("permalink") or HEXO_DEFAULT))
    if (src / "_config.yml").is_file() and any((src / d).is_dir() for d in ("_posts", "_layouts", "_includes")):
        return jekyll_rules(src, read_config(src / "_config.yml"))
    if (src / "_posts").is_dir() and any((src / d).is_dir() for d in ("_layouts", "_includes")):
        return jekyll_rules(src, {})  # a Jekyll site whose config is given elsewhere: the defaults
    for name in ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.json"):
        if (src / name).is_file():
            return hugo_rules(read_config(src / name))
    return NO_RULES


def jekyll_rules(src: Path, config: dict[str, Any]) -> SiteRules:
    """Jekyll's permalink, output collections and the files that are never posts: top folders
    starting with `_` (templates, data, collections not output), `exclude`, any file or
    folder below whose name starts with `_`, and files in `_posts` not named `YYYY-MM-DD-title`."""
    style = str(config.get("permalink") or "date")
    permalink = JEKYLL_STYLES.get(style, style)
    raw = config.get("collections") or {}
    collections = raw if isinstance(raw, dict) else {str(name): {} for name in raw if isinstance(raw, list)}
    default = "/:collection/:path/" if permalink.endswith("/") else "/:collection/:path:output_ext"
    output = tuple(
        (str(name), str((spec or {}).get("permalink") or default))
        for name, spec in sorted(collections.items())
        if isinstance(spec, dict) and spec.get("output")
    )
    kept = {"_posts", "_drafts", *(f"_{name}" for name, _ in output)}
    underscored = sorted(p.name for p in src.iterdir() if p.is_dir() and p.name.startswith("_") and p.name not in kept)
    excluded = [str(e).strip("/") for e in config.get("exclude") or [] if isinstance(e, str)]
    skipped = (*(f"{d}/*" for d in underscored), *excluded, *(f"{e}/*" for e in excluded))
    never = r"/_(?!posts/|drafts/)|(?:^|/)_posts/(?:.*/)?(?!\d+-\d+-\d+-)[^/]+$"
    return SiteRules("jekyll", permalink=permalink, collections=output, skipped=skipped, never=never)


def hugo_rules(config: dict[str, Any]) -> SiteRules:
    """Hugo's permalinks per section (both `[permalinks]` forms) and content folder."""
    raw = config.get("permalinks") or {}
    if isinstance(raw.get("page"), dict):
        raw = raw["page"]
    sections = tuple(sorted((str(k), str(v)) for k, v in raw.items() if isinstance(v, str)))
    return SiteRules("hugo", sections=sections, content_dir=str(config.get("contentDir") or "content"))


def expand(template: str, values: dict[str, str], escape: bool = False) -> str:
    """A `:name` template filled in (longest names first, so :i_month is not :i + month), with
    repeated slashes collapsed and a leading slash. `escape`: each value percent-encoded, as
    Jekyll writes its URLs (`%`, `#`, spaces and non-ASCII; `+`, `(`, `@`... kept)."""
    names = sorted(values, key=len, reverse=True)
    pattern = re.compile(":(" + "|".join(re.escape(n) for n in names) + ")")
    fill = (lambda v: quote(v, safe="/-._~!$&'()*+,;=:@")) if escape else (lambda v: v)
    url = pattern.sub(lambda m: fill(values[m[1]]), template)
    return "/" + re.sub(r"/{2,}", "/", url).lstrip("/")


def date_values(date: str | None) -> dict[str, str]:
    """The date placeholders every generator knows."""
    if not date or not re.match(r"\d{4}-\d{2}-\d{2}", date):
        return dict.fromkeys(("year", "month", "day", "i_month", "i_day", "short_year", "y_day"), "")
    day = dt.date(int(date[:4]), int(date[5:7]), int(date[8:10]))
    return {
        "year": f"{day.year:04d}",
        "month": f"{day.month:02d}",
        "day": f"{day.day:02d}",
        "i_month": str(day.month),
        "i_day": str(day.day),
        "short_year": f"{day.year % 100:02d}",
        "y_day": f"{day.timetuple().tm_yday:03d}",
    }


def as_categories(meta: dict[str, Any], rel: str) -> list[str]:
    """Jekyll's categories, as its URLs spell them: the folders above `_posts`, then the front
    matter's (a word list, a list, or a number), lower-cased, each once."""
    parts = PurePosixPath(rel).parts
    found = list(parts[: parts.index("_posts")]) if "_posts" in parts else []
    for key in ("categories", "category"):
        value = meta.get(key)
        if isinstance(value, str):
            found += value.split()
        elif isinstance(value, list):
            found += [str(v) for v in value if v is not None]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append(str(value))
    return list(dict.fromkeys(c.lower() for c in found))


def slugify(text: str, pretty: bool = False) -> str:
    """Jekyll's slugify: runs of characters other than letters, digits (and, `pretty`, the
    URL-safe `._~!$&'()+,;=@`) become `-`, trimmed; lower case unless `pretty` (`:title`)."""
    keep = r"._~!$&'()+,;=@" if pretty else ""
    slug = re.sub(r"(?:[^\w" + re.escape(keep) + r"]|_)+", "-", text).strip("-")
    return slug if pretty else slug.lower()


def rule_url(rules: SiteRules, meta: dict[str, Any], rel: str, date: str | None, slug: str) -> str | None:
    """The URL the generator gives this file by its rules, or None to use the conventions."""
    stem = PurePosixPath(rel)
    values = {**date_values(date), "title": slug, "slug": slug, "name": slug, "output_ext": ".html"}
    values["path"] = str(stem.with_suffix("")) if stem.name not in ("index.md", "index.html") else str(stem.parent)
    values["basename"] = stem.stem
    values["categories"] = "/".join(as_categories(meta, rel))
    explicit = meta.get("permalink")
    if isinstance(explicit, str) and ":" in explicit:  # placeholders (an absolute URL never gets here)
        values["collection"] = stem.parts[0].lstrip("_")
        jekyll = rules.generator == "jekyll"
        return expand(explicit, jekyll_values(values) if jekyll else values, escape=jekyll)
    if rules.generator == "jekyll":
        return jekyll_url(rules, rel, values)
    if rules.generator == "hexo" and "_posts" in stem.parts:
        return expand(rules.permalink, {**values, "title": slug})
    if rules.generator == "hugo":
        title = str(meta.get("title") or slug)
        return hugo_url(rules, rel, {**values, "slug": str(meta.get("slug") or urlized(title))})
    return None


def urlized(title: str) -> str:
    """Hugo's urlize of a title, for `:slug` without a `slug`: lower case, spaces as `-`."""
    return re.sub(r"\s+", "-", title.strip().lower())


def jekyll_url(rules: SiteRules, rel: str, values: dict[str, str]) -> str | None:
    """A post by the site's permalink, a collection document by its collection's, a page at
    its path (pretty permalinks: as a folder); the values percent-encoded, as Jekyll does."""
    parts = PurePosixPath(rel).parts
    values = jekyll_values(values)
    if "_posts" in parts:
        return expand(rules.permalink, values, escape=True)
    for name, permalink in rules.collections:
        if parts[0] == f"_{name}":
            inner = str(PurePosixPath(*parts[1:]).with_suffix("")).rstrip(".")  # as Jekyll cleans it
            return expand(permalink, {**values, "collection": name, "path": inner}, escape=True)
    if PurePosixPath(rel).name.startswith("index."):
        return expand("/:path/", values, escape=True) if values["path"] != "." else "/"
    return expand("/:path/" if rules.permalink.endswith("/") else "/:path:output_ext", values, escape=True)


def jekyll_values(values: dict[str, str]) -> dict[str, str]:
    """The placeholders as Jekyll fills them: `:title` keeps case and URL-safe punctuation,
    `:slug` and `:name` are lower case."""
    title = values["title"].rstrip(".")  # Jekyll drops a file name's trailing dots
    slug, name = slugify(values["slug"].rstrip(".")), slugify(values["name"])
    return {**values, "title": slugify(title, pretty=True), "slug": slug, "name": name}


def literal_url(rules: SiteRules, url: str) -> str:
    """A permalink without placeholders as the generator cleans it (Jekyll: `..` and `./`
    gone, repeated slashes collapsed)."""
    if rules.generator != "jekyll":
        return url
    return re.sub(r"/{2,}", "/", url.replace("..", "/").replace("./", ""))


def hugo_url(rules: SiteRules, rel: str, values: dict[str, str]) -> str | None:
    """A page of a section with a permalink rule; None (the conventions) otherwise."""
    parts = PurePosixPath(rel).parts
    if rules.content_dir not in parts:
        return None
    inner = parts[parts.index(rules.content_dir) + 1 :]
    if len(inner) < 2:
        return None
    for section, template in rules.sections:
        if inner[0] == section:
            return expand(template, {**values, "section": section, "filename": PurePosixPath(rel).stem})
    return None
