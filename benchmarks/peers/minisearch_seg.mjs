/**
 * MiniSearch with an Intl.Segmenter tokenizer, as a peer in benchmarks/quality.py.
 *
 *     node benchmarks/peers/minisearch_seg.mjs DOCS.json QUERIES.json > answers.jsonl
 *
 * DOCS.json is [{id, title, body}] (the text postsearch indexes), QUERIES.json a list of query
 * strings. Prints one JSON line per query, in order: {"ids": [top 10 ids], "total": n}.
 *
 * MiniSearch's default tokenizer splits on spaces and punctuation, which leaves a Japanese
 * sentence as one token, so a Japanese site must bring its own. The usual one, needing no
 * dictionary download, is the platform's word segmenter: `new Intl.Segmenter('ja',
 * {granularity: 'word'})`, keeping the segments with `isWordLike`, lower-cased. The same
 * tokenizer cuts documents and queries (MiniSearch's default when only `tokenize` is given).
 *
 * Everything else is MiniSearch's default, as a typical user would leave it: terms combined
 * with OR (not AND), BM25+ scoring, no prefix or fuzzy matching. Only the title gets a boost
 * (2), through `searchOptions.boost`. We chose OR over AND on purpose: it is what `search(q)`
 * does out of the box, and it is kinder to a segmenter whose query cuts differ from its
 * document cuts (AND would drop a post as soon as one query piece is cut differently).
 */
import { readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';

const TOP = 10;
const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

/**
 * Word-like segments of text, lower-cased.
 *
 * The text is segmented a line at a time. In Node 20 walking the segments of one string takes
 * time quadratic in its length (45,000 characters: 4 s; 180,000: 3 minutes), and a post can be
 * 300,000 characters long. A line break always ends a word (Unicode word-boundary rules WB3a
 * and WB3b), so the tokens are the same as segmenting the whole text at once.
 */
function tokenize(text) {
  const tokens = [];
  for (const line of text.split('\n')) {
    for (const s of segmenter.segment(line)) if (s.isWordLike) tokens.push(s.segment.toLowerCase());
  }
  return tokens;
}

const [docsFile, queriesFile] = process.argv.slice(2);
if (!docsFile || !queriesFile) {
  console.error('usage: node minisearch_seg.mjs DOCS.json QUERIES.json');
  process.exit(2);
}
const docs = JSON.parse(readFileSync(docsFile, 'utf8'));
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'));

let started = performance.now();
const index = new MiniSearch({
  fields: ['title', 'body'],
  tokenize,
  searchOptions: { boost: { title: 2 } },
});
index.addAll(docs);
console.error(`minisearch: ${docs.length} docs indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
for (const query of queries) {
  const results = index.search(query);
  process.stdout.write(JSON.stringify({ ids: results.slice(0, TOP).map((r) => r.id), total: results.length }) + '\n');
}
console.error(`minisearch: ${queries.length} queries in ${((performance.now() - started) / 1000).toFixed(1)} s`);
