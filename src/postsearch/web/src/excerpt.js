// excerpt.js: what a hit shows, the excerpt around its densest cluster of matches and the
// section it is in (mirrors query/excerpt.py). Offsets count code points, as Python's do.

import { byCodePoint, byKeys, cpLength, PAIRS, lowerPerCodePoint } from './compat.js';

export const EXCERPT_CHARS = 120;
export const MAX_SECTIONS = 3; // a hit's sections shown under its title, as Pagefind's sub-results
const FOLDED = new Map(); // texts folded once (Python: lru_cache): UNASSIGNED is slow on long posts

/** Post text is untrusted: escape it before wrapping matches in <mark>. */
export function escapeHtml(text) {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

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
  if (out === undefined) {
    out = lowerPerCodePoint(text);
    FOLDED.set(text, out);
  }
  return out;
}

/** EXCERPT_CHARS characters around the densest cluster of matches, escaped, with each
 * match in <mark>, and where that cluster starts (-1 when nothing matches literally, and
 * the excerpt is the start of the text). */
export function excerpt(text, needles) {
  const chars = byCodePoint(text);
  return excerptIn(chars, markSpans(text, needles), 0, chars.length);
}

/** `excerpt` of text[lo:hi] from the spans of the whole text (a section's excerpt needs
 * no second search: no match crosses a line, so none crosses a section's edge). `chars`:
 * the text as byCodePoint gives it, made once per hit (Python indexes its str directly). */
export function excerptIn(chars, spans, lo, hi) {
  spans = spans.filter(([s, e]) => lo <= s && e <= hi);
  const cut = (from, to) => [...chars.slice(from, to)].join('');
  const size = EXCERPT_CHARS;
  let start = lo;
  let cluster = -1;
  if (spans.length) {
    let [best, bestCount, j] = [0, 0, 0];
    spans.forEach((span, i) => {
      // spans never overlap, so their ends rise: a sliding window
      for (j = Math.max(j, i); j < spans.length && spans[j][1] <= span[0] + size; ) j++;
      if (j - i > bestCount) [best, bestCount] = [i, j - i];
    });
    const last = spans[bestCount ? best + bestCount - 1 : best][1];
    cluster = spans[best][0];
    const slack = size - (last - spans[best][0]);
    start = Math.max(lo, Math.min(spans[best][0] - Math.floor(slack / 2), hi - size));
  }
  const end = Math.min(hi, start + size);
  const out = start > lo ? ['…'] : [];
  let cursor = start;
  for (const [s, e] of spans) {
    if (s < start || e > end) continue;
    out.push(escapeHtml(cut(cursor, s)));
    out.push('<mark>' + escapeHtml(cut(s, e)) + '</mark>');
    cursor = e;
  }
  out.push(escapeHtml(cut(cursor, end)));
  if (end < hi) out.push('…');
  return [out.join('').replaceAll('\n', ' ').replaceAll('\t', ' '), cluster];
}

/** The anchor and title of the heading whose section holds character `at` (headings are
 * flat `offset, anchor, ...`), or [null, null] before the first heading or with no match.
 * `chars`: the text as byCodePoint gives it. */
export function sectionAt(chars, headings, at) {
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

/** The MAX_SECTIONS sections (headings with an anchor) holding the most matches (`spans`,
 * from markSpans), in page order, each with its anchor, title and own excerpt: in a long
 * post, the other places a reader may want to jump to. Ties go to the earlier section. */
export function sections(chars, headings, spans) {
  const starts = headings.filter((_, i) => i % 2 === 0);
  const counts = starts.map(() => 0);
  let k = -1;
  for (const [s] of spans) {
    // spans rise, so the section they fall in only moves on
    while (k + 1 < starts.length && starts[k + 1] <= s) k++;
    if (k >= 0) counts[k]++;
  }
  const best = counts
    .map((n, k) => [-n, k])
    .filter(([n, k]) => n && headings[2 * k + 1])
    .sort(byKeys)
    .slice(0, MAX_SECTIONS);
  return best
    .map(([, k]) => k)
    .sort((a, b) => a - b)
    .map((k) => sectionOf(chars, headings, k, spans));
}

/** Section k's anchor, title (its heading line) and the excerpt of what follows it. */
export function sectionOf(chars, headings, k, spans) {
  const start = headings[2 * k];
  const end = 2 * k + 2 < headings.length ? headings[2 * k + 2] : chars.length;
  const line = chars.indexOf('\n', start);
  const titleEnd = line >= 0 && line < end ? line : end;
  const [shown] = excerptIn(chars, spans, Math.min(titleEnd + 1, end), end);
  return { anchor: headings[2 * k + 1], title: [...chars.slice(start, titleEnd)].join(''), excerpt: shown };
}

/** Every spelling to mark: the query's own surfaces, the terms and their other forms,
 * longest first (then in code point order). */
export function needlesFor(pieces, terms) {
  const found = [];
  const seen = new Set(); // Python asks the list; a Set answers the same, faster
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
