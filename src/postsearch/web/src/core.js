// core.js: what the build and the query side share (mirrors src/postsearch/core.py): the
// format's constants, folding, the kana/kanji ranges, n-grams, shard keys and delta coding.
// tests/test_parity.py checks that these constants equal Python's. The build's own helpers
// (GRAM_CLASS, post_grams, deltas) have no JavaScript twin: no reader needs them.

import { compare, nfkc, lowerPerCodePoint } from './compat.js';

export const FORMAT = 'postsearch-index';
export const VERSION = 5;
export const FIELDS = ['title', 'tags', 'headings', 'body', 'code'];
export const WEIGHTS = [20.0, 3.0, 2.0, 1.0, 1.0]; // BM25F field weights, in FIELDS order
export const K1 = 1.2;
export const B = 0.75;
// Kana and kanji, by code point range, so both languages agree: what n-grams cover.
export const GRAM_RANGES = [
  [0x3005, 0x3005],
  [0x3040, 0x30ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
];

/** NFKC, then lower case one code point at a time (a code point whose lower case is
 * longer stays as it is), so Python and JavaScript agree and lengths never change. Both
 * steps go through compat.js: the engine's Unicode may be newer than Python's. */
export function fold(text) {
  return lowerPerCodePoint(nfkc(text));
}

/** A kana or kanji character (GRAM_RANGES). */
export function isGramChar(c) {
  const cp = c.codePointAt(0);
  return GRAM_RANGES.some(([a, b]) => a <= cp && cp <= b);
}

/** The distinct kana/kanji n-grams a post must have to contain `text`, sorted: a run of
 * two characters is itself, a longer run gives its trigrams (a post has every bigram and
 * trigram of its kana/kanji runs). Trigrams are what make a phrase typed without quotes
 * find the posts that have it, rather than posts with its bigrams scattered about. */
export function gramsOf(text) {
  const found = new Set();
  let run = [];
  for (const c of [...text, ' ']) {
    if (isGramChar(c)) {
      run.push(c);
      continue;
    }
    if (run.length === 2) found.add(run.join(''));
    for (let i = 0; i + 2 < run.length; i++) found.add(run[i] + run[i + 1] + run[i + 2]);
    run = [];
  }
  return [...found].sort(compare);
}

/** The n-gram shard of a gram: a polynomial hash of its code points (exact in doubles,
 * since it stays below `shards` × 31 + 0x10FFFF). */
export function gramShard(gram, shards) {
  let h = 0;
  for (const c of gram) h = (h * 31 + c.codePointAt(0)) % shards;
  return h;
}

/** The lexicon shard that holds surfaces starting with this string's first character. */
export function shardOf(surface, shards) {
  return surface.codePointAt(0) % shards;
}

// compare: code point order, defined in compat.js (it is what JavaScript gets wrong).
export { compare };

/** The shard whose key range holds `key` (given each shard's first key, sorted): the last
 * one whose first key is not after it. */
export function rangeShard(key, firsts) {
  let lo = 0;
  let hi = firsts.length - 1;
  while (lo < hi) {
    // an empty list gives 0; callers check for it
    const mid = Math.floor((lo + hi + 1) / 2);
    if (compare(firsts[mid], key) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The ids that differences give (how the format stores id lists: the first from 0). */
export function undeltas(values) {
  let previous = 0;
  return values.map((delta) => (previous += delta));
}
