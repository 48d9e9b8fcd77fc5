// postsearch.js: answers queries from the files `postsearch index` wrote exactly as
// src/postsearch/search.py does, mirroring it function by function (the parity tests hold
// them together). Format, and where JavaScript must differ from Python: docs/format.md.

export const FORMAT = 'postsearch-index';
export const VERSION = 5;
export const PREFIX_SURFACES = 16; // longer surfaces a prefix may stand for (never every post)
export const PREFIX_WEIGHT = 0.25; // a word matched by its start counts a quarter: finished words rank first
export const ADJACENCY = 1.0; // each clause whose pieces stand together in a post adds this to its score factor
export const EXCERPT_CHARS = 120;
export const UNCOVERED_COST = 32; // cost of a character no surface covers (a surface costs 1 to about 28)
export const [UNCOVERED, KNOWN, PREFIX] = [0, 1, 2]; // how segment() reached a cut
export const GRAM_FIELD = 3; // n-gram pieces score with the weight of this field (body)
export const MAX_QUERY_CHARS = 1000; // see search.py
export const UNICODE_VERSION = '14.0.0'; // Python 3.11's unicodedata.unidata_version

// Code points unassigned (category Cn) in Unicode 14.0, as `gap.length` ranges in base 36
// (printed by `python tests/parity.py`). Python treats them as inert: NFKC and lower case
// leave them alone and they are not letters; newer engines may know them, so we skip them.
const UNASSIGNED_TABLE =
  'oo.1,7.3,8,2,l,b2,13.1,1f.1,4,1k.7,s.3,7.a,7j,1p.1,2u.d,1o.1,1e.1,g,t.1,2,c.4,w,3.5,6l,9.1,3.1,n,8,2.2,5.1,a.1,3.1,5.7,2.3,3,6.1,q.1,4,7.3,3.1,n,8,3,3,3.1,2,6.3,3.1,4.2,2.6,5,2.6,i.9,4,a,4,n,8,3,6.1,b,4,4.1,2.e,5.1,d.6,8,4,9.1,3.1,n,8,3,6.1,a.1,3.1,4.6,4.3,3,6.1,j.9,3,7.2,4,5.2,3,2,3.2,3.2,4.2,d.3,6.2,4,5.1,2.5,2.d,m.4,e,4,o,h.1,a,4,5.6,3,4.1,2.1,5.1,b.6,n,4,o,b,6.1,a,4,5.6,3.5,3,5.1,b,3.c,e,4,1g,4,7.3,h.1,r,4,j.2,p,a,2.1,8.2,2.3,7,2,9.5,b.1,4.b,1n.3,u.10,3,2,6,p,2,o.1,6,2,7.1,b.1,5.v,21,11.3,14,11,g,e.10,5j,2.4,2.1,ai,5.1,8,2,5.1,16,5.1,y,5.1,8,2,5.1,g,1m,5.1,1w.1,x.2,r.5,2f.1,7.1,im.2,2i.6,n.8,p.8,l.b,e,4,3.b,2n.1,b.5,b.5,r.5,2i.6,18.4,1z.9,w,d.3,d.3,2.2,17.1,6.a,19.3,r.5,c.2,1r.1,1u,u.1,c.5,b.5,f.1,w.1c,26.2,1c,39.7,1p.2,g.2,1p.6,18.1,c.7,18.4,ev.1,7.1,13.1,7.1,9,2,2,2,w.1,1i,g,f.1,7,k.1,4,a,2u,d.1,s,e.2,y.e,y.e,3x.3,ig.o,c.k,1ed.1,x,9q.4,1a,2.4,2.1,1l.6,3.d,p.8,8,8,8,8,8,8,8,8,3j.x,r,2i.b,5z.p,d.3,1t,2f.1,2w.4,18,2n,2d.b,1c,mlq.2,1k.8,9p.j,55.7,5o.4,3,2,6.n,1o.2,b.5,1l.7,1z.7,d.5,39.a,v.2,27,c.3,y,1k.8,f.1,b.1,2w.n,t.9,7.1,7.1,7.8,8,8,1p.3,3j.1,b.5,8md.b,o.3,1e.3,6sv.1,2z.11,8.b,6.4,r,6,2,3,3,3i.f,ce.1,1j.6,2.v,17.5,1g,k,5.3,6,3s.1,2,5b.2,7.1,7.1,7.1,4.2,8,8.9,6.1,d,r,k,3,g.1,f.x,3g.4,4.3,1a.2,2h,e.2,2.1a,1b.3l,u.2,1e.e,t.3,11.8,v.4,18.4,v,12.3,f.15,4f.1,b.5,11.3,11.3,15.7,1h.a,d,g,8,3,c,g,8,3.1u,8o.8,n.9,9.n,7,17,a.1w,7.1,2,19,3.2,2.1,o,21.7,a.1b,k,3.4,y.2,s.4,2.1r,1l.3,l.1,1f,3.4,9,4,u.1,4.3,b.6,a.6,1t.v,14.3,d.8,1j.2,u.1,s.4,r.6,5.b,8.27,22.1i,1g.c,1g.6,1b.7,b.85,w,17,4.1,3.25,15.7,17.l,r.11,t.j,o.8,27.3,11.8,1x.9,2.1,q.6,b.5,1i,j.7,14.8,2p,l.a,j,19.1s,8,2,5,g,c.5,1o.4,b.5,5,9.1,3.1,n,8,3,6,b.1,3.1,4.1,2.5,2.4,8.1,8.2,6.3u,2l,6.t,21.7,b.4l,1j.1,13.x,1y.a,b.5,e.i,1n.5,b.1h,s.1,g.3,o.54,1p.2r,2c.b,9.1,2.1,9,3,v,3.1,d.8,b.1x,9.1,1b.1,c.q,21.7,2c.c,22.7a,a,1a,f.9,u.2,x.1,n,f.20,8,3,19.2,2,3,a.7,b.5,7,3,12,3,7.6,b.8l,q.52,2.e,1f.c,po.2t,34,6.a,5h.217,2s.c,ts,a.346,g8.6ns,fu.6,w,b.3,2a,b.5,v.1,7.9,1z.9,b,8,m.4,k.j3,2k.2s,24.3,1m.6,i.1r,6.a,3.d,4qh.7,yf.15,a.6w6,5,8,3,84.18,4.g,5.7,b1.1s3,30.4,e.2,a.6,b.1,9.3mj,1b.1,o.8,39.1n,6v.9,14.1,5f.k,1z.49,l.b,2g.8,q.3q,2e,20,3.1,2.1,3.1,5,d,2,8,1u,5.1,9,8,t,5,6,2.2,8,9h.1,85.1,jj.e,6,g.un,w.68,8,i.1,8,3,6.5w,1a.2,f.1,b.3,3.8v,w.g,1n.4,2.yn,8,5,3,g,5i.1,h.14,25.3,b.3,3.ls,1x.23,1q.5d,5,s,3,2.1,2,b,5,2,2.5,2.3,2,2,2,4,3,2.1,2,2,2,2,2,3,2.1,5,8,5,5,2,b,i.4,4,6,i.1f,3.7h,19.3,2t.b,g.1,g,g,12.9,4v.1j,u.c,19.3,a.6,3.d,7.49,rd.4,h.2,e.2,39.b,2i.6,d.3,2.e,d.3,1l.7,b.5,15.7,v.1,3.25,9h.b,f.1,6.2,6.2,8.8,u.2,c.4,7.9,b.5,9.7,8.8,44,1k.10,b.sl,wyp.v,37e.6,67.1,4g3.d,5rm.2e6,f3.15t,3t8.fcfp,2.t,2p.3j,6p.1e6n,1ekf.1,1ekf.1';

