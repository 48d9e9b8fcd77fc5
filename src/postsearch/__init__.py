"""postsearch: Japanese full-text search for static sites.

    import postsearch
    postsearch.build("site", "public/search")
    hits = postsearch.open_index("public/search").search("新幹線 京都", limit=10).hits

Build time uses SudachiPy; querying reads only the JSON files the build wrote.
"""

from .query import Hit, Index, SearchResult, open_index

__all__ = ["Hit", "Index", "SearchResult", "build", "open_index"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`build` is imported on first use, so querying never loads SudachiPy."""
    if name == "build":
        from .pipeline import build

        return build
    raise AttributeError(name)
