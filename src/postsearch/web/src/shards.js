// shards.js: the files of one build, read on demand (mirrors query/shards.py): the manifest
// (checked), the field lengths, and the lexicon, term, n-gram, position and text shards a
// query needs. Shards being read are kept as promises, so queries running at once share one
// read. Data files live in the manifest's build folder: when one is gone, a rebuild replaced
// them, and `reopening` opens the new manifest and answers again.

import { FORMAT, VERSION, fold, gramShard, rangeShard, shardOf, undeltas } from './core.js';
import { decodeIds, decodeLengths, decodeLexicon, decodePositions, decodePostings } from './decode.js';

/** A missing or damaged index file (named in the message). */
export class CorruptIndex extends Error {}

/** The files under an open Index were replaced by a rebuild while it read them. */
export class IndexChanged extends Error {}

const [NAME, BUILD] = [/^[a-z]+\.json$/, /^[0-9a-f]{16}$/];
const LISTS = ['fields', 'weights', 'fieldTotals', 'terms', 'positions', 'texts'];
const [INTS, NUMBERS] = [['postCount', 'lexicon', 'grams'], ['k1', 'b']]; // prettier-ignore

/** Throw CorruptIndex unless `m` is a manifest of this format version, with every key a
 * reader needs, of its type, and file names that stay in the index folder. */
export function checkManifest(m) {
  if (m?.format !== FORMAT || m.version !== VERSION) {
    throw new CorruptIndex(`manifest.json: not a postsearch index of version ${VERSION}; build it again`);
  }
  const typed = (keys, ok) => keys.every((k) => ok(m[k]));
  const names = [m.lengths, m.dates, m.tags].every((n) => NAME.test(n)) && BUILD.test(m.build);
  const ok =
    typed(LISTS, Array.isArray) &&
    typed(INTS, Number.isInteger) &&
    typed(NUMBERS, (v) => typeof v === 'number') &&
    names &&
    m.weights.length === m.fields.length &&
    m.fieldTotals.length === m.fields.length &&
    (m.boosts ?? []).every((b) => Array.isArray(b) && b.length === 2 && Number.isInteger(b[0]) && typeof b[1] === 'number'); // weighted pages, optional
  if (!ok) throw new CorruptIndex('manifest.json: keys or file names not those of an index');
}