function rangeClass(table) {
  let cp = 0;
  let members = '';
  for (const item of table.split(',')) {
    const [gap, extra = '0'] = item.split('.');
    const first = cp + parseInt(gap, 36);
    cp = first + parseInt(extra, 36);
    members += `\\u{${first.toString(16)}}` + (cp > first ? `-\\u{${cp.toString(16)}}` : '');
  }
  return `[${members}]`;
}

const UNASSIGNED = new RegExp(rangeClass(UNASSIGNED_TABLE), 'u');
const UNASSIGNED_SPLIT = new RegExp(`(${rangeClass(UNASSIGNED_TABLE)})`, 'u');
// Python's str.isspace() (what str.split() and str.strip() use); JavaScript's \s differs.
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPACES = new RegExp(`[${SPACE}]+`, 'u');
const STRIP = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, 'gu');
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** NFKC as Python 3.11 does it: characters unknown to Unicode 14.0 are kept and cut the
 * text, as unassigned characters (combining class 0, no mappings) do in Python. */
function nfkc(text) {
  if (!UNASSIGNED.test(text)) return text.normalize('NFKC');
  return text
    .split(UNASSIGNED_SPLIT)
    .map((part, i) => (i % 2 ? part : part.normalize('NFKC')))
    .join('');
}

/** Python's str.split() with no argument: runs of whitespace cut, no empty words. */
function pySplit(text) {
  return text.split(SPACES).filter((word) => word !== '');
}

/** The number of code points (Python's len). */
function cpLength(text) {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Python's `a & b` on sets (in a's order). */
function intersection(a, b) {
  return new Set([...a].filter((x) => b.has(x)));
}

/** Code point order of two pairs of numbers or strings, as Python compares tuples. */
function byKeys(a, b) {
  for (let i = 0; i < a.length; i++) {
    const c = typeof a[i] === 'string' ? compare(a[i], b[i]) : a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0;
    if (c) return c;
  }
  return 0;
}

/** NFKC, then lower case one code point at a time (a code point whose lower case is
 * longer stays as it is), so Python and JavaScript agree and lengths never change. */
export function fold(text) {
  return foldSameLength(nfkc(text));
}

/** Letters and digits; everything else separates words in a query. */
export function isWordChar(c) {
  return LETTER_OR_DIGIT.test(c) && !UNASSIGNED.test(c);
}

/** Kana and kanji (by code point range, so both languages agree): what bigrams cover. */
export function isGramChar(c) {
  const cp = c.codePointAt(0);
  return (
    cp === 0x3005 ||
    (0x3040 <= cp && cp <= 0x30ff) ||
    (0x3400 <= cp && cp <= 0x4dbf) ||
    (0x4e00 <= cp && cp <= 0x9fff) ||
    (0xf900 <= cp && cp <= 0xfaff)
  );
}

/** The distinct kana/kanji n-grams a post must have to contain `text`, sorted: a run of
 * two characters is itself, a longer run gives its trigrams. */
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

/** The n-gram shard of a gram: a polynomial hash of its code points. */
export function gramShard(gram, shards) {
  let h = 0;
  for (const c of gram) h = (h * 31 + c.codePointAt(0)) % shards;
  return h;
}

/** The lexicon shard that holds surfaces starting with this string's first character. */
export function shardOf(surface, shards) {
  return surface.codePointAt(0) % shards;
}

/** Code point order (JavaScript's `<` compares UTF-16 units; we compare code points). */
export function compare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      // The first differing unit starts a code point (or is the second half of two pairs
      // with the same first half): compare whole code points there.
      const x = a.codePointAt(i);
      const y = b.codePointAt(i);
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** The shard whose key range holds `key` (shards are `[firstKey, file]`, sorted): the
 * last one whose first key is not after it. */
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

