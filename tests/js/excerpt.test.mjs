// excerpt.js: what a hit shows (query/excerpt.py). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  escapeHtml,
  excerpt,
  foldSameLength,
  needlesFor,
  markSpans,
  sectionAt,
  sections,
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
  assert.deepEqual(sectionAt(Array.from(text), headings, 17), ['usage', '使い方']);
  assert.deepEqual(sectionAt(Array.from(text), headings, 5), ['intro', 'はじめに']);
  assert.deepEqual(sectionAt(Array.from(text), headings, -1), [null, null]);
});

test('needlesFor: surfaces, terms and forms once each, longest first', () => {
  const terms = new Map([['サーバー', { forms: ['サーバ', 'ｻｰﾊﾞ'] }]]);
  const pieces = [{ surface: 'サーバ', terms: ['サーバー'] }, { surface: 'a', terms: [] }];
  assert.deepEqual(needlesFor(pieces, terms), ['サーバー', 'ｻｰﾊﾞ', 'サーバ', 'a']);
});

test('sections: the best three in page order, code points counted (as test_query_excerpt.py)', () => {
  const text =
    '前置きに新幹線の話。\n出発\n東京駅で新幹線の切符を買い、新幹線に乗った。\n' +
    '車内\n🚄車内で駅弁を食べた。新幹線は速い。\n' +
    '到着\n新大阪駅に着いた。新幹線を降りて、新幹線の写真と新幹線の動画を撮った。\n' +
    '帰り\n帰りも新幹線だった。\n付録\n新幹線の時刻表。\n';
  const chars = Array.from(text); // as byCodePoint gives a text with surrogate pairs
  const at = (title) => Array.from(text.slice(0, text.indexOf(title + '\n'))).length;
  const headings = [at('出発'), 'depart', at('車内'), 'train', at('到着'), 'arrive', at('帰り'), 'back', at('付録'), null];
  const got = sections(chars, headings, markSpans(text, ['新幹線']));
  assert.deepEqual(got.map((s) => s.anchor), ['depart', 'train', 'arrive']);
  assert.deepEqual(got.map((s) => s.title), ['出発', '車内', '到着']);
  assert.equal(got[0].excerpt, '東京駅で<mark>新幹線</mark>の切符を買い、<mark>新幹線</mark>に乗った。 ');
  assert.ok(got[1].excerpt.startsWith('🚄車内で'));
  assert.deepEqual(sections(chars, headings, markSpans(text, ['時刻表'])), []);
  assert.deepEqual(sections(chars, [], markSpans(text, ['新幹線'])), []);
});
