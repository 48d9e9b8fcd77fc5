// index.js: an index opened from its files, and `search`, the one entry of the query side
// (mirrors query/index.py). Bounded work for any query: search() reads only the first
// MAX_QUERY_CHARS code points of the raw query (a lone surrogate counts one).

import { byCodePoint, byKeys, compare, intersection } from './compat.js';
import { fold, gramsOf, shardOf } from './core.js';
import { excerptIn, markSpans, needlesFor, sectionAt, sections } from './excerpt.js';
import { clauseMatches, clausePosts, isRequired, limitWords, neededPieces, postsWith, wordPieces } from './match.js';
import { fallbackPieces, parseQuery, pieceStarts, prefixTerms, sampled, segment, spelled } from './parse.js';
import { coordinations, partiallyRanked, ranked, scores } from './rank.js';
import { IndexChanged, Shards } from './shards.js';

export const MAX_QUERY_CHARS = 1000; // code points of a query that are read; the rest is dropped

/**
 * One search result, as the CLI's --json gives it; anchor and section: the heading whose
 * section matched (link to url#anchor); missing: for a partial match, the query's words it
 * lacks; sections: its best sections (excerpt.sections), each to link to url#anchor.
 * @typedef {{url: string, title: string, date: string | null, tags: string[], score: number,
 *   excerpt: string, path: string, anchor: string | null, section: string | null,
 *   missing: string[], sections: {anchor: string, title: string, excerpt: string}[]}} Hit
 */

/**
 * Ranked hits, how many posts matched in all (`complete` of them the whole query, the rest
 * some of its words), and the bytes read so far for this index.
 * @typedef {{query: string, total: number, complete: number, hits: Hit[], bytesRead: number}} SearchResult
 */

/** Sorted strings, distinct (Python: `sorted({...})`). */
function sortedSet(strings) {
  return [...new Set(strings)].sort(compare);
}

/** An index opened from its files; shards are read on demand and kept for later queries.
 * When a file of the build opened is gone, search() and tags() open the new manifest and
 * answer from the new build. (Python's Index also checks the manifest file before each
 * search; a browser cannot ask that cheaply, so it answers from the build it opened.) */
export class Index extends Shards {
  /** Give a clause's fallback prefixes their terms and read its n-gram shards. */
  async fillFallbacks(clause) {
    for (const piece of clause.pieces) {
      if (piece.fallback && !piece.grams.length) {
        piece.prefixTerms = prefixTerms(piece.surface, this.surfacesOf, this.lexicon, []);
      }
    }
    await this.ensureGrams(sortedSet(clause.pieces.flatMap((p) => p.grams)));
  }

  /** Segment every clause, reading the lexicon, term and n-gram shards it needs; a word
   * or phrase clause whose pieces no post has together, or of stop words only, is
   * searched by n-grams instead. With adjacency, pieces get their spelling's n-grams.
   * Phrases and exclusions of two pieces or more read their terms' positions. */
  async prepare(clauses, prefix, adjacency) {
    await this.segmentClauses(clauses, prefix);
    for (const clause of clauses) {
      await this.recut(clause);
      if (adjacency) this.spell(clause);
    }
    await this.ensureGrams(sortedSet(clauses.flatMap((c) => [...c.grams, ...c.pieces.flatMap((p) => p.spelled)])));
    const inOrder = clauses
      .filter((c) => c.kind !== 'word')
      .flatMap((c) => c.pieces.filter((p) => p.terms.length && !p.fallback));
    if (inOrder.length > 1) {
      await this.ensurePositions(sortedSet(inOrder.flatMap((p) => [...p.terms, ...p.prefixTerms])));
    }
  }

