// Shared by the unit tests of tests/js/ (not a test file itself: `node --test` runs *.test.mjs).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `load(name)` reading an index folder from disk. */
export const diskLoader = (dir) => (name) => readFile(join(dir, name));

/** A lexicon that counts its lookups (get and has): work is counted, never timed. */
export class CountingMap extends Map {
  lookups = 0;

  get(key) {
    this.lookups++;
    return super.get(key);
  }

  has(key) {
    this.lookups++;
    return super.has(key);
  }
}

/** `surfacesOf` and a counter of its calls: one per longerSurfaces call. */
export function counted(surfacesOf) {
  const calls = { n: 0 };
  return [
    calls,
    (c) => {
      calls.n++;
      return surfacesOf(c);
    },
  ];
}

/** A seeded generator (mulberry32): the same numbers on every run. */
export function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
