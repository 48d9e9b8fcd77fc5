// shards.js: the files of one build (query/shards.py). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkManifest, CorruptIndex, Shards } from '../../src/postsearch/web/src/shards.js';

const MANIFEST = {
  format: 'postsearch-index',
  version: 5,
  build: '0123456789abcdef',
  fields: ['title'],
  weights: [20],
  k1: 1.2,
  b: 0.75,
  postCount: 0,
  fieldTotals: [0],
  lengths: 'lengths.json',
  dates: 'dates.json',
  tags: 'tags.json',
  lexicon: 1,
  terms: [],
  positions: [],
  grams: 1,
  texts: [],
};

test('checkManifest refuses what the build does not write', () => {
  checkManifest(MANIFEST);
  const bad = [null, { ...MANIFEST, version: 4 }, { ...MANIFEST, k1: '1.2' }, { ...MANIFEST, lengths: '../x.json' }];
  for (const m of bad) assert.throws(() => checkManifest(m), CorruptIndex);
  assert.throws(() => checkManifest({ ...MANIFEST, weights: [] }), /not those of an index/);
});

test('a shard is read once by queries at once, and again after a failed read', async () => {
  const files = { 'manifest.json': MANIFEST, '0123456789abcdef/lengths.json': [[0], []] };
  let reads = 0;
  let fail = true;
  const shards = new Shards(async (name) => {
    reads++;
    if (name.endsWith('lexicon-0.json') && fail) throw new Error('offline');
    return new TextEncoder().encode(JSON.stringify(files[name] ?? [['a', 1, 1, '']]));
  });
  await shards.open();
  assert.equal(reads, 2);
  await assert.rejects(shards.ensureLexicon([0]), CorruptIndex); // not a rebuild: damaged
  fail = false;
  reads = 0;
  await Promise.all([shards.ensureLexicon([0, 0]), shards.ensureLexicon([0])]);
  assert.equal(reads, 1);
  assert.deepEqual(shards.surfacesOf('a'), ['a']);
});