  /** Read the lexicon shards where the clauses' pieces may start, cut every clause, and
   * read the term and n-gram shards of its pieces (the last piece of a word or phrase
   * clause is a prefix too, with `prefix`). */
  async segmentClauses(clauses, prefix) {
    const chars = sortedSet(clauses.flatMap((clause) => pieceStarts(clause.text)));
    const shardCount = this.manifest.lexicon;
    await this.ensureLexicon(chars.map((c) => shardOf(c, shardCount)));
    for (const clause of clauses) {
      const surfacesOf = prefix && clause.kind !== 'not' ? this.surfacesOf : null;
      clause.pieces = segment(clause.text, this.lexicon, this.longest, surfacesOf);
      clause.words = clause.pieces; // as cut, kept if the clause is searched by n-grams
    }
    limitWords(clauses, this.lexicon);
    for (const clause of clauses) await this.fillFallbacks(clause);
    await this.ensureTerms(sortedSet(clauses.flatMap((c) => c.pieces.flatMap((p) => [...p.terms, ...p.prefixTerms]))));
  }

  /** A word or phrase clause cut by the lexicon whose required pieces no post has
   * together (Sudachi cut the posts otherwise), or of stop words only, becomes the
   * fallback pieces of its whole text. */
  async recut(clause) {
    const cutByLexicon = clause.pieces.some((p) => !p.fallback && (p.terms.length || p.prefixTerms.length));
    const dropped = clause.pieces.some((p) => p.dropped); // words past MAX_WORDS: never searched again
    const onlyStops = !clause.pieces.some(isRequired) && !dropped && gramsOf(clause.text).length > 0;
    const lost = cutByLexicon && !clausePosts(clause, this.terms, this.grams)?.size;
    if (clause.kind !== 'not' && (lost || onlyStops)) {
      clause.pieces = fallbackPieces(clause.text, 0);
      await this.fillFallbacks(clause);
      await this.ensureTerms(sortedSet(clause.pieces.flatMap((p) => p.prefixTerms)));
    }
  }

  /** With adjacency: a word clause gets the n-grams of its text (a post with them all has
   * it as typed), and the required pieces of word and phrase clauses those of their
   * spelling (stops and dropped words are never looked up: their n-grams are not read). */
  spell(clause) {
    if (clause.kind === 'word' && clause.pieces.some(isRequired)) clause.grams = sampled(gramsOf(clause.text));
    if (clause.kind !== 'not') {
      for (const piece of [...clause.pieces, ...clause.words]) piece.spelled = isRequired(piece) ? spelled(piece) : [];
    }
  }

  /** Every tag (tags, categories, topics) with its number of posts, most used first. */
  async tags() {
    return this.reopening(async () => {
      await this.ensureTags();
      return this.tagCounts.map(([tag, count]) => [-count, tag]).sort(byKeys).map(([count, tag]) => [tag, -count]);
    });
  }

  /** Candidates (null: every post) narrowed to posts with all the tags and a date in range. */
  async filtered(candidates, tags, since, until) {
    if (tags.length) {
      await this.ensureTags();
      for (const tag of tags) {
        const posts = this.tagPosts.get(fold(tag)) ?? new Set();
        candidates = candidates === null ? new Set(posts) : intersection(candidates, posts);
      }
    }
    if (since || until) {
      await this.ensureDates();
      const dates = this.dates;
      const pool = candidates === null ? dates.map((_, p) => p) : [...candidates];
      candidates = new Set(
        pool.filter(
          (p) =>
            dates[p] !== null &&
            (!since || dates[p].slice(0, 10) >= since) &&
            (!until || dates[p].slice(0, 10) <= until),
        ),
      );
    }
    return candidates;
  }

  /** Ranked posts for a query: the one public entry of this stage. `prefix`: a clause's
   * last word also matches longer words it starts; `adjacency`: posts with a clause's pieces
   * side by side rank higher, and words also match as spelled (both on by default);
   * `partial`: when fewer posts than `limit` have every word, posts with some follow. `tags`
   * (and `tag:x` / `category:x` in the query) keep posts with all those tags; `since` /
   * `until` (YYYY-MM-DD, inclusive) keep posts dated in range; `sort: 'date'` puts the
   * newest first. A query of filters alone lists the posts that pass them. */
  search(query, limit = 10, options = {}) {
    return this.reopening(() => this.answer(query, limit, options));
  }

