// rank.js: scores and order (query/rank.py). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodePostings } from '../../src/postsearch/web/src/decode.js';
import { ADJACENCY, idf, PREFIX_WEIGHT, ranked, scores } from '../../src/postsearch/web/src/rank.js';
import { random } from './helpers.mjs';

test('idf rounds like Python math.log', () => {
  // math.log(3) + 1 == 2.09861228866811 in Python; Math.log(3) + 1 == 2.0986122886681096
  assert.equal(idf(3, 0), 2.09861228866811);
  assert.equal(idf(22, 21), 1);
  assert.equal(idf(22, 0), 4.091042453358316);
});

test('scores: terms, then prefix terms at PREFIX_WEIGHT, spelling only as n-grams', () => {
  const index = {
    postCount: 4,
    fieldCount: 1,
    weights: [1, 1, 1, 2],
    lengths: [3, 3, 3, 3],
    averages: [3],
    k1: 1.2,
    b: 0.75,
    terms: new Map([
      ['京都', decodePostings([0, 1, 1, 1, 1, 2], 1)], // posts 0 (tf 1) and 1 (tf 2)
      ['京都府', decodePostings([1, 1, 1], 1)], // post 1
    ]),
    grams: new Map([['京都', new Set([0, 1, 2])]]),
    boosts: new Map([[1, 2]]), // post 1 weighs twice
  };
  const piece = { surface: '京都', terms: ['京都'], prefixTerms: ['京都府'], grams: [], spelled: ['京都'] };
  const totals = scores([0, 1, 2], [piece], index);
  const one = idf(4, 2) * ((1 * 2.2) / (1 + 1.2)); // tf 1 in a field of average length
  const two = idf(4, 2) * ((2 * 2.2) / (2 + 1.2));
  const prefix = PREFIX_WEIGHT * idf(4, 1) * ((1 * 2.2) / (1 + 1.2));
  assert.equal(totals.get(0), one);
  assert.equal(totals.get(1), (two + prefix) * 2); // weighted twice (manifest boosts)
  assert.equal(totals.get(2), 2 * idf(4, 3)); // by its spelling only: weights[GRAM_FIELD] × idf
});

test('ranked: tiers of clauses as typed, then score, then id; a limit cuts the same order short', () => {
  const next = random(7);
  for (let round = 0; round < 200; round++) {
    const posts = [...Array(1 + Math.floor(next() * 40)).keys()];
    const totals = new Map(posts.map((p) => [p, Math.floor(next() * 5) / 4 + 0.5])); // with ties
    const grams = new Map();
    const clauses = [];
    for (let c = Math.floor(next() * 4); c > 0; c--) {
      const gram = `g${c}`;
      grams.set(gram, new Set(posts.filter(() => next() < 0.4)));
      clauses.push({ kind: next() < 0.8 ? 'word' : 'phrase', grams: [gram] });
    }
    const all = ranked(posts, totals, clauses, grams, null);
    assert.deepEqual(all.map(([, p]) => p).sort((a, b) => a - b), posts);
    const typed = (p) => clauses.filter((c) => c.kind === 'word' && grams.get(c.grams[0]).has(p)).length;
    for (let i = 1; i < all.length; i++) {
      const [[s1, p1], [s2, p2]] = [all[i - 1], all[i]];
      assert.ok(typed(p1) > typed(p2) || (typed(p1) === typed(p2) && (s1 > s2 || (s1 === s2 && p1 < p2))));
    }
    for (const [s, p] of all) assert.equal(s, totals.get(p) * (1 + ADJACENCY * typed(p)));
    for (const limit of [0, 1, 3, 10, 50]) {
      assert.deepEqual(ranked(posts, totals, clauses, grams, limit), all.slice(0, limit));
    }
  }
});
