"""Posts from a generator's built HTML (`postsearch index public/ --html`): any generator.

A built page is read as a browser shows it, with selectolax (lexbor, a compiled HTML5
parser), then cut down to its content: the element marked `data-postsearch-body` or
`data-pagefind-body` (several are joined), else `<main>`, else the `role="main"` landmark
(Sphinx's themes), else `<article>`, else `<body>`;
inside it, navigation and page furniture (`nav`, `header`, `footer`, `aside`, `script`,
`style`, `template`, `noscript`, `svg`, `form`, `role="navigation"`, permalink marks, Sphinx's
toctree) and anything marked `data-postsearch-ignore` /
`data-pagefind-ignore` are dropped. What is left becomes an HTML post, so headings with an
`id` (or whose section has one, as docutils writes them) give the section anchors.

Pagefind's attributes are read so a Pagefind site switches by changing one command:
`data-pagefind-body` (when any page has one, pages without it are skipped, as Pagefind does),
`-ignore`, `-meta` (`title`, `date`), `-filter` (tag, tags, category, categories → tags),
`-sort` (`date`), `-index-attrs`. Each has a `data-postsearch-*` twin. Per-element
`data-pagefind-weight` is not used; on the content's element (or as a
`<meta name="postsearch:weight">`) it weighs the whole page.

Metadata: the title from `data-*-meta="title"`, else the first `<h1>` of the content, else
`<title>` (`title_from="title"` prefers `<title>`); the date from `data-*-sort`/`-meta` date,
`article:published_time`, JSON-LD `datePublished`, or the content's first `<time datetime>`;
tags from `data-*-filter`, `article:tag` and JSON-LD `keywords`. A page opts out with
`data-postsearch-ignore`/`data-pagefind-ignore` on `<html>` or `<body>`, or a robots
`noindex` meta. With `lang`, pages whose `<html lang>` is another language are skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import normalize_date
from .posts import DEFAULT_INCLUDE, Draft, Post, SiteOptions, as_weight
from .sitefiles import read_source

BODY = "[data-postsearch-body], [data-pagefind-body]"
IGNORE = "[data-postsearch-ignore], [data-pagefind-ignore]"
FURNITURE = (
    "nav, header, footer, aside, script, style, template, noscript, svg, form, [role=navigation],"
    " .headerlink, .toctree-wrapper"  # permalink marks (Sphinx, MkDocs), Sphinx's table of contents
)
HEADINGS = "h1, h2, h3, h4, h5, h6"
TAG_FILTERS = ("tag", "tags", "category", "categories")
BODY_MARKERS = (b"data-postsearch-body", b"data-pagefind-body")


BUILT_INCLUDE = ("*.html", "*.htm")
BUILT_EXCLUDE_DIRS = ("node_modules",)


def built_site(options: SiteOptions, **changes: Any) -> SiteOptions:
    """Options for reading a built site: its HTML pages, every folder but node_modules."""
    include = options.include if options.include != DEFAULT_INCLUDE else BUILT_INCLUDE
    return SiteOptions(
        **{**options.__dict__, "built": True, "include": include, "exclude_dirs": BUILT_EXCLUDE_DIRS, **changes}
    )


def any_marks_body(src: Path, files: list[Path], follow: bool) -> bool:
    """Whether some page marks its content (then pages without a mark are skipped). Read as
    read_post reads them (sitefiles.read_source: regular files inside the site, bounded)."""
    for path in files:
        data = read_source(path, path.relative_to(src).as_posix(), follow)
        if isinstance(data, bytes) and any(marker in data for marker in BODY_MARKERS):
            return True
    return False


def page_post(rel: str, html: str, options: SiteOptions) -> Post | Draft:
    """A built page as a post, or why it is skipped. The one public entry of this module."""
    tree = LexborHTMLParser(html)
    root = tree.css_first("html")
    lang = (root.attributes.get("lang") or "") if root is not None else ""
    if options.lang and not language_matches(lang, options.lang):
        return Draft(rel, f"lang {lang or 'not set'} (only {options.lang} is indexed)")
    reason = opt_out(tree)
    if reason:
        return Draft(rel, reason)
    bodies = tree.css(BODY)
    if options.require_body and not bodies:
        return Draft(rel, "no data-pagefind-body (other pages mark their content)")
    content = bodies or [first_of(tree, "main", "[role=main]", "article", "body")]
    for mark in tree.css(".headerlink"):  # not part of a title
        mark.decompose()
    marks = page_marks(tree)
    title = marks.get("title") or page_title(tree, content, options.title_from) or Path(rel).stem
    date = normalize_date(marks.get("date") or page_date(tree, content))
    tags = list(dict.fromkeys([*marks.get("tags", []), *page_tags(tree)]))
    return Post(
        path=rel,
        url=page_url(rel, options.base_url),
        title=" ".join(title.split()),
        date=date,
        tags=tags,
        body="\n".join(content_html(node) for node in content if node is not None),
        markup="html",
        weight=page_weight(tree, content),
    )


def page_weight(tree: LexborHTMLParser, content: list[LexborNode | None]) -> float:
    """`data-postsearch-weight` / `data-pagefind-weight` on the content's element, or a
    `<meta name="postsearch:weight">`: the page's scores are multiplied by it (0.1 to 10)."""
    for node in content:
        for name in ("data-postsearch-weight", "data-pagefind-weight"):
            if node is not None and node.attributes.get(name):
                return as_weight(node.attributes.get(name))
    meta = tree.css_first('meta[name="postsearch:weight"]')
    return as_weight(meta.attributes.get("content")) if meta is not None else 1.0