  /** search() on the build opened (in Python, the body of `search`; @reopening wraps it). */
  async answer(
    query,
    limit = 10,
    { prefix = true, adjacency = true, partial = true, tags = null, since = null, until = null, sort = 'score' } = {},
  ) {
    query = [...query].slice(0, MAX_QUERY_CHARS).join('');
    let clauses = parseQuery(query);
    const wanted = [...(tags ?? []), ...clauses.filter((c) => c.kind === 'tag').map((c) => c.text)];
    clauses = clauses.filter((c) => c.kind !== 'tag');
    await this.prepare(clauses, prefix, adjacency);
    const pieces = neededPieces(clauses);
    const matched = await this.matching(this.candidates(clauses), clauses, pieces, wanted, since, until);
    const shown = (await this.ordered(matched, pieces, clauses, limit, sort)).slice(0, Math.max(0, limit));
    const hits = await this.hits(shown, needlesFor(pieces, this.terms));
    let pool = [];
    const words = wordPieces(clauses);
    if (partial && matched.length < limit && words.length) {
      // too few posts have every word: those with some
      let wordPosts;
      [pool, wordPosts] = await this.partialMatches(clauses, words, matched, wanted, since, until);
      const partial = await this.partiallyOrdered(pool, words, wordPosts, limit - shown.length, sort);
      const needles = needlesFor([...pieces, ...words], this.terms);
      hits.push(...(await this.hits(partial, needles, [words, wordPosts, clauses.filter((c) => c.kind === 'phrase')])));
    }
    return { query, total: matched.length + pool.length, complete: matched.length, hits, bytesRead: this.bytesRead };
  }

  /** The hits of these `[score, post]` (their text bundles read); for partial matches (the
   * words, their posts, the phrases), each says what its post lacks. */
  async hits(order, needles, partial = null) {
    await this.ensureTexts(order.map(([, post]) => post));
    return order.map(([score, post]) => {
      const hit = this.hit(post, score, needles);
      if (partial !== null) {
        const [words, wordPosts, phrases] = partial;
        const [fields, terms, grams] = [this.fieldCount, this.terms, this.grams];
        const lost = phrases.filter((c) => !clauseMatches(c, post, fields, terms, grams));
        hit.missing = missingWords(post, words, wordPosts, phrases, lost);
      }
      return hit;
    });
  }

  /** Posts with some of the query's words but not the whole query, that pass its
   * exclusions and filters, by id; and the posts of each word. A phrase counts as its words
   * here (the hit says when it lacks the phrase in sequence). */
  async partialMatches(clauses, words, matched, wanted, since, until) {
    await this.ensureGrams(sortedSet(words.flatMap((w) => w.spelled)));
    const wordPosts = words.map((w) => postsWith(w, this.terms, this.grams));
    const done = new Set(matched);
    const pool = new Set();
    for (const found of wordPosts) for (const post of found) if (!done.has(post)) pool.add(post);
    const unquoted = clauses.filter((c) => c.kind !== 'phrase');
    return [await this.matching(pool, unquoted, words, wanted, since, until), wordPosts];
  }

  /** The partial matches to show: the first `room` by score x coordination²
   * (rank.js partiallyRanked), or newest first (by score within a date). */
  async partiallyOrdered(pool, words, wordPosts, room, sort) {
    const totals = scores(pool, words, this);
    const shares = coordinations(pool, wordPosts, this.postCount);
    const order = partiallyRanked(pool, totals, shares, sort === 'date' ? null : Math.max(0, room));
    return sort === 'date' ? (await this.byDate(order)).slice(0, Math.max(0, room)) : order;
  }

  /** The posts every word and phrase clause may match (null: no clause requires any). */
  candidates(clauses) {
    let found = null;
    for (const clause of clauses) {
      const posts = clause.kind !== 'not' ? clausePosts(clause, this.terms, this.grams) : null;
      if (posts !== null) found = found === null ? posts : intersection(found, posts);
    }
    return found;
  }

