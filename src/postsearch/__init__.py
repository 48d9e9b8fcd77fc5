"""postsearch: Japanese full-text search for static sites.

    import postsearch
    postsearch.build("site", "public/search")
    hits = postsearch.open_index("public/search").search("新幹線 京都", limit=10).hits

A generator's plugin can index the pages it holds instead: `postsearch.build_pages([Page(...)], out)`.

Build time uses SudachiPy; querying reads only the JSON files the build wrote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pages import Page, build_pages
    from .pipeline import build
    from .query import Hit, Index, SearchResult, open_index

__all__ = ["Hit", "Index", "Page", "SearchResult", "build", "build_pages", "open_index"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Each side is imported on first use: querying never loads SudachiPy, and a build
    never loads the query side (its start is what a build waits for on one core)."""
    if name in ("Hit", "Index", "SearchResult", "open_index"):
        from . import query

        return getattr(query, name)
    if name == "build":
        from .pipeline import build

        return build
    if name in ("Page", "build_pages"):
        from . import pages

        return getattr(pages, name)
    raise AttributeError(name)