def language_matches(lang: str, wanted: str) -> bool:
    """`ja-JP` is `ja`; a page without `lang` is taken for the wanted language."""
    return not lang or lang.lower().split("-")[0] == wanted.lower().split("-")[0]


def opt_out(tree: LexborHTMLParser) -> str | None:
    """Why a page asks not to be indexed, if it does."""
    for node in (tree.css_first("html"), tree.body):
        if node is not None and any(k in node.attributes for k in ("data-postsearch-ignore", "data-pagefind-ignore")):
            return f"<{node.tag}> has data-*-ignore"
    for meta in tree.css('meta[name="robots"], meta[name="postsearch"]'):
        if "noindex" in (meta.attributes.get("content") or "").lower():
            return "robots noindex"
    return None


def first_of(tree: LexborHTMLParser, *selectors: str) -> LexborNode | None:
    """The first element matching the first selector that matches any."""
    for selector in selectors:
        node = tree.css_first(selector)
        if node is not None:
            return node
    return None


def mark_value(node: LexborNode, spec: str) -> tuple[str, str]:
    """A Pagefind mark `key`, `key:value` or `key[attr]`: its key and value (the element's
    text when no value is given)."""
    spec = spec.strip()
    found = re.fullmatch(r"([^:\[\]]+)\[([^\]]+)\]", spec)
    if found:
        return found[1].strip(), (node.attributes.get(found[2].strip()) or "").strip()
    key, sep, value = spec.partition(":")
    return key.strip(), (value.strip() if sep else node.text(separator=" ").strip())


def page_marks(tree: LexborHTMLParser) -> dict[str, Any]:
    """Title, date and tags the page marks with data-*-meta, -filter and -sort."""
    marks: dict[str, Any] = {"tags": []}
    for kind in ("meta", "sort", "filter"):
        for prefix in ("pagefind", "postsearch"):
            for node in tree.css(f"[data-{prefix}-{kind}]"):
                for spec in (node.attributes.get(f"data-{prefix}-{kind}") or "").split(","):
                    key, value = mark_value(node, spec)
                    key = key.lower()
                    if kind == "filter" and key in TAG_FILTERS and value:
                        marks["tags"].append(value)
                    elif kind != "filter" and key in ("title", "date") and value:
                        marks.setdefault(key, value)
    return marks


def page_title(tree: LexborHTMLParser, content: list[LexborNode | None], title_from: str) -> str:
    """The first `<h1>` of the content, else `<title>` (the other way round with "title")."""
    heading = next((n.css_first("h1") for n in content if n is not None and n.css_first("h1")), None)
    h1 = heading.text(separator=" ").strip() if heading is not None else ""
    node = tree.css_first("title")
    title = node.text().strip() if node is not None else ""
    return (title or h1) if title_from == "title" else (h1 or title)


def json_ld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """The JSON-LD objects of a page (a broken block is left out)."""
    found: list[dict[str, Any]] = []
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text())
        except (ValueError, RecursionError):  # broken, or nested past the parser's depth
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict):
                graph = item.get("@graph")
                found.extend([item, *(g for g in graph if isinstance(g, dict))] if isinstance(graph, list) else [item])
    return found


def page_date(tree: LexborHTMLParser, content: list[LexborNode | None]) -> str | None:
    """`article:published_time`, JSON-LD `datePublished`, or the first `<time datetime>`."""
    meta = tree.css_first('meta[property="article:published_time"]')
    if meta is not None and meta.attributes.get("content"):
        return meta.attributes.get("content")
    for item in json_ld(tree):
        if isinstance(item.get("datePublished"), str):
            return item["datePublished"]
    for node in content:
        time = node.css_first("time[datetime]") if node is not None else None
        if time is not None:
            return time.attributes.get("datetime")
    return None


def page_tags(tree: LexborHTMLParser) -> list[str]:
    """`article:tag` metas and JSON-LD `keywords` (a list or a comma-separated string)."""
    tags = [m.attributes.get("content") or "" for m in tree.css('meta[property="article:tag"]')]
    for item in json_ld(tree):
        keywords = item.get("keywords")
        if isinstance(keywords, str):
            tags.extend(keywords.split(","))
        elif isinstance(keywords, list):
            tags.extend(k for k in keywords if isinstance(k, str))
    return [t.strip() for t in tags if t.strip()]


def content_html(node: LexborNode) -> str:
    """The content's HTML without page furniture and ignored parts; attributes named by
    `data-*-index-attrs` become text beside their element."""
    for furniture in node.css(f"{FURNITURE}, {IGNORE}"):
        furniture.decompose()
    for heading in node.css(HEADINGS):
        anchor = section_id(heading)
        if anchor:
            heading.attrs["id"] = anchor
    for prefix in ("pagefind", "postsearch"):
        for marked in node.css(f"[data-{prefix}-index-attrs]"):
            names = (marked.attributes.get(f"data-{prefix}-index-attrs") or "").split(",")
            values = [marked.attributes.get(n.strip()) or "" for n in names if n.strip() != "alt"]
            text = " ".join(v for v in values if v)
            if text:
                marked.insert_after(f" {text} ")
    return node.html or ""


def section_id(heading: LexborNode) -> str | None:
    """The id a heading without one takes from the section it opens (docutils writes
    `<section id="x"><h2>`)."""
    parent = heading.parent
    if heading.attributes.get("id") or parent is None or parent.tag not in ("section", "div"):
        return None
    if parent.css_first(HEADINGS) != heading:
        return None
    return parent.attributes.get("id")


def page_url(rel: str, base_url: str) -> str:
    """`a/b/index.html` → `/a/b/`, `a/b.html` → `/a/b.html`, below `base_url`."""
    if "://" in base_url:
        base = base_url.rstrip("/") + "/"
    else:
        base = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return base + rel