  /** The candidates that match the query and pass its filters, by id: filters alone list
   * every post that passes them; phrases must match in sequence; exclusions drop posts. */
  async matching(candidates, clauses, pieces, wanted, since, until) {
    const filters = Boolean(wanted.length || since || until);
    const words = clauses.some((c) => c.kind !== 'not');
    if (filters && (pieces.length || !words)) candidates = await this.filtered(candidates, wanted, since, until);
    const [fields, terms, grams] = [this.fieldCount, this.terms, this.grams];
    const phrases = clauses.filter((c) => c.kind === 'phrase');
    const exclusions = clauses.filter((c) => c.kind === 'not');
    let matched = [...(candidates ?? [])].sort((a, b) => a - b);
    if (phrases.length || exclusions.length) {
      matched = matched.filter(
        (post) =>
          phrases.every((c) => clauseMatches(c, post, fields, terms, grams)) &&
          !exclusions.some((c) => clauseMatches(c, post, fields, terms, grams)),
      );
    }
    return matched;
  }

  /** `[score, post]` in the order asked: the first `limit` by score (rank.js ranked), or
   * all of them newest first (by score within a date). */
  async ordered(matched, pieces, clauses, limit, sort) {
    const totals = scores(matched, pieces, this);
    const order = ranked(matched, totals, clauses, this.grams, sort === 'date' ? null : Math.max(0, limit));
    return sort === 'date' ? this.byDate(order) : order;
  }

  /** `[score, post]` newest first, by score within a date (the sort is stable). */
  async byDate(order) {
    await this.ensureDates();
    const dates = this.dates;
    return [...order].sort((a, b) => compare(dates[b[1]] ?? '', dates[a[1]] ?? ''));
  }

  /** A hit's metadata, excerpt and section (its text bundle read). */
  hit(post, score, needles) {
    const [url, title, date, tags, path, text, headings] = this.texts.get(post);
    const spans = markSpans(text, needles);
    const chars = byCodePoint(text); // once per hit: Array.from on a long text is costly
    const [shown, cluster] = excerptIn(chars, spans, 0, chars.length);
    const [anchor, section] = sectionAt(chars, headings, cluster);
    const parts = sections(chars, headings, spans);
    return { url, title, date, tags, score, excerpt: shown, path, anchor, section, missing: [], sections: parts };
  }
}

/** What of the query a post lacks, each once, in query order: the words of its word
 * clauses, as typed, then each phrase it lacks in sequence, quoted (a phrase's own words are
 * not listed apart). */
export function missingWords(post, words, wordPosts, phrases, lost) {
  const quoted = new Set(phrases.flatMap((c) => c.words));
  const lacking = words.filter((w, i) => !wordPosts[i].has(post) && !quoted.has(w)).map((w) => w.surface);
  return [...new Set([...lacking, ...lost.map((c) => `"${c.text}"`)])];
}

/** Open an index folder written by `postsearch index` (or `postsearch.build`), given its
 * URL (relative to the page in a browser). Options: `fetch` (default: the global one), or
 * `load(name)` returning the bytes of a file, e.g. read from disk in Node. */
export async function openIndex(baseUrl, { fetch = globalThis.fetch, load } = {}) {
  if (!load) {
    const base = new URL(String(baseUrl || '.').replace(/\/?$/, '/'), globalThis.location?.href);
    load = async (name) => {
      const url = new URL(name, base);
      // the manifest is revalidated (a rebuild replaces it); build folders never change
      const response = await fetch(url, name === 'manifest.json' ? { cache: 'no-cache' } : {});
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    };
  }
  const index = new Index(load);
  // a rebuild swapped the files in while they were read: its build (shards.py's __init__)
  return index.open().catch((e) => (e instanceof IndexChanged ? index.open() : Promise.reject(e)));
}
