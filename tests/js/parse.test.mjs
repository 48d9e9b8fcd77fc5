// parse.js: clauses and pieces (query/parse.py). `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compare } from '../../src/postsearch/web/src/compat.js';
import { decodeLexicon } from '../../src/postsearch/web/src/decode.js';
import {
  backtrack,
  isWordChar,
  KNOWN,
  longerSurfaces,
  parseQuery,
  PREFIX_SURFACES,
  prefixTerms,
  segment,
  splitWords,
  UNCOVERED,
} from '../../src/postsearch/web/src/parse.js';
import { CountingMap, counted, random } from './helpers.mjs';

test('parseQuery: phrases, exclusions, tags and Python whitespace', () => {
  const kinds = (q) => parseQuery(q).map((c) => `${c.kind}:${c.text}`);
  assert.deepEqual(kinds('新幹線 "東京駅 から" -京都 - --x'), ['word:新幹線', 'phrase:東京駅 から', 'not:京都', 'not:-x']);
  assert.deepEqual(kinds('"unclosed phrase'), ['word:unclosed', 'word:phrase']);
  assert.deepEqual(kinds('a\x1cb\x85c'), ['word:a', 'word:b', 'word:c']); // Python splits there
  assert.deepEqual(kinds('a\ufeffb'), ['word:a\ufeffb']); // and not there (JavaScript's \s would)
  assert.deepEqual(kinds('a\u3000b'), ['word:a', 'word:b']);
  assert.deepEqual(kinds(' \t '), []);
  assert.deepEqual(kinds('tag:React category:旅行 tag: 新幹線'), ['tag:react', 'tag:旅行', 'word:tag:', 'word:新幹線']);
});

test('isWordChar and splitWords follow unicodedata categories L and N', () => {
  assert.ok(isWordChar('あ') && isWordChar('Ⅻ') && isWordChar('²') && isWordChar('𠮷'));
  assert.ok(!isWordChar('🚄') && !isWordChar('_') && !isWordChar('\u0301'));
  assert.ok(isWordChar('ー')); // the long vowel mark is a letter (Lm)
  assert.ok(!isWordChar('\u1c89')); // a letter since Unicode 16, unassigned for Python 3.11
  assert.deepEqual(splitWords('a-b🚄c1__d'), ['a', 'b', 'c1', 'd']);
  assert.deepEqual(splitWords('ab漢字かなカナ12x'), ['ab', '漢字かなカナ', '12x']);
});

test('segment: fewest pieces, earlier longer surface wins ties, fallback runs', () => {
  const lexicon = new Map();
  const rows = [['新幹線', 2, 10, '', '新', '幹線'], ['新', 1, 8, ''], ['幹線', 1, 9, ''], ['で', 1, 3], ['京都', 1, 9, ''], ['doc', 1, 12, '']];
  const longest = decodeLexicon(rows, lexicon);
  const cut = (q) => segment(q, lexicon, longest).map((p) => `${p.surface}@${p.qpos}${p.fallback ? '?' : ''}`);
  assert.deepEqual(cut('新幹線で京都'), ['新幹線@0', 'で@2', '京都@3']);
  assert.deepEqual(cut('🚄新幹線x-y京都'), ['新幹線@0', 'x@2?', 'y@3?', '京都@4']);
  assert.deepEqual(cut('ab'), ['ab@0?']);
  assert.deepEqual(cut('doc docker'), ['doc@0', 'docker@1?']); // never doc + ker
  assert.deepEqual(cut('大阪旅行docs'), ['大阪旅行@0?', 'docs@1?']);
  assert.deepEqual(segment('大阪旅行', lexicon, longest)[0].grams, ['大阪旅', '阪旅行']); // its trigrams
});

test('backtrack: the cheapest way, uncovered characters side by side in one cut', () => {
  const back = [[0, UNCOVERED], [0, UNCOVERED], [1, UNCOVERED], [2, KNOWN], [3, UNCOVERED]];
  assert.deepEqual(backtrack(back), [[0, 2, UNCOVERED], [2, 3, KNOWN], [3, 4, UNCOVERED]]);
  assert.deepEqual(backtrack([[0, UNCOVERED]]), []);
});

