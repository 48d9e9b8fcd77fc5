"""The query side: answer queries from the files the build wrote, exactly as the browser does.

It never imports SudachiPy, nor anything of the build; the file format is docs/format.md.
One module per step, each mirrored function by function, in the same order, by a JavaScript
module of `web/src/` (change one, change the other: the Node and Chromium parity tests hold
them together):

- `decode`: the files' rows into lexicon and term entries (`decode.js`);
- `parse`: the query into clauses, and clauses into pieces cut against the lexicon (`parse.js`);
- `match`: the posts a piece and a clause match (`match.js`);
- `rank`: BM25F scores and the order of the hits (`rank.js`);
- `excerpt`: what a hit shows (`excerpt.js`);
- `shards`: the files of one build, read on demand, and what a rebuild does (`shards.js`);
- `index`: `Index.search`, the one entry, and `open_index` (`index.js`).

What both sides share with the build (format constants, fold, n-grams, shard keys) is
`postsearch.core` (`core.js`); `compat.js` makes JavaScript behave like Python.
"""

from .index import MAX_QUERY_CHARS, Hit, Index, SearchResult, open_index
from .shards import CorruptIndex, IndexChanged

__all__ = ["MAX_QUERY_CHARS", "CorruptIndex", "Hit", "Index", "IndexChanged", "SearchResult", "open_index"]
