// match.js: which posts pieces and clauses match (query/match.py). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodePostings } from '../../src/postsearch/web/src/decode.js';
import { clauseMatches, clausePosts, postsWith, postsWithGrams } from '../../src/postsearch/web/src/match.js';

const piece = (surface, terms, qpos = 0) => ({
  surface,
  terms,
  qpos,
  fallback: false,
  grams: [],
  prefixTerms: [],
  spelled: [],
});

test('prototype keys are ordinary terms', () => {
  const terms = new Map([
    ['constructor', decodePostings([0, 1, 1], 1)],
    ['__proto__', decodePostings([0, 1, 1, 1, 1, 1], 1)],
    ['tostring', decodePostings([2, 1, 1], 1)],
  ]);
  const p = piece('x', ['__proto__', 'hasOwnProperty', 'toString']);
  assert.deepEqual([...postsWith(p, terms, new Map())], [0, 1]);
});

test('n-grams: all of them; a clause as typed adds its posts', () => {
  const grams = new Map([
    ['京都', new Set([1, 2, 3])],
    ['都へ', new Set([2, 3, 4])],
  ]);
  assert.deepEqual([...postsWithGrams(['京都', '都へ'], grams)].sort(), [2, 3]);
  assert.deepEqual([...postsWithGrams(['京都', 'ない'], grams)], []);
  assert.deepEqual([...postsWithGrams([], grams)], []);
  const terms = new Map([['京都', decodePostings([1, 1, 1], 1)]]);
  const clause = { kind: 'word', text: '京都へ', pieces: [piece('京都', ['京都'])], grams: ['京都', '都へ'] };
  assert.deepEqual([...clausePosts(clause, terms, grams)].sort(), [1, 2, 3]);
  assert.equal(clausePosts({ ...clause, pieces: [piece('へ', [])] }, terms, grams), null); // only a stop
});

test('phrases and exclusions read each postings list once, not once per post', () => {
  /** Postings that count how often they are read whole. */
  class CountingPostings extends Map {
    reads = 0;

    keys() {
      this.reads++;
      return super.keys();
    }
  }
  const posts = [...Array(2000).keys()];
  const entry = (kept, at) => {
    const e = decodePostings([], 5);
    e.postings = new CountingPostings(kept.map((p) => [p, [1, 0, 0, 0, 0]]));
    e.positions = new Map(kept.map((p) => [p, [[at(p)], null, null, null, null]]));
    return e;
  };
  const kyoto = entry(posts, () => 3);
  const osaka = entry(
    posts.filter((p) => p % 2 === 0),
    (p) => (p % 4 === 0 ? 4 : 7),
  );
  const terms = new Map([
    ['京都', kyoto],
    ['大阪', osaka],
  ]);
  const pieces = [piece('京都', ['京都'], 0), piece('大阪', ['大阪'], 1)];
  const phrase = { kind: 'phrase', text: '京都大阪', pieces, grams: [] };
  const exclusion = { kind: 'not', text: '大阪', pieces: [piece('大阪', ['大阪'], 0)], grams: [] };
  const count = (clause) => posts.filter((p) => clauseMatches(clause, p, 5, terms, new Map())).length;
  assert.equal(count(phrase), 500); // 大阪 right after 京都
  assert.equal(count(exclusion), 1000);
  assert.equal(kyoto.postings.reads + osaka.postings.reads, 3); // was 5,000
});