/** Sorted numbers, distinct (Python: `sorted(set(...))` of shard numbers). */
function distinct(numbers) {
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** The files of the build a manifest names, read on demand and kept for later queries.
 * `load(name)` returns the file's bytes (a promise of a Uint8Array or ArrayBuffer). */
export class Shards {
  constructor(load) {
    this.loadBytes = load;
    this.bytesRead = 0;
  }

  /** Read and check the manifest and the field lengths; forget every shard read before.
   * (Python's runs in the constructor; here it is async, so openIndex calls it.) */
  async open() {
    const manifest = await this.loadJson('manifest.json');
    checkManifest(manifest);
    this.manifest = manifest;
    this.build = manifest.build;
    this.fields = manifest.fields;
    this.fieldCount = this.fields.length;
    this.weights = manifest.weights;
    this.k1 = manifest.k1;
    this.b = manifest.b;
    this.postCount = manifest.postCount;
    this.boosts = new Map(manifest.boosts ?? []); // weighted pages: post id -> weight
    this.averages = manifest.fieldTotals.map((t) => (this.postCount ? t / this.postCount : 0) || 1);
    this.lengths = decodeLengths(await this.loadFile(manifest.lengths));
    this.lexicon = new Map();
    this.longest = 0;
    this.lexiconLoaded = new Map(); // shard -> promise
    this.lexiconSurfaces = new Map(); // shard -> its surfaces, sorted
    // a bound function, as Python's bound method: segment() is given it
    this.surfacesOf = (c) => this.lexiconSurfaces.get(shardOf(c, this.manifest.lexicon)) ?? [];
    this.terms = new Map();
    this.termShardsLoaded = new Map(); // shard -> promise
    this.grams = new Map();
    this.gramShardsLoaded = new Map(); // shard -> promise
    this.positionShardsLoaded = new Map(); // shard -> promise
    this.tagsLoaded = new Map(); // 0 -> promise, once read
    this.datesLoaded = new Map(); // 0 -> promise, once read
    this.tagPosts = null; // folded tag -> posts
    this.tagCounts = [];
    this.dates = null;
    this.texts = new Map();
    this.textBundles = new Map(); // bundle -> promise
    return this;
  }

  /** A file's JSON, its bytes counted; CorruptIndex when it is not JSON. */
  async loadJson(name) {
    const data = await this.loadBytes(name);
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.bytesRead += bytes.byteLength;
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new CorruptIndex(`${name}: not valid JSON (${e.message}): build the index again`);
    }
  }

  /** A data file of the build opened; IndexChanged when a rebuild has replaced it (also when
   * that happened while it was read: what it holds must not mix with the new build). */
  async loadFile(name) {
    const build = this.build;
    let data;
    try {
      data = await this.loadJson(`${build}/${name}`);
    } catch (e) {
      if (e instanceof CorruptIndex) throw e;
      if (build !== this.build || (await this.rebuilt())) throw new IndexChanged(build);
      throw new CorruptIndex(`${build}/${name}: cannot read it (${e.message})`);
    }
    if (build !== this.build) throw new IndexChanged(build);
    return data;
  }

  /** Whether manifest.json now names another build than the one opened. */
  async rebuilt() {
    try {
      return (await this.loadJson('manifest.json')).build !== this.build;
    } catch {
      return false;
    }
  }

  /** `call()`, made again once on the new index when a rebuild replaced the files under it
   * (Python's @reopening decorator; a method here, since JavaScript has none). */
  async reopening(call) {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof IndexChanged)) throw e;
      if (e.message === this.build) await this.open(); // unless a query running beside did
      return call();
    }
  }

  /** Read `key` once with `read()`; a failed read may be tried again later. (Python reads
   * one shard at a time; here queries running at once must share a read in progress.) */
  once(cache, key, read) {
    if (!cache.has(key)) {
      cache.set(
        key,
        read().catch((error) => {
          cache.delete(key);
          throw error;
        }),
      );
    }
    return cache.get(key);
  }

  /** Read the lexicon shards not read yet. */
  async ensureLexicon(shards) {
    await Promise.all(
      distinct(shards).map((shard) =>
        this.once(this.lexiconLoaded, shard, async () => {
          const data = await this.loadFile(`lexicon-${shard}.json`);
          this.lexiconSurfaces.set(shard, data.map((row) => row[0])); // sorted by the build
          this.longest = Math.max(this.longest, decodeLexicon(data, this.lexicon));
        }),
      ),
    );
  }

  /** Read the term shards that hold these terms. */
  async ensureTerms(wanted) {
    const shards = this.manifest.terms;
    if (!shards.length) return;
    await Promise.all(
      distinct(wanted.map((t) => rangeShard(t, shards))).map((shard) =>
        this.once(this.termShardsLoaded, shard, async () => {
          for (const row of await this.loadFile(`terms-${shard}.json`)) {
            const entry = decodePostings(row[1], this.fieldCount);
            entry.forms = row.slice(2);
            this.terms.set(row[0], entry);
          }
        }),
      ),
    );
  }

  /** Read the n-gram shards that hold these n-grams. */
  async ensureGrams(wanted) {
    await Promise.all(
      distinct(wanted.map((g) => gramShard(g, this.manifest.grams))).map((shard) =>
        this.once(this.gramShardsLoaded, shard, async () => {
          for (const row of await this.loadFile(`grams-${shard}.json`)) this.grams.set(row[0], decodeIds(row.slice(1)));
        }),
      ),
    );
  }

  /** Read the text bundles that hold these posts' metadata and text. */
  async ensureTexts(posts) {
    const bundles = undeltas(this.manifest.texts);
    const reads = [];
    for (const post of posts) {
      if (this.texts.has(post)) continue;
      let k = -1;
      bundles.forEach((first, i) => {
        if (first <= post) k = Math.max(k, i);
      });
      reads.push(
        this.once(this.textBundles, k, async () => {
          (await this.loadFile(`text-${k}.json`)).forEach((row, j) => this.texts.set(bundles[k] + j, row));
        }),
      );
    }
    await Promise.all(reads);
  }

  /** Read the positions of these (already read) terms: only phrases need them. */
  async ensurePositions(wanted) {
    const shards = this.manifest.positions;
    if (!shards.length) return;
    await Promise.all(
      distinct(wanted.filter((t) => this.terms.has(t)).map((t) => rangeShard(t, shards))).map((shard) =>
        this.once(this.positionShardsLoaded, shard, async () => {
          for (const row of await this.loadFile(`positions-${shard}.json`)) {
            const entry = this.terms.get(row[0]);
            if (entry !== undefined) decodePositions(row[1], entry);
          }
        }),
      ),
    );
  }

  /** Read the tag list (only filters and tag lists need it). */
  async ensureTags() {
    await this.once(this.tagsLoaded, 0, async () => {
      this.tagPosts = new Map();
      this.tagCounts = [];
      for (const row of await this.loadFile(this.manifest.tags)) {
        this.tagPosts.set(fold(row[0]), decodeIds(row.slice(2)));
        this.tagCounts.push([row[0], row[1]]);
      }
    });
  }

  /** Read every post's date (only date filters and sorting by date need them). */
  async ensureDates() {
    await this.once(this.datesLoaded, 0, async () => {
      this.dates = await this.loadFile(this.manifest.dates);
    });
  }
}
