// index.js: search on a real index (query/index.py). `node --test tests/js/`; these tests
// need POSTSEARCH_INDEX (tests/test_parity.py sets it) and pass without it (the parity
// test reports the missing variable).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import { MAX_QUERY_CHARS, openIndex } from '../../src/postsearch/web/src/index.js';
import { CountingMap, counted, diskLoader } from './helpers.mjs';

const dir = process.env.POSTSEARCH_INDEX;
const needsIndex = { skip: !dir && 'needs POSTSEARCH_INDEX' };

test('queries running at once share shard reads', needsIndex, async () => {
  const fresh = () => openIndex('', { load: diskLoader(dir) });
  const queries = ['新幹線', '京都 -大阪', 'サーバ', 'docker', '"東京駅から新大阪駅まで"'];
  const one = await fresh();
  const alone = [];
  for (const q of queries) alone.push(await one.search(q));
  const together = await Promise.all(queries.map(async (q) => (await fresh()).search(q)));
  const shared = await fresh();
  const atOnce = await Promise.all(queries.map((q) => shared.search(q)));
  for (let i = 0; i < queries.length; i++) {
    assert.deepEqual(together[i].hits, alone[i].hits);
    assert.deepEqual(atOnce[i].hits, alone[i].hits);
  }
  assert.equal(shared.bytesRead, one.bytesRead); // each shard read once
});

test('openIndex takes a fetch, here one of file URLs', needsIndex, async () => {
  const fetched = [];
  const fetchFile = async (url) => {
    fetched.push(url.href);
    return new Response(await readFile(url));
  };
  const index = await openIndex(pathToFileURL(dir), { fetch: fetchFile });
  const result = await index.search('新幹線');
  assert.ok(result.total > 0);
  assert.equal(fetched[0], pathToFileURL(join(dir, 'manifest.json')).href);
  let bytes = 0;
  for (const url of fetched) bytes += (await readFile(new URL(url))).byteLength;
  assert.equal(result.bytesRead, bytes);
  await assert.rejects(openIndex(pathToFileURL(join(dir, 'nowhere')), { fetch: fetchFile }));
});

test('a 100,000-character query is read up to MAX_QUERY_CHARS code points', needsIndex, async () => {
  const open = () => openIndex('', { load: diskLoader(dir) });
  const cap = MAX_QUERY_CHARS;
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
