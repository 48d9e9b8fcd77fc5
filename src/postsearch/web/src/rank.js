// rank.js: scoring and ordering the posts that matched (mirrors query/rank.py, whose
// docstring tells the model), with the same order of additions, so scores are the same
// floating-point numbers, and the same tiers, sorted only as far as `limit` needs.

import { intersection, log } from './compat.js';
import { postsWithGrams } from './match.js';

export const PREFIX_WEIGHT = 0.25; // a word matched by its start counts a quarter: finished words rank first
export const ADJACENCY = 1.0; // each clause whose pieces stand together in a post adds this to its score factor
export const GRAM_FIELD = 3; // n-gram pieces score with the weight of this field (body)

/** whoosh's idf: log(N / (df + 1)) + 1 (`log` from compat.js: Math.log may be a unit off). */
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

/** A term's BM25F score in a post that has it: Σ over fields (field order) of weight x
 * BM25. Kept on the entry once computed: typing a query repeats its terms. */
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

/** `totals[post] += value(post)` for each post. (Python's add_to takes an iterator of values
 * so that its loop runs in C; a plain loop is what is fast here.) */
export function addTo(totals, posts, value) {
  for (const post of posts) totals.set(post, totals.get(post) + value(post));
}

/** Each post's score (a Map): Σ over pieces, then their terms and prefix terms (in that
 * fixed order), of w x termScore, w 1 for a term and PREFIX_WEIGHT for a prefix term; a
 * piece a post has by its spelling only scores as n-grams. Worked out term by term over the
 * posts that have the term, so a frequent word costs one addition per post. A weighted
 * page's total is then multiplied by its weight. */
export function scores(posts, pieces, index) {
  const totals = new Map(posts.map((post) => [post, 0.0]));
  for (const piece of pieces) {
    if (piece.grams.length) {
      const value = gramScore(piece.grams, index);
      addTo(totals, posts, () => value);
      continue;
    }
    const scored = new Set();
    for (const [terms, weight] of [
      [piece.terms, 1.0],
      [piece.prefixTerms, PREFIX_WEIGHT],
    ]) {
      for (const term of terms) {
        const entry = index.terms.get(term);
        if (entry === undefined) continue;
        const common = intersection(totals, entry.postings);
        if (entry.scores.size < entry.postings.size) {
          // not every post scored yet
          for (const post of common) if (!entry.scores.has(post)) termScore(entry, post, index); // kept on the entry
        }
        addTo(totals, common, (post) => weight * entry.scores.get(post));
        for (const post of common) scored.add(post);
      }
    }
    if (piece.spelled.length && scored.size < totals.size) {
      // some post may have it by spelling only
      const value = gramScore(piece.spelled, index);
      const only = [...intersection(postsWithGrams(piece.spelled, index.grams), totals)].filter((p) => !scored.has(p));
      addTo(totals, only, () => value);
    }
  }
  for (const [post, weight] of index.boosts) if (totals.has(post)) totals.set(post, totals.get(post) * weight); // weighted pages
  return totals;
}

/** The first `limit` (null: all) `[score, post]`, best first: posts with more word
 * clauses as typed (all the clause's n-grams) first, then by score (raised by ADJACENCY
 * for each such clause), then by id. `posts` come sorted by id and the sorts are stable;
 * a tier's posts are only sorted if the ones above it leave room. */
export function ranked(posts, totals, clauses, grams, limit) {
  const adjacent = new Map();
  for (const c of clauses) {
    if (c.kind !== 'word' || !c.grams.length) continue;
    for (const post of intersection(postsWithGrams(c.grams, grams), totals)) {
      adjacent.set(post, (adjacent.get(post) ?? 0) + 1);
    }
  }
  const order = [];
  const tiers = [...new Set([0, ...adjacent.values()])].sort((a, b) => b - a);
  for (const n of tiers) {
    const room = limit === null ? null : limit - order.length;
    if (room !== null && room <= 0) break;
    let tier = posts;
    let values = totals;
    if (n === 0) {
      if (adjacent.size) tier = posts.filter((post) => !adjacent.has(post));
    } else {
      tier = [...adjacent.keys()].filter((p) => tiers.length === 2 || adjacent.get(p) === n).sort((a, b) => a - b);
      values = new Map(tier.map((post) => [post, totals.get(post) * (1 + ADJACENCY * n)]));
    }
    const best = [...tier].sort((a, b) => values.get(b) - values.get(a)); // stable: by id at a tie
    for (const post of best.slice(0, room ?? best.length)) order.push([values.get(post), post]);
  }
  return order;
}

/** Per post, the share of the words' idf weight it has (words in query order). */
export function coordinations(posts, wordPosts, postCount) {
  const weights = wordPosts.map((found) => idf(postCount, found.size));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const shares = new Map();
  for (const post of posts) {
    let have = 0.0;
    weights.forEach((weight, i) => {
      if (wordPosts[i].has(post)) have += weight;
    });
    shares.set(post, total ? have / total : 0.0);
  }
  return shares;
}

/** The first `limit` (null: all) partial matches, `[score x coordination², post]`, best
 * first, then by id (`posts` come sorted by id; the sort is stable). */
export function partiallyRanked(posts, totals, shares, limit) {
  const values = new Map(posts.map((post) => [post, totals.get(post) * shares.get(post) * shares.get(post)]));
  const best = [...posts].sort((a, b) => values.get(b) - values.get(a));
  return best.slice(0, limit ?? best.length).map((post) => [values.get(post), post]);
}
