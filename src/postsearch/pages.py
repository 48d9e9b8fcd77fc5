"""Building from pages a generator already holds in memory, not from a folder.

A site generator's plugin (MkDocs, Pelican, Sphinx, or your own script) knows each page's URL,
title, date and tags, and its content as Markdown, HTML or plain text. `build_pages` indexes
them the way `build` indexes a folder (same analysis, same files, same bytes for the same
posts), so the plugin never writes posts to disk for postsearch to read back:

    from postsearch import Page, build_pages
    report = build_pages(
        [Page(url="/guide/", title="使い方", markdown="# 使い方\\n\\n最初に設定を変更する。", tags=["入門"])],
        "site/search",
    )

A page's `path` (default: its URL) names it in the build summary and in search hits, and
orders the posts: the same pages in any order give the same bytes.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .dates import normalize_date
from .index import IndexBuilder, PostRecord, shared_urls
from .pipeline import BuildReport, LazyPool, analyze_all
from .posts import Draft, Failure, Post, as_weight, clean_control_chars, site_path


@dataclass(frozen=True)
class Page:
    """One page to index. Give exactly one of `markdown`, `html` or `text`."""

    url: str
    title: str
    markdown: str | None = None
    html: str | None = None
    text: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD or a full timestamp)
    tags: list[str] = field(default_factory=list)
    path: str | None = None  # how the page is named in reports and hits (default: url)
    draft: bool = False  # never indexed (counted as a draft)
    weight: float = 1.0  # its scores are multiplied by this (0.1 to 10)


def post_of(page: Page) -> Post | Draft | Failure:
    """The page as a post, or why it cannot be one. Plain text becomes escaped paragraphs."""
    path = page.path or page.url
    given = [k for k in ("markdown", "html", "text") if getattr(page, k) is not None]
    if len(given) != 1:
        return Failure(path, f"give exactly one of markdown, html or text (got {', '.join(given) or 'none'})")
    if page.draft:
        return Draft(path, "draft")
    if given[0] == "text":
        paragraphs = (p.strip() for p in (page.text or "").split("\n\n"))
        body, markup = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p), "html"
    else:
        body, markup = getattr(page, given[0]) or "", "markdown" if given[0] == "markdown" else "html"
    return Post(
        path=path,
        url=site_path(page.url),
        title=clean_control_chars(page.title),
        date=normalize_date(page.date),
        tags=[str(t) for t in page.tags],
        body=clean_control_chars(body),
        markup=markup,
        weight=as_weight(page.weight),
    )


def build_pages(
    pages: Iterable[Page], out: str | Path, *, anchors: str = "github", jobs: int | None = None
) -> BuildReport:
    """Index these pages into the folder `out` (replaced only if it is an index, as by
    `build`). A page that cannot be read or analyzed is a failure in the report, never fatal."""
    from .format import encode_rows, write_index

    items = sorted((post_of(p) for p in pages), key=lambda item: item.path)
    posts = [item for item in items if isinstance(item, Post)]
    report = BuildReport(
        drafts=[i for i in items if isinstance(i, Draft)], failures=[i for i in items if isinstance(i, Failure)]
    )
    builder = IndexBuilder()
    pool = LazyPool(jobs or os.cpu_count() or 1, anchors)
    try:
        for post, record in zip(posts, analyze_all(posts, anchors, pool.get(len(posts))), strict=True):
            if isinstance(record, PostRecord):
                builder.add(record)
                report.posts += 1
                report.warnings.extend((post.path, w) for w in post.warnings)
            else:
                report.failures.append(record)
    finally:
        pool.close()
    rows = encode_rows(builder)
    report.warnings += shared_urls(rows.posts)
    report.written = write_index(rows, Path(out))
    return report


def site_base(url: str | None) -> str:
    """The path a site is served at, from its configured URL (`/` when it has none), ending
    in `/`: what the plugins put before page URLs and the index folder."""
    path = urlsplit(url or "").path or "/"
    return path if path.endswith("/") else path + "/"


_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def add_box(page_html: str, folder: str, searching: bool = False, modal: bool = False) -> str:
    """A page a generator wrote, with postsearch's box: its stylesheet and module in <head>,
    the box atop <body> (`folder`: the index's URL, HTML-escaped). On a search page
    (`searching`) the box answers the page's `?q=`, what a theme's search form sends; on
    other pages, `modal` makes it a button that opens the box (and ⌘K, Ctrl+K, /)."""
    if "<post-search" in page_html:
        return page_html
    link = f'<link rel="stylesheet" href="{folder}ui.css">\n<script type="module" src="{folder}ui.js"></script>\n'
    page_html = page_html.replace("</head>", link + "</head>", 1)
    return _BODY.sub(lambda m: f"{m[0]}\n{box_element(folder, searching, modal)}", page_html, count=1)


def box_element(folder: str, searching: bool = False, modal: bool = False, placeholder: str = "") -> str:
    """The `<post-search>` element the plugins put on a page (attribute values HTML-escaped)."""
    attrs = f' index-url="{folder}"'
    attrs += ' query-param="q"' if searching else ' mode="modal"' if modal else ""
    attrs += f' placeholder="{placeholder}"' if placeholder else ""
    return f"<post-search{attrs}></post-search>"
