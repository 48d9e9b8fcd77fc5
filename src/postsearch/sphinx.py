"""Sphinx extension: `extensions = ["postsearch.sphinx"]` in conf.py.

When an HTML build finishes (`build-finished`), the pages the builder wrote are indexed as a
built site (builtpages.py: each page's `role="main"` content, its docutils section ids as
anchors, its `<title>`), never Sphinx's generated pages (`genindex`, `search`, `py-modindex`)
or `_static`/`_sources`, into `OUTDIR/_postsearch/`. The built output, not the pages rendered
in this run, so an incremental build that rewrites a few pages still indexes all of them.
Every HTML page gets postsearch's box at the top of its `<body>` (ui.js and ui.css linked
from the index folder), whatever the theme; on the search page the box answers `?q=`, so the
theme's sidebar search box (a form sent to search.html) gets postsearch's answers there, above
Sphinx's own.

Settings: `postsearch_folder` (default "_postsearch"), `postsearch_box` (default True;
"modal": a button that opens the box, and ⌘K, Ctrl+K or /; the search page keeps the box).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .pages import add_box, site_base


def base(app: Any) -> str:
    """The site's path on its host (`/` unless html_baseurl has one), ending in `/`."""
    return site_base(app.config.html_baseurl)


GENERATED = ("genindex.html", "search.html", "py-modindex.html", "_static/*", "_sources/*", "_images/*")


def finish(app: Any, exception: Exception | None) -> None:
    """Index the pages written and put the box on each."""
    if exception is not None or app.builder.format != "html":
        return
    from .builtpages import built_site
    from .pipeline import build
    from .posts import SiteOptions

    out = Path(app.outdir)
    name = app.config.postsearch_folder
    options = built_site(SiteOptions(exclude=GENERATED), base_url=base(app), title_from="h1")
    build(out, out / name, options=options, cache=False)
    if not app.config.postsearch_box:
        return
    folder = html.escape(base(app) + name + "/")
    modal = app.config.postsearch_box == "modal"
    for path in sorted(out.rglob("*.html")):
        if not path.is_relative_to(out / name):
            searching = path.relative_to(out).as_posix() in ("search.html", "search/index.html")
            path.write_text(add_box(path.read_text(encoding="utf-8"), folder, searching, modal), encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    """Sphinx's entry: settings and events."""
    app.add_config_value("postsearch_folder", "_postsearch", "html")
    app.add_config_value("postsearch_box", True, "html", types=(bool, str))  # True, False or "modal"
    app.connect("build-finished", finish)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": False}
