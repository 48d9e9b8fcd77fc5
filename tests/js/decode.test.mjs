// decode.js: the index files' rows (docs/format.md). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  decodeIds,
  decodeLengths,
  decodeLexicon,
  decodePositions,
  decodePostings,
} from '../../src/postsearch/web/src/decode.js';

test('decodeLexicon: "" is the surface itself, no terms a stop, longest in code points', () => {
  const lexicon = new Map();
  const longest = decodeLexicon(
    [
      ['__proto__', 1, 5, ''],
      ['tostring', 1, 5, 'to', 'string'],
      ['🚄🚄', 2, 9],
    ],
    lexicon,
  );
  assert.equal(longest, 9);
  assert.deepEqual(lexicon.get('__proto__'), { width: 1, cost: 5, terms: ['__proto__'] }); // a plain key
  assert.deepEqual(lexicon.get('tostring').terms, ['to', 'string']);
  assert.deepEqual(lexicon.get('🚄🚄'), { width: 2, cost: 9, terms: [] });
  assert.equal(decodeLexicon([['🚄🚄', 1, 1]], new Map()), 2);
});

test('decodeLengths and decodeIds', () => {
  assert.deepEqual(decodeLengths([[0, 1, 2, 3, 4, 5, 6, 8], [1, 7], [0, 2]]), [1, 0, 8, 2]);
  assert.deepEqual(decodeLengths([[0]]), []);
  assert.deepEqual([...decodeIds([2, 1, 5])], [2, 3, 8]);
});

test('decodePostings and decodePositions', () => {
  // post 3: field 0 at 4 and 5, field 3 at 0; post 5: field 1 at 7
  const entry = decodePostings([3, 0b1001, 2, 1, 2, 0b0010, 1], 4);
  assert.deepEqual([...entry.postings], [
    [3, [2, 0, 0, 1]],
    [5, [0, 1, 0, 0]],
  ]);
  assert.deepEqual(entry.df, [1, 1, 0, 1]);
  decodePositions([4, 1, 0, 7], entry);
  assert.deepEqual([...entry.positions], [
    [3, [[4, 5], null, null, [0]]],
    [5, [null, [7], null, null]],
  ]);
});
