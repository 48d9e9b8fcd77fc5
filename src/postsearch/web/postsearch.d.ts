// Types of postsearch.js, the browser runtime `postsearch index` writes next to the index
// (generated from web/src/ by scripts/build_runtime.py). The public API: openIndex, Index,
// CorruptIndex and the shapes of results. The runtime also exports the query steps the tests
// use (segment, excerpt, ...); they are not typed here and may change.

/** Where openIndex reads the files from. */
export interface OpenIndexOptions {
  /** The fetch to read files with (default: the global one). */
  fetch?: (url: URL, init?: RequestInit) => Promise<Response>;
  /** Instead of fetching: a file's bytes by name (e.g. `manifest.json`), as in Node from disk. */
  load?: (name: string) => Promise<Uint8Array | ArrayBuffer>;
}

/** How a search matches, filters and sorts (the options of Python's `Index.search`). */
export interface SearchOptions {
  /** A clause's last word also matches the longer words it starts (default true). */
  prefix?: boolean;
  /** Posts with a clause's words side by side rank higher; words also match as spelled (default true). */
  adjacency?: boolean;
  /** When fewer posts than `limit` have every word, posts with some of them follow (default true). */
  partial?: boolean;
  /** Keep posts with all these tags (as `tag:x` in the query). */
  tags?: string[] | null;
  /** Keep posts dated on or after this day, `YYYY-MM-DD`. */
  since?: string | null;
  /** Keep posts dated on or before this day, `YYYY-MM-DD`. */
  until?: string | null;
  /** `'score'` (default) or `'date'`: newest first. */
  sort?: 'score' | 'date';
}

/** One search result. */
export interface Hit {
  url: string;
  title: string;
  /** ISO 8601 (`2024-12-05` or `2014-11-12T22:21:48-08:00`), or null. */
  date: string | null;
  tags: string[];
  score: number;
  /** HTML-escaped text around the matches, each match in `<mark>`. */
  excerpt: string;
  /** The post's source file, relative to the site folder. */
  path: string;
  /** The id of the heading whose section matched: link to `url#anchor`. */
  anchor: string | null;
  /** That heading's text. */
  section: string | null;
  /** For a partial match, the query's words this post lacks (as typed); empty otherwise. */
  missing: string[];
  /** Up to three sections with the most matches, in page order: link each to `url#anchor`. */
  sections: { anchor: string; title: string; excerpt: string }[];
}

/** Ranked hits, how many posts matched in all, and the bytes this index has read so far. */
export interface SearchResult {
  /** The query as read: its first MAX_QUERY_CHARS code points. */
  query: string;
  /** Posts that match: `complete` of them have every word, the rest some of them. */
  total: number;
  complete: number;
  hits: Hit[];
  bytesRead: number;
}

/** An index opened from its files; shards are read on demand and kept for later queries. */
export declare class Index {
  /** Ranked posts for a query: posts with every word first, then (too few of them) posts with
   * some; `"a phrase"` in sequence, `-word` excludes, `tag:name` filters. */
  search(query: string, limit?: number, options?: SearchOptions): Promise<SearchResult>;
  /** Every tag with its number of posts, most used first. */
  tags(): Promise<[tag: string, count: number][]>;
  /** The build folder answered from (the manifest's `build`). */
  readonly build: string;
  /** Bytes of index files read so far. */
  readonly bytesRead: number;
  readonly postCount: number;
}

/** A missing or damaged index file (named in the message). */
export declare class CorruptIndex extends Error {}

/** The files under an open Index were replaced by a rebuild while it read them (search and
 * tags answer again from the new build; this reaches callers only if that fails too). */
export declare class IndexChanged extends Error {}

/** Open an index folder given its URL (relative to the page in a browser). */
export declare function openIndex(baseUrl: string | URL, options?: OpenIndexOptions): Promise<Index>;

/** Code points of a query that are read; the rest is dropped. */
export declare const MAX_QUERY_CHARS: number;
/** The index format and version this runtime reads. */
export declare const FORMAT: 'postsearch-index';
export declare const VERSION: number;

/** NFKC, then lower case one code point at a time (as the index's terms are folded). */
export declare function fold(text: string): string;
