// excerpt.js: what a hit shows (query/excerpt.py). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  escapeHtml,
  excerpt,
  foldSameLength,
  needlesFor,
  sectionAt,
} from '../../src/postsearch/web/src/excerpt.js';

test('foldSameLength keeps code point indexes', () => {
  assert.equal(foldSameLength('İ🚄AΣ'), 'İ🚄aσ');
  assert.equal(foldSameLength('ＡＢ'), 'ａｂ'); // no NFKC
});

test('excerpt counts code points (emoji) and escapes post text', () => {
  assert.deepEqual(excerpt('🚄<b>新幹線</b>🚄', ['新幹線']), ['🚄&lt;b&gt;<mark>新幹線</mark>&lt;/b&gt;🚄', 4]);
  const long = '🚄'.repeat(100) + '新幹線' + 'あ'.repeat(100);
  const [got] = excerpt(long, ['新幹線']);
  assert.equal(Array.from(got.replace(/<\/?mark>/g, '')).length, 120 + 2); // 120 characters and two …
  assert.ok(got.startsWith('…🚄') && got.endsWith('あ…'));
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('sectionAt: the heading whose section holds the match', () => {
  const text = 'はじめに\n前置きの文。\n使い方\n🚄新幹線の予約の話。';
  const headings = [0, 'intro', 12, 'usage'];
  assert.deepEqual(sectionAt(text, headings, 17), ['usage', '使い方']);
  assert.deepEqual(sectionAt(text, headings, 5), ['intro', 'はじめに']);
  assert.deepEqual(sectionAt(text, headings, -1), [null, null]);
});

test('needlesFor: surfaces, terms and forms once each, longest first', () => {
  const terms = new Map([['サーバー', { forms: ['サーバ', 'ｻｰﾊﾞ'] }]]);
  const pieces = [{ surface: 'サーバ', terms: ['サーバー'] }, { surface: 'a', terms: [] }];
  assert.deepEqual(needlesFor(pieces, terms), ['サーバー', 'ｻｰﾊﾞ', 'サーバ', 'a']);
});
