// parse.js: queries into clauses, and clauses into pieces cut against the index's own
// lexicon (mirrors query/parse.py, whose docstring tells the why). Strings are cut in code
// points (`Array.from`), never UTF-16 units, as Python's str is.

import { bisectLeft, compare, cpLength, pySplit, pyStrip, UNASSIGNED } from './compat.js';
import { fold, gramsOf, isGramChar } from './core.js';

export const PREFIX_SURFACES = 16; // longer surfaces a prefix may stand for (never every post)
export const UNCOVERED_COST = 32; // cost of a character no surface covers (a surface costs 1 to about 28)
export const MAX_GRAMS = 12; // n-grams a long run is checked by (spread over it): a pasted paragraph stays cheap
export const [UNCOVERED, KNOWN, PREFIX] = [0, 1, 2]; // how segment() reached a cut
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Letters and digits; everything else separates words in a query (Python: unicodedata
 * category L or N, of Unicode 14.0). */
export function isWordChar(c) {
  return LETTER_OR_DIGIT.test(c) && !UNASSIGNED.test(c);
}

/**
 * A piece of a segmented query clause: its surface, its terms (none: a stop), its position
 * in the query (in post position units), whether it is a fallback (not cut from the lexicon:
 * matched by n-grams or as a prefix), a fallback's n-grams (a post must have them all), the
 * terms of the longer surfaces it starts, the n-grams of its kana/kanji spelling (matched
 * as typed too) and, once clauseMatches asked, the posts that have it.
 * @typedef {{surface: string, terms: string[], qpos: number, fallback: boolean, grams: string[],
 *   prefixTerms: string[], spelled: string[], posts?: Set<number>}} Piece
 */

/** A Piece, as Python's dataclass makes it. */
function piece(surface, terms, qpos, fallback, grams, prefixTerms = []) {
  return { surface, terms, qpos, fallback, grams, prefixTerms, spelled: [] };
}

/**
 * A clause: `word`, all pieces must match; `phrase`, and in sequence; `not`, excludes posts;
 * `tag`, a filter. `grams`: the n-grams of its text (a post with all has it as typed).
 * @typedef {{kind: string, text: string, pieces: Piece[], grams: string[]}} Clause
 */

/** A Clause, as Python's dataclass makes it. */
function clause(kind, text) {
  return { kind, text, pieces: [], grams: [], words: [] }; // words: its lexicon pieces (match.js)
}

/** Folded query text to clauses: "quoted phrases", -excluded words, tag:/category:
 * filters, plain words. */
export function parseQuery(query) {
  const text = fold(query);
  const clauses = [];
  const parts = text.split('"');
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      const phrase = pyStrip(part);
      if (phrase) clauses.push(clause('phrase', phrase));
      return;
    }
    for (const word of pySplit(part)) {
      if (word.startsWith('-') && cpLength(word) > 1) {
        clauses.push(clause('not', word.slice(1)));
      } else if ((word.startsWith('tag:') || word.startsWith('category:')) && !word.endsWith(':')) {
        clauses.push(clause('tag', word.slice(word.indexOf(':') + 1)));
      } else if (word !== '-') {
        clauses.push(clause('word', word));
      }
    }
  });
  return clauses;
}

/** 1 for an ASCII letter (folded: lower case), 2 for an ASCII digit, 0 for anything else. */
export function asciiClass(c) {
  return c >= 'a' && c <= 'z' && c.length === 1 ? 1 : c >= '0' && c <= '9' && c.length === 1 ? 2 : 0;
}

/** A lexicon piece never starts or ends inside a run of Latin letters or of digits: `dock`
 * is a word (or the start of one), never `doc` + `k`; `910` is never `9` + `10`. */
export function canCut(chars, i) {
  if (i === 0 || i === chars.length) return true;
  const kind = asciiClass(chars[i]);
  return kind === 0 || kind !== asciiClass(chars[i - 1]);
}

/** The characters a piece of the text may start with (canCut): their lexicon shards are
 * all a query needs, one for `kubernetes`, not one per letter. */
export function pieceStarts(text) {
  const chars = Array.from(text);
  return chars.filter((c, i) => canCut(chars, i));
}