/** Post text is untrusted: escape it before wrapping matches in <mark>. */
export function escapeHtml(text) {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

// --- decoding the files -------------------------------------------------------------------

// LexiconEntry {width, cost, terms}: a surface form: how many positions it spans, what
// cutting it out of a query costs (rare surfaces cost more), and the terms it stands for
// (none: stop).
// TermEntry {postings, df, forms, positions}: a term's postings: Map post id -> tf per field
// (0 where absent), its document frequency per field, the other surfaces the term was seen
// as (for marking matches written in another spelling), and once read, Map post id ->
// positions per field (null where absent).

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
export function decodeIds(deltas) {
  const ids = new Set();
  let post = 0;
  for (const d of deltas) {
    post += d;
    ids.add(post);
  }
  return ids;
}

/** Flat ints: per post `dPost, fieldMask`, then the tf of each field in the mask.
 * TermEntry {postings: post -> tf per field (0 where absent), df, forms, positions}. */
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

// --- queries ------------------------------------------------------------------------------

// Piece {surface, terms, qpos, fallback, grams, prefixTerms, spelled, posts} and Clause {kind, text,
// pieces, grams}: as the dataclasses Piece and Clause in search.py.

/** Folded query text to clauses: "quoted phrases", -excluded words, plain words. */
export function parseQuery(query) {
  const text = fold(query);
  const clauses = [];
  const parts = text.split('"');
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      const phrase = part.replace(STRIP, '');
      if (phrase) clauses.push({ kind: 'phrase', text: phrase, pieces: [], grams: [] });
      return;
    }
    for (const word of pySplit(part)) {
      if (word.startsWith('-') && cpLength(word) > 1) {
        clauses.push({ kind: 'not', text: word.slice(1), pieces: [], grams: [] });
      } else if ((word.startsWith('tag:') || word.startsWith('category:')) && !word.endsWith(':')) {
        clauses.push({ kind: 'tag', text: word.slice(word.indexOf(':') + 1), pieces: [], grams: [] });
      } else if (word !== '-') {
        clauses.push({ kind: 'word', text: word, pieces: [], grams: [] });
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
 * all a query needs. */
export function pieceStarts(text) {
  const chars = Array.from(text);
  return chars.filter((c, i) => canCut(chars, i));
}

/** A piece object (see Piece above). */
function piece(surface, terms, qpos, fallback, grams, prefixTerms = []) {
  return { surface, terms, qpos, fallback, grams, prefixTerms, spelled: [] };
}

/** Surfaces (not stops) that start with `prefix` and are longer, most frequent first, capped.
 * They all stand in the lexicon shard of the prefix's first character. */
export function longerSurfaces(prefix, surfacesOf, lexicon) {
  const surfaces = surfacesOf(String.fromCodePoint(prefix.codePointAt(0)));
  const found = [];
  let lo = 0;
  let hi = surfaces.length;
  while (lo < hi) {
    // bisect_left in code point order
    const mid = (lo + hi) >> 1;
    if (compare(surfaces[mid], prefix) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < surfaces.length && surfaces[i].startsWith(prefix); i++) {
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

/** Cut text into lexicon surfaces at the least total cost (a unigram model; see search.py);
 * uncovered runs become fallback pieces; with `surfacesOf`, a tail may start longer surfaces. */
export function segment(text, lexicon, longest, surfacesOf = null) {
  const chars = Array.from(text);
  const n = chars.length;
  const inf = n * UNCOVERED_COST + 1;
  const best = new Array(n + 1).fill(inf);
  const back = new Array(n + 1).fill([0, UNCOVERED]);
  best[0] = 0;
  for (let i = 0; i < n; i++) {
    if (best[i] === inf) continue;
    for (let length = canCut(chars, i) ? Math.min(longest, n - i) : 0; length > 0; length--) {
      if (!canCut(chars, i + length)) continue;
      const entry = lexicon.get(chars.slice(i, i + length).join(''));
      if (entry !== undefined && best[i] + entry.cost < best[i + length]) {
        best[i + length] = best[i] + entry.cost;
        back[i + length] = [i, KNOWN];
      }
    }
    if (surfacesOf !== null && n - i >= 2 && n - i < longest && canCut(chars, i)) {
      const longer = longerSurfaces(chars.slice(i).join(''), surfacesOf, lexicon);
      if (longer.length && best[i] + lexicon.get(longer[0]).cost + 1 < best[n]) {
        best[n] = best[i] + lexicon.get(longer[0]).cost + 1;
        back[n] = [i, PREFIX];
      }
    }
    if (best[i] + UNCOVERED_COST < best[i + 1]) {
      best[i + 1] = best[i] + UNCOVERED_COST;
      back[i + 1] = [i, UNCOVERED];
    }
  }
  const cuts = [];
  let end = n;
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
  cuts.reverse();
  const pieces = [];
  let qpos = 0;
  for (const [start, stop, kind] of cuts) {
    const surface = chars.slice(start, stop).join('');
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
  if (surfacesOf !== null && pieces.length) {
    pieces[pieces.length - 1] = lastPieceAsPrefix(pieces[pieces.length - 1], lexicon, surfacesOf);
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
  let last = ''; // current's last character
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

/** Pieces for text the lexicon does not cut: bigrams for kana/kanji runs of two or more,
 * a prefix of longer surfaces for anything else (their terms filled in later). */
export function fallbackPieces(text, qpos) {
  const pieces = [];
  for (const word of splitWords(text)) {
    const grams = cpLength(word) > 1 && isGramChar(word) ? gramsOf(word) : [];
    pieces.push(piece(word, [], qpos + pieces.length, true, grams));
  }
  return pieces;
}

/** The n-grams of a lexicon piece written in kana/kanji only: Sudachi cuts a word by its
 * context, so a post with all of them matches the piece however its words were cut. */
export function spelled(piece) {
  const chars = [...piece.surface];
  return piece.fallback || chars.length < 2 || !chars.every(isGramChar) ? [] : gramsOf(piece.surface);
}

/** A piece a post must match: a word, or a fallback (stops never need to). */
export function isRequired(piece) {
  return piece.terms.length > 0 || piece.prefixTerms.length > 0 || piece.fallback;
}

/** Pieces hits are scored on: those of word and phrase clauses, stops left out. */
export function neededPieces(clauses) {
  return clauses.filter((c) => c.kind !== 'not').flatMap((c) => c.pieces.filter(isRequired));
}

/** Posts that have every one of these n-grams (none: no posts). */
export function postsWithGrams(wanted, grams) {
  let found = new Set(wanted.length ? grams.get(wanted[0]) : []);
  for (const gram of wanted.slice(1)) found = intersection(found, grams.get(gram) ?? new Set());
  return found;
}

/** Posts containing any term of the piece or all of its spelling's n-grams; for a fallback
 * piece, every n-gram of it. */
export function postsWith(piece, terms, grams) {
  if (piece.grams.length) return postsWithGrams(piece.grams, grams);
  const found = postsWithGrams(piece.spelled, grams);
  for (const term of [...piece.terms, ...piece.prefixTerms]) {
    const entry = terms.get(term);
    if (entry !== undefined) for (const post of entry.postings.keys()) found.add(post);
  }
  return found;
}

/** Posts with every required piece of the clause, or with the whole clause as typed (all
 * its n-grams); null if the clause requires nothing. */
export function clausePosts(clause, terms, grams) {
  let found = null;
  for (const piece of clause.pieces.filter(isRequired)) {
    const posts = postsWith(piece, terms, grams);
    found = found === null ? posts : intersection(found, posts);
  }
  if (found !== null) for (const post of postsWithGrams(clause.grams, grams)) found.add(post);
  return found;
}

/** Where any term of the piece stands in one field of one post (positions read). */
export function positionsOf(piece, post, field, terms) {
  const found = new Set();
  for (const term of [...piece.terms, ...piece.prefixTerms]) {
    const entry = terms.get(term);
    const perField = entry !== undefined && entry.positions !== null ? entry.positions.get(post) : undefined;
    if (perField !== undefined && perField[field] !== null) {
      for (const p of perField[field]) found.add(p);
    }
  }
  return found;
}

/** True when the clause's lexicon pieces stand at the query's relative positions in one
 * field (fallback pieces only need to be present; their width is unknown). */
export function inSequence(pieces, post, fields, terms) {
  const anchored = pieces.filter((p) => (p.terms.length || p.prefixTerms.length) && !p.fallback);
  if (anchored.length < 2) return true;
  const first = anchored[0];
  for (let field = 0; field < fields; field++) {
    const at = anchored.map((p) => positionsOf(p, post, field, terms));
    for (const start of at[0]) if (anchored.every((p, k) => at[k].has(start + p.qpos - first.qpos))) return true;
  }
  return false;
}

/** Whether a post has every piece of the clause (in sequence for phrases and exclusions). */
export function clauseMatches(clause, post, fields, terms, grams) {
  const pieces = clause.pieces.filter(isRequired);
  if (!pieces.length || pieces.some((p) => !(p.posts ??= postsWith(p, terms, grams)).has(post))) return false;
  return clause.kind === 'word' || inSequence(pieces, post, fields, terms);
}

// Double-double arithmetic for `log`: [hi, lo] pairs carry about 106 bits.
function twoSum(a, b) {
  const s = a + b;
  const v = s - a;
  return [s, a - (s - v) + (b - v)];
}
function fastSum(a, b) {
  const s = a + b;
  return [s, b - (s - a)];
}
function halves(a) {
  const t = 134217729 * a; // 2^27 + 1: Veltkamp's split into two 26-bit halves
  const hi = t - (t - a);
  return [hi, a - hi];
}
function twoProduct(a, b) {
  const p = a * b;
  const [ah, al] = halves(a);
  const [bh, bl] = halves(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(a, b) {
  const [s, e] = twoSum(a[0], b[0]);
  return fastSum(s, e + a[1] + b[1]);
}
function ddMul(a, b) {
  const [p, e] = twoProduct(a[0], b[0]);
  return fastSum(p, e + a[0] * b[1] + a[1] * b[0]);
}
function ddDiv(a, b) {
  const q1 = a[0] / b[0];
  let r = ddAdd(a, ddMul(b, [-q1, 0]));
  const q2 = r[0] / b[0];
  r = ddAdd(r, ddMul(b, [-q2, 0]));
  return ddAdd(fastSum(q1, q2), [r[0] / b[0], 0]);
}
const LN2 = [0.6931471805599453, 2.3190468138462996e-17];
const LOGS = new Map();

/** Natural log, correctly rounded. Python's math.log (glibc's) nearly always is; V8's
 * Math.log is one unit off for about 3% of the ratios N / (df + 1) that idf takes (this
 * agrees with glibc on all but 0.02% of 1.4 million of them). x = m·2^k, m in [√½, √2),
 * log m = 2·atanh((m−1)/(m+1)), summed in double-double. */
function log(x) {
  let y = LOGS.get(x);
  if (y !== undefined) return y;
  let k = Math.round(Math.log2(x));
  let m = x * 2 ** -k;
  for (; m >= Math.SQRT2; k++) m /= 2;
  for (; m < Math.SQRT1_2; k--) m *= 2;
  const s = ddDiv([m - 1, 0], twoSum(m, 1));
  const s2 = ddMul(s, s);
  let term = s;
  let sum = s;
  for (let n = 3; Math.abs(term[0]) > 1e-34; n += 2) {
    term = ddMul(term, s2);
    sum = ddAdd(sum, ddDiv(term, [n, 0]));
  }
  const r = ddAdd(ddMul([k, 0], LN2), [2 * sum[0], 2 * sum[1]]);
  y = r[0] + r[1];
  LOGS.set(x, y);
  return y;
}

/** whoosh's idf: log(N / (df + 1)) + 1. */
export function idf(posts, df) {
  return log(posts / (df + 1)) + 1;
}

/** One field's BM25, written as whoosh writes it so the arithmetic matches. */
export function bm25(idf_, tf, length, average, k1, b) {
  return idf_ * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / average)));
}

/** N-grams score like one body word seen once: the mean idf of the n-grams. */
export function gramScore(wanted, index) {
  let total = 0.0;
  for (const gram of wanted) total += idf(index.postCount, (index.grams.get(gram) ?? new Set()).size);
  return (index.weights[GRAM_FIELD] * total) / wanted.length;
}

/** A term's BM25F score in a post that has it: Σ over fields of weight x BM25, kept. */
export function termScore(entry, post, index) {
  let found = entry.scores.get(post);
  if (found === undefined) {
    found = 0.0;
    const length = post * index.fieldCount;
    entry.postings.get(post).forEach((tf, f) => {
      if (tf) {
        const dfIdf = idf(index.postCount, entry.df[f]);
        found += index.weights[f] * bm25(dfIdf, tf, index.lengths[length + f], index.averages[f], index.k1, index.b);
      }
    });
    entry.scores.set(post, found);
  }
  return found;
}

/** Each post's score (a Map): Σ over pieces, then their terms and prefix terms, of w x
 * termScore; a piece a post has by its spelling only scores as n-grams. Term by term. */
export function scores(posts, pieces, index) {
  const totals = new Map(posts.map((post) => [post, 0.0]));
  const add = (post, value) => totals.set(post, totals.get(post) + value);
  for (const piece of pieces) {
    if (piece.grams.length) {
      const value = gramScore(piece.grams, index);
      for (const post of posts) add(post, value);
      continue;
    }
    const scored = new Set();
    for (const [terms, weight] of [[piece.terms, 1.0], [piece.prefixTerms, PREFIX_WEIGHT]]) {
      for (const term of terms) {
        const entry = index.terms.get(term);
        if (!entry) continue;
        const small = entry.postings.size < totals.size; // walk the smaller side
        for (const post of small ? [...entry.postings.keys()].filter((p) => totals.has(p)) : posts.filter((p) => entry.postings.has(p))) {
          add(post, weight * termScore(entry, post, index));
          scored.add(post);
        }
      }
    }
    if (piece.spelled.length && scored.size < totals.size) {
      const value = gramScore(piece.spelled, index);
      for (const post of postsWithGrams(piece.spelled, index.grams)) if (totals.has(post) && !scored.has(post)) add(post, value);
    }
  }
  return totals;
}

/** `[score, post]`, best first: posts with more word clauses as typed (all their n-grams)
 * first, then by score (raised by ADJACENCY for each such clause), then by id. */
export function ranked(posts, totals, clauses, grams) {
  const adjacent = new Map();
  for (const c of clauses) {
    if (c.kind !== 'word' || !c.grams.length) continue;
    for (const post of postsWithGrams(c.grams, grams)) if (totals.has(post)) adjacent.set(post, (adjacent.get(post) ?? 0) + 1);
  }
  return posts
    .map((post) => {
      const n = adjacent.get(post) ?? 0;
      return [-n, -(totals.get(post) * (1 + ADJACENCY * n)), post];
    })
    .sort(byKeys)
    .map(([, s, post]) => [-s, post]);
}

const PAIRS = /[\uD800-\uDFFF]/; // UTF-16 units are not code points

/** Non-overlapping spans of the needles in the folded text, longest first at a tie. */
export function markSpans(text, needles) {
  const folded = foldSameLength(text);
  // indexOf counts UTF-16 units; spans count code points, like Python's.
  let toCodePoint = (unit) => unit;
  if (PAIRS.test(folded)) {
    const map = new Int32Array(folded.length + 1);
    let unit = 0;
    let cp = 0;
    for (const c of folded) {
      map[unit] = cp++;
      unit += c.length;
    }
    map[unit] = cp;
    toCodePoint = (u) => map[u];
  }
  const spans = [];
  for (const needle of needles) {
    if (!needle) continue;
    const width = cpLength(needle);
    let at = folded.indexOf(needle);
    while (at >= 0) {
      const start = toCodePoint(at);
      spans.push([start, start + width]);
      at = folded.indexOf(needle, at + 1);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const chosen = [];
  for (const span of spans) {
    if (!chosen.length || span[0] >= chosen[chosen.length - 1][1]) chosen.push(span);
  }
  return chosen;
}

/** `fold` for marking: case only, per code point, so indexes into the text stay valid
 * (stored text is already NFKC). */
export function foldSameLength(text) {
  let out = FOLDED.get(text);
  if (out !== undefined) return out;
  out = text.toLowerCase();
  if (out.length !== text.length || text.includes('Σ') || UNASSIGNED.test(text)) {
    out = '';
    for (const c of text) {
      const l = c.toLowerCase();
      out += cpLength(l) === 1 && !UNASSIGNED.test(c) ? l : c;
    }
  }
  FOLDED.set(text, out);
  return out;
}
const FOLDED = new Map(); // texts folded once: UNASSIGNED is slow on long posts

/** EXCERPT_CHARS characters around the densest cluster of matches, escaped, with each
 * match in <mark>, and where that cluster starts (-1 when nothing matches literally, and
 * the excerpt is the start of the text). */
export function excerpt(text, needles) {
  const spans = markSpans(text, needles);
  const chars = PAIRS.test(text) ? Array.from(text) : text; // indexed by code point either way
  const cut = (from, to) => [...chars.slice(from, to)].join('');
  const size = EXCERPT_CHARS;
  let start = 0;
  let cluster = -1;
  if (spans.length) {
    let [best, bestCount, j] = [0, 0, 0];
    spans.forEach((span, i) => {
      for (j = Math.max(j, i); j < spans.length && spans[j][1] <= span[0] + size; ) j++;
      if (j - i > bestCount) [best, bestCount] = [i, j - i];
    });
    const last = spans[bestCount ? best + bestCount - 1 : best][1];
    cluster = spans[best][0];
    const slack = size - (last - spans[best][0]);
    start = Math.max(0, Math.min(spans[best][0] - Math.floor(slack / 2), chars.length - size));
  }
  const end = Math.min(chars.length, start + size);
  const out = start > 0 ? ['…'] : [];
  let cursor = start;
  for (const [s, e] of spans) {
    if (s < start || e > end) continue;
    out.push(escapeHtml(cut(cursor, s)));
    out.push('<mark>' + escapeHtml(cut(s, e)) + '</mark>');
    cursor = e;
  }
  out.push(escapeHtml(cut(cursor, end)));
  if (end < chars.length) out.push('…');
  return [out.join('').replaceAll('\n', ' ').replaceAll('\t', ' '), cluster];
}

/** The anchor and title of the heading whose section holds character `at` (headings are
 * flat `offset, anchor, ...`), or [null, null] before the first heading or with no match. */
export function sectionAt(text, headings, at) {
  const chars = PAIRS.test(text) ? Array.from(text) : text;
  let [anchor, title] = [null, null];
  for (let k = 0; k < headings.length; k += 2) {
    if (at < 0 || headings[k] > at) break;
    anchor = headings[k + 1];
    let end = chars.indexOf('\n', headings[k]);
    if (end < 0) end = chars.length;
    title = [...chars.slice(headings[k], end)].join('');
  }
  return [anchor, title];
}

/** Every spelling to mark: the query's own surfaces, the terms and their other forms. */
export function needlesFor(pieces, terms) {
  const found = [];
  const seen = new Set();
  const add = (s) => {
    if (!seen.has(s)) {
      seen.add(s);
      found.push(s);
    }
  };
  for (const piece of pieces) {
    for (const s of [piece.surface, ...piece.terms]) add(s);
    for (const term of piece.terms) {
      const entry = terms.get(term);
      for (const form of entry !== undefined ? entry.forms : []) add(form);
    }
  }
  return found
    .map((s) => [-cpLength(s), s])
    .sort(byKeys)
    .map(([, s]) => s);
}

// --- the index ----------------------------------------------------------------------------

// Hit {url, title, date, tags, score, excerpt, path, anchor, section}: one search result,
// as the CLI's --json gives it; anchor and section: the heading whose section matched
// (link to url#anchor). SearchResult {query, total, hits, bytesRead}: ranked hits, how many posts
// matched in all, and the bytes read so far for this index.

/** A missing or damaged index file (named in the message). */
export class CorruptIndex extends Error {}

/** The files under an open Index were replaced by a rebuild while it read them. */
export class IndexChanged extends Error {}

const [NAME, BUILD] = [/^[a-z]+\.json$/, /^[0-9a-f]{16}$/];
const [LISTS, INTS, NUMBERS] = [['fields', 'weights', 'fieldTotals', 'terms', 'positions', 'texts'], ['postCount', 'lexicon', 'grams'], ['k1', 'b']]; // prettier-ignore

/** Throw CorruptIndex unless `m` is a manifest of this version, keys typed, names plain. */
export function checkManifest(m) {
  const bad = (why) => {
    throw new CorruptIndex(`manifest.json: ${why}`);
  };
  if (m?.format !== FORMAT || m.version !== VERSION) bad(`not a postsearch index of version ${VERSION}; build it again`);
  const typed = (keys, ok) => keys.every((k) => ok(m[k]));
  if (!typed(LISTS, Array.isArray) || !typed(INTS, Number.isInteger) || !typed(NUMBERS, (v) => typeof v === 'number')) {
    bad('a key is missing or of the wrong type');
  }
  if (![m.lengths, m.dates, m.tags].every((n) => NAME.test(n)) || !BUILD.test(m.build)) bad('file names not an index\'s');
  if (m.weights.length !== m.fields.length || m.fieldTotals.length !== m.fields.length) bad('a weight and total per field');
}

/** An index opened from its files; shards are read on demand and kept for later queries.
 * `load(name)` returns the file's bytes (a promise of a Uint8Array or ArrayBuffer).
 * Shards being read are kept as promises, so queries running at once share one read.
 * Data files live in the manifest's build folder: when one is gone, a rebuild replaced them,
 * and search() and tags() open the new manifest and answer again (search.py: @reopening). */
export class Index {
  constructor(load) {
    this.loadBytes = load;
    this.bytesRead = 0;
  }

  /** What Python's open() does: read and check the manifest, read the field lengths. */
  async open() {
    const manifest = await this.loadJson('manifest.json');
    checkManifest(manifest);
    this.manifest = manifest;
    this.build = manifest.build;
    this.fields = manifest.fields;
    this.fieldCount = this.fields.length;
    this.weights = manifest.weights;
    this.k1 = manifest.k1;
    this.b = manifest.b;
    this.postCount = manifest.postCount;
    this.averages = manifest.fieldTotals.map((t) => (this.postCount ? t / this.postCount : 0) || 1);
    this.lengths = decodeLengths(await this.loadFile(manifest.lengths));
    this.lexicon = new Map();
    this.longest = 0;
    this.lexiconLoaded = new Map(); // shard -> promise
    this.lexiconSurfaces = new Map(); // shard -> its surfaces, sorted
    this.surfacesOf = (c) => this.lexiconSurfaces.get(shardOf(c, this.manifest.lexicon)) ?? [];
    this.terms = new Map();
    this.termShardsLoaded = new Map(); // shard -> promise
    this.grams = new Map();
    this.gramShardsLoaded = new Map(); // shard -> promise
    this.positionShardsLoaded = new Map(); // shard -> promise
    this.tagsLoaded = new Map(); // 0 -> promise, once read
    this.datesLoaded = new Map(); // 0 -> promise, once read
    this.tagPosts = null; // folded tag -> posts
    this.tagCounts = [];
    this.dates = null;
    this.texts = new Map();
    this.textBundles = new Map(); // bundle -> promise
    return this;
  }

  async loadJson(name) {
    const data = await this.loadBytes(name);
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.bytesRead += bytes.byteLength;
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new CorruptIndex(`${name}: not valid JSON (${e.message}): the index is damaged, build it again`);
    }
  }

  /** A data file of the build opened; IndexChanged when a rebuild has replaced it (also when
   * that happened while it was read: what it holds must not mix with the new build). */
  async loadFile(name) {
    const build = this.build;
    let data;
    try {
      data = await this.loadJson(`${build}/${name}`);
    } catch (e) {
      if (e instanceof CorruptIndex) throw e;
      if (build !== this.build || (await this.rebuilt())) throw new IndexChanged(build);
      throw new CorruptIndex(`${build}/${name}: cannot read it (${e.message}): the index is damaged`);
    }
    if (build !== this.build) throw new IndexChanged(build);
    return data;
  }

  /** Whether manifest.json now names another build than the one opened. */
  async rebuilt() {
    try {
      return (await this.loadJson('manifest.json')).build !== this.build;
    } catch {
      return false;
    }
  }

  /** `call()`, made again once on the new index when a rebuild replaced the files under it. */
  async reopening(call) {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof IndexChanged)) throw e;
      if (e.message === this.build) await this.open(); // unless a query running beside did
      return call();
    }
  }

  /** Read `key` once with `read()`; a failed read may be tried again later. */
  once(cache, key, read) {
    if (!cache.has(key)) {
      cache.set(
        key,
        read().catch((error) => {
          cache.delete(key);
          throw error;
        }),
      );
    }
    return cache.get(key);
  }

  /** Read the lexicon shards not read yet. */
  async ensureLexicon(shards) {
    const wanted = [...new Set(shards)].sort((a, b) => a - b);
    await Promise.all(
      wanted.map((shard) =>
        this.once(this.lexiconLoaded, shard, async () => {
          const data = await this.loadFile(`lexicon-${shard}.json`);
          this.lexiconSurfaces.set(shard, data.map((row) => row[0])); // sorted by the build
          this.longest = Math.max(this.longest, decodeLexicon(data, this.lexicon));
        }),
      ),
    );
  }

  /** Read the term shards that hold these terms. */
  async ensureTerms(wanted) {
    const shards = this.manifest.terms;
    if (!shards.length) return;
    const needed = [...new Set(wanted.map((t) => rangeShard(t, shards)))].sort((a, b) => a - b);
    await Promise.all(
      needed.map((shard) =>
        this.once(this.termShardsLoaded, shard, async () => {
          for (const row of await this.loadFile(`terms-${shard}.json`)) {
            const entry = decodePostings(row[1], this.fieldCount);
            entry.forms = row.slice(2);
            this.terms.set(row[0], entry);
          }
        }),
      ),
    );
  }

  /** Read the n-gram shards that hold these n-grams. */
  async ensureGrams(wanted) {
    const needed = [...new Set(wanted.map((g) => gramShard(g, this.manifest.grams)))].sort((a, b) => a - b);
    await Promise.all(
      needed.map((shard) =>
        this.once(this.gramShardsLoaded, shard, async () => {
          for (const row of await this.loadFile(`grams-${shard}.json`)) this.grams.set(row[0], decodeIds(row.slice(1)));
        }),
      ),
    );
  }

  /** Read the text bundles that hold these posts' metadata and text. */
  async ensureTexts(posts) {
    let first = 0;
    const bundles = this.manifest.texts.map((delta) => (first += delta));
    const reads = [];
    for (const post of posts) {
      if (this.texts.has(post)) continue;
      let k = -1;
      bundles.forEach((first, i) => {
        if (first <= post) k = Math.max(k, i);
      });
      reads.push(
        this.once(this.textBundles, k, async () => {
          (await this.loadFile(`text-${k}.json`)).forEach((row, j) => this.texts.set(bundles[k] + j, row));
        }),
      );
    }
    await Promise.all(reads);
  }

  /** Read the positions of these (already read) terms: only phrases need them. */
  async ensurePositions(wanted) {
    const shards = this.manifest.positions;
    if (!shards.length) return;
    const needed = [...new Set(wanted.filter((t) => this.terms.has(t)).map((t) => rangeShard(t, shards)))].sort(
      (a, b) => a - b,
    );
    await Promise.all(
      needed.map((shard) =>
        this.once(this.positionShardsLoaded, shard, async () => {
          for (const row of await this.loadFile(`positions-${shard}.json`)) {
            const entry = this.terms.get(row[0]);
            if (entry !== undefined) decodePositions(row[1], entry);
          }
        }),
      ),
    );
  }

  /** Give a clause's fallback prefixes their terms and read its n-gram shards. */
  async fillFallbacks(clause) {
    for (const piece of clause.pieces) {
      if (piece.fallback && !piece.grams.length) {
        piece.prefixTerms = prefixTerms(piece.surface, this.surfacesOf, this.lexicon, []);
      }
    }
    await this.ensureGrams([...new Set(clause.pieces.flatMap((p) => p.grams))].sort(compare));
  }

  /** Segment every clause, reading the shards it needs (see search.py). */
  async prepare(clauses, prefix, adjacency) {
    const chars = new Set();
    for (const clause of clauses) for (const c of pieceStarts(clause.text)) chars.add(c);
    const shardCount = this.manifest.lexicon;
    await this.ensureLexicon([...chars].map((c) => shardOf(c, shardCount)));
    for (const clause of clauses) {
      const surfacesOf = prefix && clause.kind !== 'not' ? this.surfacesOf : null;
      clause.pieces = segment(clause.text, this.lexicon, this.longest, surfacesOf);
      await this.fillFallbacks(clause);
    }
    const terms = new Set(clauses.flatMap((c) => c.pieces.flatMap((p) => [...p.terms, ...p.prefixTerms])));
    await this.ensureTerms([...terms].sort(compare));
    for (const clause of clauses) {
      const cutByLexicon = clause.pieces.some((p) => !p.fallback && (p.terms.length || p.prefixTerms.length));
      const onlyStops = !clause.pieces.some(isRequired) && gramsOf(clause.text).length > 0;
      const lost = cutByLexicon && !clausePosts(clause, this.terms, this.grams)?.size;
      if (clause.kind !== 'not' && (lost || onlyStops)) {
        clause.pieces = fallbackPieces(clause.text, 0);
        await this.fillFallbacks(clause);
        await this.ensureTerms([...new Set(clause.pieces.flatMap((p) => p.prefixTerms))].sort(compare));
      }
      if (adjacency && clause.kind === 'word') clause.grams = gramsOf(clause.text);
      if (adjacency && clause.kind !== 'not') for (const p of clause.pieces) p.spelled = spelled(p);
    }
    await this.ensureGrams([...new Set(clauses.flatMap((c) => [...c.grams, ...c.pieces.flatMap((p) => p.spelled)]))].sort(compare));
    const inOrder = clauses
      .filter((c) => c.kind !== 'word')
      .flatMap((c) => c.pieces.filter((p) => p.terms.length && !p.fallback));
    if (inOrder.length > 1) {
      await this.ensurePositions([...new Set(inOrder.flatMap((p) => [...p.terms, ...p.prefixTerms]))].sort(compare));
    }
  }

  /** Read the tag list (only filters and tag lists need it). */
  async ensureTags() {
    await this.once(this.tagsLoaded, 0, async () => {
      this.tagPosts = new Map();
      this.tagCounts = [];
      for (const row of await this.loadFile(this.manifest.tags)) {
        this.tagPosts.set(fold(row[0]), decodeIds(row.slice(2)));
        this.tagCounts.push([row[0], row[1]]);
      }
    });
  }

  /** Read every post's date (only date filters and sorting by date need them). */
  async ensureDates() {
    await this.once(this.datesLoaded, 0, async () => {
      this.dates = await this.loadFile(this.manifest.dates);
    });
  }

  /** Every tag (tags, categories, topics) with its number of posts, most used first. */
  async tags() {
    return this.reopening(async () => {
      await this.ensureTags();
      return this.tagCounts.map(([tag, count]) => [-count, tag]).sort(byKeys).map(([count, tag]) => [tag, -count]);
    });
  }

  /** Candidates (null: every post) narrowed to posts with all the tags and a date in range. */
  async filtered(candidates, tags, since, until) {
    if (tags.length) {
      await this.ensureTags();
      for (const tag of tags) {
        const posts = this.tagPosts.get(fold(tag)) ?? new Set();
        candidates = candidates === null ? new Set(posts) : intersection(candidates, posts);
      }
    }
    if (since || until) {
      await this.ensureDates();
      const dates = this.dates;
      const pool = candidates === null ? dates.map((_, p) => p) : [...candidates];
      candidates = new Set(
        pool.filter(
          (p) =>
            dates[p] !== null &&
            (!since || dates[p].slice(0, 10) >= since) &&
            (!until || dates[p].slice(0, 10) <= until),
        ),
      );
    }
    return candidates;
  }

  /** Ranked posts for a query: the one public entry of this stage. Options as search.py's
   * `Index.search`: prefix, adjacency, tags, since, until, sort ('score' or 'date'). */
  search(query, limit = 10, options = {}) {
    return this.reopening(() => this.answer(query, limit, options));
  }

  /** search() on the build opened (in search.py, the body of `search`). */
  async answer(
    query,
    limit = 10,
    { prefix = true, adjacency = true, tags = null, since = null, until = null, sort = 'score' } = {},
  ) {
    query = [...query].slice(0, MAX_QUERY_CHARS).join('');
    let clauses = parseQuery(query);
    const wanted = [...(tags ?? []), ...clauses.filter((c) => c.kind === 'tag').map((c) => c.text)];
    clauses = clauses.filter((c) => c.kind !== 'tag');
    await this.prepare(clauses, prefix, adjacency);
    const pieces = neededPieces(clauses);
    let candidates = null;
    for (const clause of clauses) {
      const found = clause.kind !== 'not' ? clausePosts(clause, this.terms, this.grams) : null;
      if (found !== null) candidates = candidates === null ? found : intersection(candidates, found);
    }
    const filters = Boolean(wanted.length || since || until);
    const words = clauses.some((c) => c.kind !== 'not');
    if (filters && (pieces.length || !words)) candidates = await this.filtered(candidates, wanted, since, until);
    const [fields, terms, grams] = [this.fieldCount, this.terms, this.grams];
    const phrases = clauses.filter((c) => c.kind === 'phrase');
    const exclusions = clauses.filter((c) => c.kind === 'not');
    const matched = [...(candidates ?? [])]
      .sort((a, b) => a - b)
      .filter(
        (post) =>
          phrases.every((c) => clauseMatches(c, post, fields, terms, grams)) &&
          !exclusions.some((c) => clauseMatches(c, post, fields, terms, grams)),
      );
    const totals = scores(matched, pieces, this);
    const order = ranked(matched, totals, clauses, grams);
    if (sort === 'date') {
      await this.ensureDates();
      const dates = this.dates;
      order.sort((a, b) => compare(dates[b[1]] ?? '', dates[a[1]] ?? '')); // stable: score order within a date
    }
    const shown = order.slice(0, Math.max(0, limit));
    await this.ensureTexts(shown.map(([, post]) => post));
    const needles = needlesFor(pieces, this.terms);
    const hits = shown.map(([s, post]) => this.hit(post, s, needles));
    return { query, total: matched.length, hits, bytesRead: this.bytesRead };
  }

  hit(post, score_, needles) {
    const [url, title, date, tags, path, text, headings] = this.texts.get(post);
    const [shown, cluster] = excerpt(text, needles);
    const [anchor, section] = sectionAt(text, headings, cluster);
    return { url, title, date, tags, score: score_, excerpt: shown, path, anchor, section };
  }
}

/** Open an index folder written by `postsearch index` (or `postsearch.build`), given its
 * URL (relative to the page in a browser). Options: `fetch` (default: the global one), or
 * `load(name)` returning the bytes of a file, e.g. read from disk in Node. */
export async function openIndex(baseUrl, { fetch = globalThis.fetch, load } = {}) {
  if (!load) {
    const base = new URL(String(baseUrl || '.').replace(/\/?$/, '/'), globalThis.location?.href);
    load = async (name) => {
      const url = new URL(name, base);
      // the manifest is revalidated (a rebuild replaces it); build folders never change
      const response = await fetch(url, name === 'manifest.json' ? { cache: 'no-cache' } : {});
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status} (not a postsearch index?)`);
      return new Uint8Array(await response.arrayBuffer());
    };
  }
  return new Index(load).open();
}
