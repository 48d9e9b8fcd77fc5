// core.js: what the build and the query side share (core.py). `node --test tests/js/`;
// tests/test_parity.py checks that its constants equal Python's.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  compare,
  fold,
  gramShard,
  gramsOf,
  isGramChar,
  rangeShard,
  shardOf,
  undeltas,
} from '../../src/postsearch/web/src/core.js';

test('fold: NFKC, then lower case per code point, lengths kept', () => {
  assert.equal(fold('ＡＷＳ ２０２４年'), 'aws 2024年');
  assert.equal(fold('ｻｰﾊﾞｰ'), 'サーバー'); // half-width kana and voicing mark compose
  assert.equal(fold('İstanbul'), 'İstanbul'); // İ lower-cases to two code points: kept
  assert.equal(fold('ΑΣ'), 'ασ'); // per code point: no final sigma ς
  assert.equal(fold('ﬁ①㍻'), 'fi1平成');
  assert.equal(fold('Straße ẞ'), 'straße ß');
  assert.equal(fold('🚄Ｄocker'), '🚄docker');
  assert.equal(fold('𐐀'), '𐐨'); // astral letters have case too
  // Unassigned in Unicode 14.0 (Python 3.11): left alone even where the engine knows better.
  assert.equal(fold('\u1c89\ua7f1\u{1e030}'), '\u1c89\ua7f1\u{1e030}');
  assert.equal(fold('e\u0301\u{1e030}ｶﾞ'), 'é\u{1e030}ガ');
});

test('kana/kanji n-grams and their shards, by code point', () => {
  assert.ok(isGramChar('々') && isGramChar('ア') && !isGramChar('a'));
  assert.ok(!isGramChar('𠮷')); // astral kanji lie outside GRAM_RANGES, in both languages
  assert.deepEqual(gramsOf('ab京都々x都々'), ['京都々', '都々']); // a run of two: itself
  assert.deepEqual(gramsOf('設定を変更'), ['を変更', '定を変', '設定を']); // a long run: its trigrams
  assert.deepEqual(gramsOf('京 都'), []);
  assert.deepEqual([gramShard('京都', 97), gramShard('𠮷野家', 97)], [14, 38]); // as core.py: code points
  assert.equal(shardOf('🚄x', 7), 0x1f684 % 7);
});

test('rangeShard finds the last shard whose first key is not after the key', () => {
  const firsts = ['', 'k', '～', '🚄'];
  assert.deepEqual(['a', 'k', 'z', '～～', '🚄', '𠮷'].map((k) => rangeShard(k, firsts)), [0, 1, 1, 2, 3, 3]);
  assert.equal(rangeShard('x', []), 0);
  assert.equal(compare('\uffff', '😀'), -1); // code point order, as core.py's compare
});

test('undeltas: rising ids from their differences', () => {
  assert.deepEqual(undeltas([3, 1, 4]), [3, 4, 8]);
  assert.deepEqual(undeltas([]), []);
});
