// Node's built-in test runner: `node --test tests/js/`.
//
// The parity test needs two environment variables (tests/test_parity.py sets them):
//   POSTSEARCH_INDEX   an index folder (postsearch.build of examples/site)
//   POSTSEARCH_PARITY  Python's answers for that index (tests/parity.py make_parity)
// It runs every query through web/postsearch.js, in the same order on one index, and
// expects the same answers: hits, order, totals, excerpts, bytes read; scores to 1e-9.
// The unit tests of each source module are beside it: <module>.test.mjs (web/src/<module>.js).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import * as ps from '../../src/postsearch/web/postsearch.js';

const diskLoader = (dir) => (name) => readFile(join(dir, name));

test('answers every parity query exactly as search.py', async () => {
  const { POSTSEARCH_INDEX: dir, POSTSEARCH_PARITY: parityFile } = process.env;
  assert.ok(
    dir && parityFile,
    'set POSTSEARCH_INDEX and POSTSEARCH_PARITY (tests/test_parity.py does it for you)',
  );
  const parity = JSON.parse(await readFile(parityFile, 'utf8'));
  assert.equal(
    parity.unicode,
    ps.UNICODE_VERSION,
    `Python's unicodedata is Unicode ${parity.unicode}, postsearch.js mirrors ${ps.UNICODE_VERSION}: ` +
      'regenerate UNASSIGNED_TABLE with `python tests/parity.py` and update UNICODE_VERSION',
  );
  const index = await ps.openIndex('', { load: diskLoader(dir) });
  const problems = [];
  let exact = 0;
  let scores = 0;
  for (const [n, expected] of parity.queries.entries()) {
    const where = `query #${n} ${JSON.stringify(expected.query).slice(0, 80)}`;
    let got;
    try {
      got = await index.search(expected.query, parity.limit, expected.options ?? {});
    } catch (error) {
      problems.push(`${where}: threw ${error.stack}`);
      continue;
    }
    if (got.total !== expected.total) problems.push(`${where}: total ${got.total}, Python ${expected.total}`);
    if (got.complete !== expected.complete) {
      problems.push(`${where}: complete ${got.complete}, Python ${expected.complete}`);
    }
    if (got.bytesRead !== expected.bytesRead) {
      problems.push(`${where}: bytes read ${got.bytesRead}, Python ${expected.bytesRead}`);
    }
    if (got.hits.length !== expected.hits.length) {
      problems.push(`${where}: ${got.hits.length} hits, Python ${expected.hits.length}`);
      continue;
    }
    expected.hits.forEach((want, i) => {
      const hit = got.hits[i];
      for (const key of ['path', 'url', 'title', 'date', 'tags', 'excerpt', 'anchor', 'section', 'missing', 'sections']) {
        try {
          assert.deepEqual(hit[key], want[key]);
        } catch {
          problems.push(`${where}: hit ${i} ${key}\n  js: ${JSON.stringify(hit[key])}\n  py: ${JSON.stringify(want[key])}`);
        }
      }
      scores++;
      if (hit.score === want.score) exact++;
      else if (!(Math.abs(hit.score - want.score) <= 1e-9)) {
        problems.push(`${where}: hit ${i} score ${hit.score}, Python ${want.score}`);
      }
    });
    assert.deepEqual(Object.keys(got).sort(), ['bytesRead', 'complete', 'hits', 'query', 'total']);
  }
  console.log(`# ${parity.queries.length} queries, ${scores} hits, ${exact} scores bit-identical to Python's`);
  assert.equal(problems.length, 0, `${problems.length} differences:\n${problems.slice(0, 30).join('\n')}`);
});
