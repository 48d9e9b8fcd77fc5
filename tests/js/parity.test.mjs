// Node's built-in test runner: `node --test tests/js/`.
//
// The parity test needs two environment variables (tests/test_parity.py sets them):
//   POSTSEARCH_INDEX   an index folder (postsearch.build of examples/site)
//   POSTSEARCH_PARITY  Python's answers for that index (tests/parity.py make_parity)
// It runs every query through web/postsearch.js, in the same order on one index, and
// expects the same answers: hits, order, totals, excerpts, bytes read; scores to 1e-9.
// The other tests check the functions where JavaScript and Python disagree by default.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
    if (got.bytesRead !== expected.bytesRead) {
      problems.push(`${where}: bytes read ${got.bytesRead}, Python ${expected.bytesRead}`);
    }
    if (got.hits.length !== expected.hits.length) {
      problems.push(`${where}: ${got.hits.length} hits, Python ${expected.hits.length}`);
      continue;
    }
    expected.hits.forEach((want, i) => {
      const hit = got.hits[i];
      for (const key of ['path', 'url', 'title', 'date', 'tags', 'excerpt', 'anchor', 'section']) {
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
    assert.deepEqual(Object.keys(got).sort(), ['bytesRead', 'hits', 'query', 'total']);
  }
  console.log(`# ${parity.queries.length} queries, ${scores} hits, ${exact} scores bit-identical to Python's`);
  assert.equal(problems.length, 0, `${problems.length} differences:\n${problems.slice(0, 30).join('\n')}`);
});

test('fold: NFKC, then lower case per code point, lengths kept', () => {
  assert.equal(ps.fold('ＡＷＳ ２０２４年'), 'aws 2024年');
  assert.equal(ps.fold('ｻｰﾊﾞｰ'), 'サーバー'); // half-width kana and voicing mark compose
  assert.equal(ps.fold('İstanbul'), 'İstanbul'); // İ lower-cases to two code points: kept
  assert.equal(ps.fold('ΑΣ'), 'ασ'); // per code point: no final sigma ς
  assert.equal(ps.fold('ﬁ①㍻'), 'fi1平成');
  assert.equal(ps.fold('Straße ẞ'), 'straße ß');
  assert.equal(ps.fold('🚄Ｄocker'), '🚄docker');
  assert.equal(ps.fold('𐐀'), '𐐨'); // astral letters have case too
  // Unassigned in Unicode 14.0 (Python 3.11): left alone even where the engine knows better.
  assert.equal(ps.fold('\u1c89\ua7f1\u{1e030}'), '\u1c89\ua7f1\u{1e030}');
  assert.equal(ps.fold('e\u0301\u{1e030}ｶﾞ'), 'é\u{1e030}ガ');
});

test('foldSameLength keeps code point indexes', () => {
  assert.equal(ps.foldSameLength('İ🚄AΣ'), 'İ🚄aσ');
  assert.equal(ps.foldSameLength('ＡＢ'), 'ａｂ'); // no NFKC
});

test('isWordChar and splitWords follow unicodedata categories L and N', () => {
  assert.ok(ps.isWordChar('あ') && ps.isWordChar('Ⅻ') && ps.isWordChar('²') && ps.isWordChar('𠮷'));
  assert.ok(!ps.isWordChar('🚄') && !ps.isWordChar('_') && !ps.isWordChar('\u0301'));
  assert.ok(ps.isWordChar('ー')); // the long vowel mark is a letter (Lm)
  assert.ok(!ps.isWordChar('\u1c89')); // a letter since Unicode 16, unassigned for Python 3.11
  assert.deepEqual(ps.splitWords('a-b🚄c1__d'), ['a', 'b', 'c1', 'd']);
});

test('compare sorts by code point, not UTF-16 unit', () => {
  assert.equal(ps.compare('🚄', '～'), 1); // U+1F684 > U+FF5E, though '\ud83d' < '\uff5e'
  assert.equal(ps.compare('～', '🚄'), -1);
  assert.equal(ps.compare('ab', 'ab'), 0);
  assert.equal(ps.compare('ab', 'abc'), -1);
  assert.equal(ps.compare('😀', '😁'), -1);
  assert.deepEqual(['🚄', '～', 'a', '', 'ｚ', '𠮷'].sort(ps.compare), ['', 'a', 'ｚ', '～', '🚄', '𠮷']);
});