test('prototype keys are ordinary surfaces and terms', () => {
  const lexicon = new Map();
  const longest = decodeLexicon(
    [
      ['__proto__', 1, 5, ''],
      ['constructor', 1, 5, ''],
      ['hasownproperty', 1, 5, ''],
      ['tostring', 1, 5, 'to', 'string'],
    ],
    lexicon,
  );
  assert.deepEqual(
    segment('constructor __proto__ tostring', lexicon, longest).map((p) => [p.surface, p.terms, p.qpos]),
    [
      ['constructor', ['constructor'], 0],
      ['__proto__', ['__proto__'], 1],
      ['tostring', ['string', 'to'].sort(compare), 2],
    ],
  );
  assert.deepEqual(segment('valueof', lexicon, longest)[0], {
    surface: 'valueof',
    terms: [],
    qpos: 0,
    fallback: true,
    grams: [],
    prefixTerms: [],
    spelled: [],
  });
  const surfacesOf = () => [...lexicon.keys()].sort(compare);
  assert.deepEqual(prefixTerms('con', surfacesOf, lexicon, []), ['constructor']);
  assert.deepEqual(prefixTerms('valueOf', surfacesOf, lexicon, []), []);
  assert.deepEqual(segment('__pro', lexicon, longest, surfacesOf)[0].prefixTerms, ['__proto__']);
});

test('longerSurfaces keeps the 16 shortest surfaces in code point order, like parse.py', () => {
  const lexicon = new Map();
  const rows = [];
  for (let i = 0; i < 40; i++) rows.push([`a${'x'.repeat(i % 5)}${String(i).padStart(2, '0')}`, 1, 7, '']);
  rows.push(['a😀', 1, 7, ''], ['a\uffff', 1, 7, ''], ['ab', 1, 1], ['b', 1, 7, '']);
  decodeLexicon(rows, lexicon);
  const sorted = [...lexicon.keys()].sort(compare);
  const kept = longerSurfaces('a', () => sorted, lexicon);
  assert.equal(kept.length, PREFIX_SURFACES);
  assert.deepEqual(kept.slice(0, 2), ['a\uffff', 'a😀']); // two code points, code point order
  assert.ok(!kept.includes('ab')); // a stop surface
});

test('segmenting a 20,000-character word costs n x longest probes and a few longerSurfaces calls', () => {
  const words = ['新幹線', '幹線', '新', '京都', '大阪', 'へ', 'で', '行く', '旅行', '予約', '東京駅', '乗り換え案内'];
  const lexicon = new CountingMap();
  const longest = decodeLexicon(
    [...words.map((w) => [w, 1, 3 + w.length, '']), ['形態素解析入門書', 1, 20, '']],
    lexicon,
  );
  assert.equal(longest, 8);
  const next = random(10);
  let word = '';
  while (word.length < 20000) word += words[Math.floor(next() * words.length)];
  word += '形態素解'; // ends with the start of a longer surface
  const n = word.length;
  const sorted = [...lexicon.keys()].sort(compare);
  const [calls, surfacesOf] = counted((c) => sorted.filter((s) => s.startsWith(c)));
  lexicon.lookups = 0;
  const pieces = segment(word, lexicon, longest, surfacesOf);
  assert.equal(pieces.map((p) => p.surface).join(''), word);
  const last = pieces[pieces.length - 1];
  assert.deepEqual([last.surface, last.prefixTerms], ['形態素解', ['形態素解析入門書']]);
  assert.ok(pieces.every((p) => !p.fallback));
  // a probe per substring tried, a lookup per piece cut, and the prefix's few (not growing with n)
  assert.ok(lexicon.lookups <= n * (longest + 1) + 1000, `${lexicon.lookups} lookups`);
  assert.ok(calls.n <= longest + 2, `${calls.n} longerSurfaces calls`); // was n - 1
});
