// match.js: which posts a query's pieces and clauses match (mirrors query/match.py).
// Phrases and exclusions gather each piece's posts once per query and its positions once per
// field and post, never once per post or start. When fewer posts than asked for match, posts
// with some of the query's words match partially: the words are the required lexicon pieces
// of its word clauses. A query keeps at most MAX_WORDS words, its rarest (limitWords).

import { intersection } from './compat.js';
import { UNCOVERED_COST } from './parse.js';

/** A piece a post must match: a word, or a fallback (stops never need to). */
export function isRequired(piece) {
  return piece.terms.length > 0 || piece.prefixTerms.length > 0 || piece.fallback;
}

/** Pieces hits are scored on: those of word and phrase clauses, stops left out. */
export function neededPieces(clauses) {
  return clauses.filter((c) => c.kind !== 'not').flatMap((c) => c.pieces.filter(isRequired));
}

export const MAX_WORDS = 16; // required pieces a query keeps: its rarest (a pasted paragraph costs a bounded number)

/** The words of a query partial matching counts: the required lexicon pieces of its word
 * and phrase clauses (exclusions stay whole; stops never count). */
export function wordPieces(clauses) {
  return clauses.filter((c) => c.kind !== 'not').flatMap((c) => c.words.filter(isRequired));
}

/** Keep at most MAX_WORDS distinct required pieces (by surface; a repeated word is one) in
 * the word and phrase clauses: the rarest by the lexicon's cost (a piece no surface covers
 * costs UNCOVERED_COST), ties in query order; the others become stops, before any term is
 * read (match.py). */
export function limitWords(clauses, lexicon) {
  const pieces = clauses.filter((c) => c.kind !== 'not').flatMap((c) => c.pieces.filter(isRequired));
  const surfaces = [...new Set(pieces.map((p) => p.surface))];
  if (surfaces.length <= MAX_WORDS) return;
  const cost = new Map(surfaces.map((s) => [s, lexicon.has(s) ? lexicon.get(s).cost : UNCOVERED_COST]));
  const kept = new Set([...surfaces].sort((a, b) => cost.get(b) - cost.get(a)).slice(0, MAX_WORDS)); // stable
  for (const piece of pieces) {
    if (!kept.has(piece.surface)) Object.assign(piece, { terms: [], prefixTerms: [], grams: [], fallback: false, dropped: true });
  }
}

/** Posts that have every one of these n-grams (none: no posts). */
export function postsWithGrams(wanted, grams) {
  let found = new Set(wanted.length ? grams.get(wanted[0]) : []);
  for (const gram of wanted.slice(1)) found = intersection(found, grams.get(gram) ?? new Set());
  return found;
}

/** Posts containing any term of the piece or all of its spelling's n-grams; for a
 * fallback piece, every n-gram of it. */
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
 * its n-grams: however the post's words were cut); null if the clause requires nothing. */
export function clausePosts(clause, terms, grams) {
  let found = null;
  for (const piece of clause.pieces) {
    if (isRequired(piece)) {
      const posts = postsWith(piece, terms, grams);
      found = found === null ? posts : intersection(found, posts);
    }
  }
  if (found !== null && clause.grams.length) for (const post of postsWithGrams(clause.grams, grams)) found.add(post);
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
    // each piece's positions once per field, not once per start
    const at = anchored.map((p) => positionsOf(p, post, field, terms));
    for (const start of at[0]) if (anchored.every((p, k) => at[k].has(start + p.qpos - first.qpos))) return true;
  }
  return false;
}

/** Whether a post has every piece of the clause (in sequence for phrases and exclusions). */
export function clauseMatches(clause, post, fields, terms, grams) {
  const pieces = clause.pieces.filter(isRequired);
  // once per piece, not once per post: that cost posts x postings
  for (const p of pieces) p.posts ??= postsWith(p, terms, grams);
  if (!pieces.length || pieces.some((p) => !p.posts.has(post))) return false;
  return clause.kind === 'word' || inSequence(pieces, post, fields, terms);
}