test('parseQuery: phrases, exclusions and Python whitespace', () => {
  const kinds = (q) => ps.parseQuery(q).map((c) => `${c.kind}:${c.text}`);
  assert.deepEqual(kinds('新幹線 "東京駅 から" -京都 - --x'), ['word:新幹線', 'phrase:東京駅 から', 'not:京都', 'not:-x']);
  assert.deepEqual(kinds('"unclosed phrase'), ['word:unclosed', 'word:phrase']);
  assert.deepEqual(kinds('a\x1cb\x85c'), ['word:a', 'word:b', 'word:c']); // Python splits there
  assert.deepEqual(kinds('a\ufeffb'), ['word:a\ufeffb']); // and not there (JavaScript's \s would)
  assert.deepEqual(kinds('a\u3000b'), ['word:a', 'word:b']);
  assert.deepEqual(kinds(' \t '), []);
});

test('prototype keys are ordinary terms', () => {
  const lexicon = new Map();
  const longest = ps.decodeLexicon(
    [
      ['__proto__', 1, 5, ''],
      ['constructor', 1, 5, ''],
      ['hasownproperty', 1, 5, ''],
      ['tostring', 1, 5, 'to', 'string'],
    ],
    lexicon,
  );
  assert.equal(longest, 14);
  assert.deepEqual(
    ps.segment('constructor __proto__ tostring', lexicon, longest).map((p) => [p.surface, p.terms, p.qpos]),
    [
      ['constructor', ['constructor'], 0],
      ['__proto__', ['__proto__'], 1],
      ['tostring', ['string', 'to'].sort(ps.compare), 2],
    ],
  );
  assert.deepEqual(ps.segment('valueof', lexicon, longest)[0], {
    surface: 'valueof',
    terms: [],
    qpos: 0,
    fallback: true,
    grams: [],
    prefixTerms: [],
    spelled: [],
  });
  const surfacesOf = () => [...lexicon.keys()].sort(ps.compare);
  assert.deepEqual(ps.prefixTerms('con', surfacesOf, lexicon, []), ['constructor']);
  assert.deepEqual(ps.prefixTerms('valueOf', surfacesOf, lexicon, []), []);
  assert.deepEqual(ps.segment('__pro', lexicon, longest, surfacesOf)[0].prefixTerms, ['__proto__']);
  const terms = new Map([
    ['constructor', ps.decodePostings([0, 1, 1], 1)],
    ['__proto__', ps.decodePostings([0, 1, 1, 1, 1, 1], 1)],
    ['tostring', ps.decodePostings([2, 1, 1], 1)],
  ]);
  const piece = { surface: 'x', terms: ['__proto__', 'hasOwnProperty', 'toString'], qpos: 0, fallback: false, grams: [], prefixTerms: [], spelled: [] };
  assert.deepEqual([...ps.postsWith(piece, terms, new Map())], [0, 1]);
});

test('longerSurfaces keeps the 16 shortest surfaces in code point order, like search.py', () => {
  const lexicon = new Map();
  const rows = [];
  for (let i = 0; i < 40; i++) rows.push([`a${'x'.repeat(i % 5)}${String(i).padStart(2, '0')}`, 1, 7, '']);
  rows.push(['a😀', 1, 7, ''], ['a\uffff', 1, 7, ''], ['ab', 1, 1], ['b', 1, 7, '']);
  ps.decodeLexicon(rows, lexicon);
  const sorted = [...lexicon.keys()].sort(ps.compare);
  const kept = ps.longerSurfaces('a', () => sorted, lexicon);
  assert.equal(kept.length, ps.PREFIX_SURFACES);
  assert.deepEqual(kept.slice(0, 2), ['a\uffff', 'a😀']); // two code points, code point order
  assert.ok(!kept.includes('ab')); // a stop surface
});

