// decode.js: the index files' rows into what queries walk (mirrors query/decode.py; the
// format is docs/format.md). Every lookup table is a Map, so terms such as `constructor` or
// `__proto__` are plain keys.

import { cpLength } from './compat.js';
import { undeltas } from './core.js';

/**
 * A surface form: how many positions it spans, what cutting it out of a query costs (rare
 * surfaces cost more), and the terms it stands for (none: a stop).
 * @typedef {{width: number, cost: number, terms: string[]}} LexiconEntry
 */

/**
 * A term's postings: post id -> term frequency per field (0 where absent), its document
 * frequency per field, the other surfaces it was seen as (to mark other spellings), once
 * read (phrases need them) post id -> positions per field (null where absent), and post id
 * -> termScore, once computed.
 * @typedef {{postings: Map<number, number[]>, df: number[], forms: string[],
 *   positions: Map<number, (number[] | null)[]> | null, scores: Map<number, number>}} TermEntry
 */

/** Add a lexicon shard's `[surface, width, cost, term...]` rows (`""` = same as surface).
 * Returns the longest surface in characters. */
export function decodeLexicon(data, into) {
  let longest = 0;
  for (const row of data) {
    const surface = row[0];
    const terms = row.slice(3).map((t) => (t === '' ? surface : t));
    into.set(surface, { width: row[1], cost: row[2], terms });
    longest = Math.max(longest, cpLength(surface));
  }
  return longest;
}

/** `[levels, column per field]` to the length of field f of post p at `[p * F + f]`. */
export function decodeLengths(data) {
  const [levels, ...columns] = data;
  const out = [];
  for (let p = 0; p < (columns.length ? columns[0].length : 0); p++) for (const c of columns) out.push(levels[c[p]]);
  return out;
}

/** Post ids from their deltas. */
export function decodeIds(values) {
  return new Set(undeltas(values));
}

/** Flat ints: per post `dPost, fieldMask`, then the tf of each field in the mask. */
export function decodePostings(ints, fields) {
  const postings = new Map();
  const df = new Array(fields).fill(0);
  let post = 0;
  let i = 0;
  while (i < ints.length) {
    post += ints[i];
    const mask = ints[i + 1];
    i += 2;
    const tfs = new Array(fields).fill(0);
    for (let f = 0; f < fields; f++) {
      if (mask & (1 << f)) {
        tfs[f] = ints[i];
        df[f] += 1;
        i += 1;
      }
    }
    postings.set(post, tfs);
  }
  return { postings, df, forms: [], positions: null, scores: new Map() };
}

/** Flat position deltas, in postings order (posts ascending, fields ascending, tf each). */
export function decodePositions(ints, entry) {
  const positions = new Map();
  let i = 0;
  for (const post of [...entry.postings.keys()].sort((a, b) => a - b)) {
    const perField = [];
    for (const tf of entry.postings.get(post)) {
      if (tf === 0) {
        perField.push(null);
        continue;
      }
      const found = [];
      let p = 0;
      for (let k = 0; k < tf; k++) {
        p += ints[i + k];
        found.push(p);
      }
      perField.push(found);
      i += tf;
    }
    positions.set(post, perField);
  }
  entry.positions = positions;
}