/** Surfaces (not stops) that start with `prefix` and are longer, most frequent first, capped.
 * They all stand in the lexicon shard of the prefix's first character. */
export function longerSurfaces(prefix, surfacesOf, lexicon) {
  const surfaces = surfacesOf(String.fromCodePoint(prefix.codePointAt(0)));
  const found = [];
  for (let i = bisectLeft(surfaces, prefix); i < surfaces.length && surfaces[i].startsWith(prefix); i++) {
    if (surfaces[i] !== prefix && lexicon.get(surfaces[i]).terms.length) found.push(surfaces[i]);
  }
  found.sort((a, b) => lexicon.get(a).cost - lexicon.get(b).cost || cpLength(a) - cpLength(b) || compare(a, b));
  return found.slice(0, PREFIX_SURFACES);
}

/** The terms of the surfaces `prefix` starts (search as you type: 機械学 → 機械学習). */
export function prefixTerms(prefix, surfacesOf, lexicon, exact) {
  const terms = new Set();
  for (const s of longerSurfaces(prefix, surfacesOf, lexicon)) for (const t of lexicon.get(s).terms) terms.add(t);
  for (const t of exact) terms.delete(t);
  return [...terms].sort(compare);
}

/** Cut text into lexicon surfaces at the least total cost (each surface's cost comes from
 * how often the posts had it: a unigram model); runs of characters no surface covers become
 * fallback pieces. Ties go to the earlier, longer surface. With `surfacesOf`, a tail of two
 * or more characters may also be the start of longer surfaces (typing), costing one more
 * than the most frequent of them, and the last piece matches the words it starts. */
export function segment(text, lexicon, longest, surfacesOf = null) {
  const chars = Array.from(text);
  const cuts = backtrack(lattice(text, chars, lexicon, longest, surfacesOf));
  const pieces = cutPieces(chars, cuts, lexicon, surfacesOf);
  if (surfacesOf !== null && pieces.length) {
    pieces[pieces.length - 1] = lastPieceAsPrefix(pieces[pieces.length - 1], lexicon, surfacesOf);
  }
  return pieces;
}

/** The cheapest way to reach each position, as `[start, kind]` of its last cut (`back`):
 * position by position, every lexicon surface starting there (longest first), the start of
 * longer surfaces (with `surfacesOf`), and one uncovered character. */
export function lattice(text, chars, lexicon, longest, surfacesOf) {
  const n = chars.length;
  const inf = n * UNCOVERED_COST + 1;
  const best = new Array(n + 1).fill(inf);
  const back = new Array(n + 1).fill([0, UNCOVERED]);
  best[0] = 0;
  for (let i = 0; i < n; i++) {
    if (best[i] === inf) continue;
    for (let length = canCut(chars, i) ? Math.min(longest, n - i) : 0; length > 0; length--) {
      const entry = canCut(chars, i + length) ? lexicon.get(chars.slice(i, i + length).join('')) : undefined;
      if (entry !== undefined) reach(best, back, i, i + length, entry.cost, KNOWN);
    }
    // a surface longer than the rest needs a rest shorter than `longest`: only the last
    // `longest` positions look, so a long word costs n x longest lookups, not n squared
    if (surfacesOf !== null && n - i >= 2 && n - i < longest && canCut(chars, i)) {
      const longer = longerSurfaces(chars.slice(i).join(''), surfacesOf, lexicon);
      if (longer.length) reach(best, back, i, n, lexicon.get(longer[0]).cost + 1, PREFIX);
    }
    reach(best, back, i, i + 1, UNCOVERED_COST, UNCOVERED);
  }
  return back;
}

/** Reach `end` from `start` at `cost` if that is cheaper than the way found so far (a
 * tie keeps the earlier way: the longer surface, tried first). */
export function reach(best, back, start, end, cost, kind) {
  if (best[start] + cost < best[end]) {
    best[end] = best[start] + cost;
    back[end] = [start, kind];
  }
}

/** The cuts `[start, end, kind]` of the cheapest way to the end, first to last; uncovered
 * characters side by side become one cut. */
