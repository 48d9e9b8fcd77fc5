// compat.js: where JavaScript and Python disagree by default. `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  bisectLeft,
  byCodePoint,
  byKeys,
  compare,
  cpLength,
  intersection,
  log,
  nfkc,
  lowerPerCodePoint,
  pySplit,
  pyStrip,
} from '../../src/postsearch/web/src/compat.js';

test('compare sorts by code point, not UTF-16 unit', () => {
  assert.equal(compare('🚄', '～'), 1); // U+1F684 > U+FF5E, though '\ud83d' < '\uff5e'
  assert.equal(compare('～', '🚄'), -1);
  assert.equal(compare('ab', 'ab'), 0);
  assert.equal(compare('ab', 'abc'), -1);
  assert.equal(compare('😀', '😁'), -1);
  assert.deepEqual(['🚄', '～', 'a', '', 'ｚ', '𠮷'].sort(compare), ['', 'a', 'ｚ', '～', '🚄', '𠮷']);
});

test('byKeys orders like Python tuples, bisectLeft like bisect.bisect_left', () => {
  const keys = [[2, 'b'], [1, '🚄'], [1, '～'], [2, 'a']];
  assert.deepEqual(keys.sort(byKeys), [[1, '～'], [1, '🚄'], [2, 'a'], [2, 'b']]);
  const sorted = ['a', 'ab', 'b', '～', '🚄'];
  assert.deepEqual(['', 'ab', 'aa', '🚄', '𠮷'].map((k) => bisectLeft(sorted, k)), [0, 1, 1, 4, 5]);
});

test('Python whitespace: pySplit and pyStrip', () => {
  assert.deepEqual(pySplit('a\x1cb\x85c\u3000d'), ['a', 'b', 'c', 'd']); // Python splits there
  assert.deepEqual(pySplit('a\ufeffb'), ['a\ufeffb']); // and not there (JavaScript's \s would)
  assert.deepEqual(pySplit(' \t '), []);
  assert.equal(pyStrip('\u3000 a b\x85'), 'a b');
});

test('nfkc and lowerPerCodePoint leave code points unknown to Unicode 14.0 alone', () => {
  assert.equal(nfkc('e\u0301\u{1e030}ｶﾞ'), 'é\u{1e030}ガ');
  assert.equal(lowerPerCodePoint('\u1c89\ua7f1'), '\u1c89\ua7f1'); // assigned since, with case
  assert.equal(lowerPerCodePoint('İ🚄AΣ'), 'İ🚄aσ'); // per code point, lengths kept, no final sigma
});

test('code points: cpLength and byCodePoint', () => {
  assert.equal(cpLength('a🚄\ud800'), 3); // a lone surrogate counts one, as in Python
  assert.equal(byCodePoint('abc'), 'abc');
  assert.deepEqual(byCodePoint('a🚄b'), ['a', '🚄', 'b']);
});

test('intersection of Sets and Map keys, whichever is smaller', () => {
  const big = new Map([1, 2, 3, 4, 5].map((k) => [k, 0]));
  assert.deepEqual([...intersection(new Set([5, 9, 1]), big)].sort(), [1, 5]);
  assert.deepEqual([...intersection(big, new Set([5, 9, 1]))].sort(), [1, 5]);
  assert.equal(intersection(new Set(), big).size, 0);
});

test('log rounds like Python math.log', () => {
  assert.equal(log(3), 1.0986122886681098); // Math.log(3) is 1.0986122886681096 on V8
  assert.equal(log(1), 0);
  assert.equal(log(22), 3.091042453358316);
});
