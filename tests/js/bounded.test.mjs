// Bounded work for long queries (issue #10), as tests/test_search.py checks search.py:
// counted with a Map that counts its lookups, never timed. `node --test tests/js/`; the
// index test needs POSTSEARCH_INDEX (tests/test_parity.py sets it).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import * as ps from '../../src/postsearch/web/postsearch.js';

/** A lexicon that counts its lookups (get and has). */
class CountingMap extends Map {
  lookups = 0;

  get(key) {
    this.lookups++;
    return super.get(key);
  }

  has(key) {
    this.lookups++;
    return super.has(key);
  }
}

/** `surfacesOf` and a counter of its calls: one per longerSurfaces call. */
function counted(surfacesOf) {
  const calls = { n: 0 };
  return [
    calls,
    (c) => {
      calls.n++;
      return surfacesOf(c);
    },
  ];
}

/** A seeded generator (mulberry32): the same word on every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('segmenting a 20,000-character word costs n x longest probes and a few longerSurfaces calls', () => {
  const words = ['新幹線', '幹線', '新', '京都', '大阪', 'へ', 'で', '行く', '旅行', '予約', '東京駅', '乗り換え案内'];
  const lexicon = new CountingMap();
  const longest = ps.decodeLexicon(
    [...words.map((w) => [w, 1, 3 + w.length, '']), ['形態素解析入門書', 1, 20, '']],
    lexicon,
  );
  assert.equal(longest, 8);
  const next = random(10);
  let word = '';
  while (word.length < 20000) word += words[Math.floor(next() * words.length)];
  word += '形態素解'; // ends with the start of a longer surface
  const n = word.length;
  const sorted = [...lexicon.keys()].sort(ps.compare);
  const [calls, surfacesOf] = counted((c) => sorted.filter((s) => s.startsWith(c)));
  lexicon.lookups = 0;
  const pieces = ps.segment(word, lexicon, longest, surfacesOf);
  assert.equal(pieces.map((p) => p.surface).join(''), word);
  const last = pieces[pieces.length - 1];
  assert.deepEqual([last.surface, last.prefixTerms], ['形態素解', ['形態素解析入門書']]);
  assert.ok(pieces.every((p) => !p.fallback));
  // a probe per substring tried, a lookup per piece cut, and the prefix's few (not growing with n)
  assert.ok(lexicon.lookups <= n * (longest + 1) + 1000, `${lexicon.lookups} lookups`);
  assert.ok(calls.n <= longest + 2, `${calls.n} longerSurfaces calls`); // was n - 1
});

test('a 100,000-character query is read up to MAX_QUERY_CHARS code points', async () => {
  const dir = process.env.POSTSEARCH_INDEX;
  if (!dir) return; // needs the index; the parity test reports the missing variable
  const open = () => ps.openIndex('', { load: (name) => readFile(join(dir, name)) });
  const cap = ps.MAX_QUERY_CHARS;
  const index = await open();
  const lexicon = (index.lexicon = new CountingMap());
  const [calls, surfacesOf] = counted(index.surfacesOf);
  index.surfacesOf = surfacesOf;

  const word = '新幹線で京都へ'.repeat(14286).slice(0, 100000);
  let result = await index.search(word);
  assert.equal(result.query, word.slice(0, cap));
  assert.ok(lexicon.lookups <= cap * (index.longest + 2), `${lexicon.lookups} lookups`); // was 3 million
  assert.ok(calls.n <= index.longest + 2, `${calls.n} longerSurfaces calls`); // was 100,000
  assert.deepEqual(result, await (await open()).search(word.slice(0, cap)));

  // Code points, not UTF-16 units: 450 emoji and their spaces are 900 of the 1,000.
  const words = '🚄 '.repeat(450) + '京都 '.repeat(40) + 'zqxjv '.repeat(20000); // zqxjv: in no post
  result = await index.search(words);
  const read = [...words].slice(0, cap).join('');
  assert.equal(result.query, read);
  assert.ok(read.endsWith(' 京都 京') && result.total > 0);
  assert.equal(result.total, (await (await open()).search(read)).total);
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
    const e = ps.decodePostings([], 5);
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
  const piece = (surface, qpos) => ({ surface, terms: [surface], qpos, fallback: false, grams: [], prefixTerms: [], spelled: [] });
  const phrase = { kind: 'phrase', text: '京都大阪', pieces: [piece('京都', 0), piece('大阪', 1)], grams: [] };
  const exclusion = { kind: 'not', text: '大阪', pieces: [piece('大阪', 0)], grams: [] };
  const count = (clause) => posts.filter((p) => ps.clauseMatches(clause, p, 5, terms, new Map())).length;
  assert.equal(count(phrase), 500); // 大阪 right after 京都
  assert.equal(count(exclusion), 1000);
  assert.equal(kyoto.postings.reads + osaka.postings.reads, 3); // was 5,000
});