test('segment: fewest pieces, earlier longer surface wins ties, fallback runs', () => {
  const lexicon = new Map();
  const rows = [['新幹線', 2, 10, '', '新', '幹線'], ['新', 1, 8, ''], ['幹線', 1, 9, ''], ['で', 1, 3], ['京都', 1, 9, ''], ['doc', 1, 12, '']];
  const longest = ps.decodeLexicon(rows, lexicon);
  const cut = (q) => ps.segment(q, lexicon, longest).map((p) => `${p.surface}@${p.qpos}${p.fallback ? '?' : ''}`);
  assert.deepEqual(cut('新幹線で京都'), ['新幹線@0', 'で@2', '京都@3']);
  assert.deepEqual(cut('🚄新幹線x-y京都'), ['新幹線@0', 'x@2?', 'y@3?', '京都@4']);
  assert.deepEqual(cut('ab'), ['ab@0?']);
  assert.deepEqual(cut('doc docker'), ['doc@0', 'docker@1?']); // never doc + ker
  assert.deepEqual(cut('大阪旅行docs'), ['大阪旅行@0?', 'docs@1?']);
  const grams = ps.segment('大阪旅行', lexicon, longest)[0].grams;
  assert.deepEqual(grams, ['大阪旅', '阪旅行']); // a run of three or more: its trigrams
  assert.deepEqual(ps.splitWords('ab漢字かなカナ12x'), ['ab', '漢字かなカナ', '12x']);
  assert.deepEqual(ps.gramsOf('ab京都々x都々'), ['京都々', '都々']); // a run of two: itself
  assert.deepEqual([ps.gramShard('京都', 97), ps.gramShard('𠮷野家', 97)], [14, 38]); // as search.py: code points
});

test('decodePostings and decodePositions', () => {
  // post 3: field 0 at 4 and 5, field 3 at 0; post 5: field 1 at 7
  const entry = ps.decodePostings([3, 0b1001, 2, 1, 2, 0b0010, 1], 4);
  assert.deepEqual([...entry.postings], [
    [3, [2, 0, 0, 1]],
    [5, [0, 1, 0, 0]],
  ]);
  assert.deepEqual(entry.df, [1, 1, 0, 1]);
  ps.decodePositions([4, 1, 0, 7], entry);
  assert.deepEqual([...entry.positions], [
    [3, [[4, 5], null, null, [0]]],
    [5, [null, [7], null, null]],
  ]);
});

test('excerpt counts code points (emoji) and escapes post text', () => {
  assert.deepEqual(ps.excerpt('🚄<b>新幹線</b>🚄', ['新幹線']), ['🚄&lt;b&gt;<mark>新幹線</mark>&lt;/b&gt;🚄', 4]);
  const long = '🚄'.repeat(100) + '新幹線' + 'あ'.repeat(100);
  const [got] = ps.excerpt(long, ['新幹線']);
  assert.equal(Array.from(got.replace(/<\/?mark>/g, '')).length, 120 + 2); // 120 characters and two …
  assert.ok(got.startsWith('…🚄') && got.endsWith('あ…'));
  assert.equal(ps.escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('idf rounds like Python math.log', () => {
  // math.log(3) + 1 == 2.09861228866811 in Python; Math.log(3) + 1 == 2.0986122886681096
  assert.equal(ps.idf(3, 0), 2.09861228866811);
  assert.equal(ps.idf(22, 21), 1);
  assert.equal(ps.idf(22, 0), 4.091042453358316);
});

test('queries running at once share shard reads', async () => {
  const dir = process.env.POSTSEARCH_INDEX;
  if (!dir) return; // needs the index; the parity test reports the missing variable
  const fresh = () => ps.openIndex('', { load: diskLoader(dir) });
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

test('openIndex takes a fetch, here one of file URLs', async () => {
  const dir = process.env.POSTSEARCH_INDEX;
  if (!dir) return; // needs the index; the parity test reports the missing variable
  const fetched = [];
  const fetchFile = async (url) => {
    fetched.push(url.href);
    return new Response(await readFile(url));
  };
  const index = await ps.openIndex(pathToFileURL(dir), { fetch: fetchFile });
  const result = await index.search('新幹線');
  assert.ok(result.total > 0);
  assert.equal(fetched[0], pathToFileURL(join(dir, 'manifest.json')).href);
  let bytes = 0;
  for (const url of fetched) bytes += (await readFile(new URL(url))).byteLength;
  assert.equal(result.bytesRead, bytes);
  await assert.rejects(ps.openIndex(pathToFileURL(join(dir, 'nowhere')), { fetch: fetchFile }));
});
