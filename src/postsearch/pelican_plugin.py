"""Pelican plugin: found by Pelican by itself (the namespace plugin `pelican.plugins.postsearch`,
src/pelican/plugins/postsearch, installed with postsearch) when PLUGINS is not set; or
`PLUGINS = ["postsearch"]` / `["postsearch.pelican_plugin"]` in pelicanconf.py.

When every generator is done (`all_generators_finalized`), the published articles and pages
(Pelican's own objects: URL, title, date, tags and category, and the HTML their Markdown or
reST became) are kept; when the site is written (`finalized`), they are indexed with
`build_pages` into `OUTPUT_PATH/postsearch/` and every HTML page Pelican wrote gets
postsearch's box at the top of its `<body>` (ui.js and ui.css linked from the index folder),
whatever the theme. Drafts and hidden pages are never indexed.

Settings: `POSTSEARCH_FOLDER` (default "postsearch"), `POSTSEARCH_BOX` (default True;
"modal": a button that opens the box, and ⌘K, Ctrl+K or /).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from pelican import signals

from .pages import Page, add_box, build_pages, site_base

_pages: list[Page] = []


def base(settings: dict[str, Any]) -> str:
    """The site's path on its host (`/` unless SITEURL has one), ending in `/`."""
    return site_base(settings.get("SITEURL"))


def as_page(item: Any, settings: dict[str, Any]) -> Page:
    """A Pelican article or page as a postsearch Page."""
    tags = [t.name for t in getattr(item, "tags", None) or []]
    category = getattr(item, "category", None)
    if category is not None and getattr(item, "tags", None) is not None:
        tags.append(category.name)
    date = getattr(item, "date", None)
    return Page(
        url=base(settings) + item.url,
        title=html.unescape(re.sub(r"<[^>]+>", "", item.title)),
        html=item.content,
        date=date.isoformat() if date else None,
        tags=tags,
        path=item.relative_source_path,
    )


def collect(generators: list[Any]) -> None:
    """Keep the published articles and pages (not drafts, not hidden pages)."""
    _pages.clear()
    for generator in generators:
        settings = generator.settings
        for item in [*getattr(generator, "articles", []), *getattr(generator, "pages", [])]:
            _pages.append(as_page(item, settings))


def write(pelican: Any) -> None:
    """Index the kept pages and put the box on every HTML page written."""
    settings = pelican.settings
    name = settings.get("POSTSEARCH_FOLDER", "postsearch")
    output = Path(settings["OUTPUT_PATH"])
    build_pages(_pages, output / name, anchors="none")  # the pages' own heading ids, never invented ones
    if not settings.get("POSTSEARCH_BOX", True):
        return
    folder = html.escape(base(settings) + name + "/")
    for path in sorted(output.rglob("*.html")):
        if path.is_relative_to(output / name):
            continue
        text = path.read_text(encoding="utf-8")
        path.write_text(add_box(text, folder, modal=settings.get("POSTSEARCH_BOX") == "modal"), encoding="utf-8")


def register() -> None:
    """Pelican's entry: connect to its signals."""
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