export function backtrack(back) {
  const cuts = [];
  let end = back.length - 1;
  while (end > 0) {
    const [start, kind] = back[end];
    const last = cuts[cuts.length - 1];
    if (kind === UNCOVERED && last && last[2] === UNCOVERED && last[0] === end) {
      cuts[cuts.length - 1] = [start, last[1], UNCOVERED];
    } else {
      cuts.push([start, end, kind]);
    }
    end = start;
  }
  return cuts.reverse();
}

/** The pieces of the cuts, each at its query position: a lexicon surface spans its width,
 * a prefix and each fallback word one. */
export function cutPieces(chars, cuts, lexicon, surfacesOf) {
  const pieces = [];
  let qpos = 0;
  for (const [start, end, kind] of cuts) {
    const surface = chars.slice(start, end).join('');
    if (kind === KNOWN) {
      const entry = lexicon.get(surface);
      pieces.push(piece(surface, [...new Set(entry.terms)].sort(compare), qpos, false, []));
      qpos += entry.width;
    } else if (kind === PREFIX) {
      const exact = lexicon.has(surface) ? [...new Set(lexicon.get(surface).terms)].sort(compare) : [];
      pieces.push(piece(surface, exact, qpos, false, [], prefixTerms(surface, surfacesOf, lexicon, exact)));
      qpos += 1;
    } else {
      for (const p of fallbackPieces(surface, qpos)) {
        pieces.push(p);
        qpos += 1;
      }
    }
  }
  return pieces;
}

/** The last piece of a clause also matches the longer words it starts (下 → 下げる, as
 * typed or cut short); a single hiragana there need not match at all (な in ブランチがな). */
export function lastPieceAsPrefix(p, lexicon, surfacesOf) {
  if (isHiragana(p.surface)) return piece(p.surface, [], p.qpos, false, []);
  if (p.grams.length || p.fallback || p.prefixTerms.length || !p.terms.length) return p;
  return piece(p.surface, p.terms, p.qpos, false, [], prefixTerms(p.surface, surfacesOf, lexicon, p.terms));
}

/** One hiragana character: at the end of a query, the start of a word still being typed or
 * an inflection cut short, so it need not match. */
export function isHiragana(text) {
  const cp = text.codePointAt(0);
  return cpLength(text) === 1 && cp >= 0x3041 && cp <= 0x309f;
}

/** Runs of letters and digits, cut where kana/kanji meet other scripts; the characters
 * between words are dropped. */
export function splitWords(text) {
  const words = [];
  let current = '';
  let last = ''; // current's last character (Python's current[-1])
  for (const c of text) {
    if (isWordChar(c) && current && isGramChar(c) === isGramChar(last)) {
      current += c;
    } else {
      if (current) words.push(current);
      current = isWordChar(c) ? c : '';
    }
    last = c;
  }
  if (current) words.push(current);
  return words;
}

/** Pieces for text the lexicon does not cut: n-grams for kana/kanji runs of two or more,
 * a prefix of longer surfaces for anything else (their terms filled in later). */
export function fallbackPieces(text, qpos) {
  const pieces = [];
  for (const word of splitWords(text)) {
    const grams = cpLength(word) > 1 && isGramChar(word) ? sampled(gramsOf(word)) : [];
    pieces.push(piece(word, [], qpos + pieces.length, true, grams));
  }
  return pieces;
}

/** At most MAX_GRAMS of these n-grams, spread evenly over them (see parse.py). */
export function sampled(grams) {
  if (grams.length <= MAX_GRAMS) return grams;
  return Array.from({ length: MAX_GRAMS }, (_, i) => grams[Math.floor((i * grams.length) / MAX_GRAMS)]);
}

/** The n-grams of a lexicon piece written in kana/kanji only. Sudachi cuts a word by its
 * context (勝手に alone, 勝手 + に in a sentence), so a post with all of them matches the
 * piece even where its words were cut otherwise. */
export function spelled(p) {
  const chars = [...p.surface];
  return p.fallback || chars.length < 2 || !chars.every(isGramChar) ? [] : gramsOf(p.surface);
}
