/**
 * lunr 2 with lunr-languages' Japanese support, as a peer in benchmarks/quality.py.
 *
 *     node benchmarks/peers/lunr_ja.mjs DOCS.json QUERIES.json > answers.jsonl
 *
 * DOCS.json is [{id, title, body}] (the text postsearch indexes), QUERIES.json a list of query
 * strings. Prints one JSON line per query, in order: {"ids": [top 10 ids], "total": n}.
 *
 * Set up the way lunr-languages' README says: lunr.stemmer.support, tinyseg (the TinySegmenter
 * that lunr.ja needs), lunr.ja, then lunr.multi, and `lunr.multiLanguage('en', 'ja')` so that
 * English words in Japanese posts keep lunr's English stemming and stop words. Fields: title
 * (boost 10, as in the README's example) and body.
 *
 * Queries go through `index.search(query)`, what a lunr search box calls. Note what that
 * means for Japanese: lunr's query parser splits the query on spaces and hyphens only and runs
 * each piece through the search pipeline, never through the TinySegmenter tokenizer, so an
 * unspaced phrase is looked up as one term. That is lunr-ja as its users get it; we do not
 * pre-segment queries for it. A query lunr cannot parse (a stray `:`, `^`, `~`, `*`, `+`, `-`
 * meaning syntax) throws lunr.QueryParseError, counted as zero results like a search box would
 * show.
 *
 * `--segment-queries` is a diagnostic, not what a search box does: it first cuts each query
 * with lunr.ja's TinySegmenter tokenizer and joins the pieces with spaces, so lunr sees the
 * same cuts on both sides (the pieces are still ORed, lunr's default).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const lunr = require('lunr');
require('lunr-languages/lunr.stemmer.support')(lunr);
require('lunr-languages/tinyseg')(lunr);
require('lunr-languages/lunr.ja')(lunr);
require('lunr-languages/lunr.multi')(lunr);

const TOP = 10;

/** The query cut by lunr.ja's TinySegmenter tokenizer, pieces joined by spaces for the parser. */
function segment(query) {
  return lunr.ja.tokenizer(query).map((token) => token.toString()).join(' ');
}

const args = process.argv.slice(2);
const segmentQueries = args.includes('--segment-queries');
const [docsFile, queriesFile] = args.filter((a) => a !== '--segment-queries');
if (!docsFile || !queriesFile) {
  console.error('usage: node lunr_ja.mjs DOCS.json QUERIES.json [--segment-queries]');
  process.exit(2);
}
const docs = JSON.parse(readFileSync(docsFile, 'utf8'));
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'));

let started = performance.now();
const index = lunr(function () {
  this.use(lunr.multiLanguage('en', 'ja'));
  this.ref('id');
  this.field('title', { boost: 10 });
  this.field('body');
  for (const doc of docs) this.add(doc);
});
console.error(`lunr-ja: ${docs.length} docs indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
for (const query of queries) {
  let results = [];
  try {
    results = index.search(segmentQueries ? segment(query) : query);
  } catch (error) {
    if (!(error instanceof lunr.QueryParseError)) throw error;
  }
  process.stdout.write(JSON.stringify({ ids: results.slice(0, TOP).map((r) => r.ref), total: results.length }) + '\n');
}
console.error(`lunr-ja: ${queries.length} queries in ${((performance.now() - started) / 1000).toFixed(1)} s`);
