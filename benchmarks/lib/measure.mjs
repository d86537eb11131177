// Timing and heap helpers shared by the benchmark suites, and the `--only` filter.

import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs a full garbage collection twice, so that weak and finalized objects are gone too.
 * Throws when node was started without --expose-gc, because heap figures would be noise.
 */
export function collectGarbage() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('global.gc is missing; start node with --expose-gc to measure memory');
  }
  globalThis.gc();
  globalThis.gc();
}

/** Returns a monotonic time in nanoseconds as a number (exact up to about 104 days). */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/**
 * Measures the time and heap cost of creating `count` processes. `spawnAll(count)` creates them
 * and returns whatever keeps them reachable (usually an array of handles); that array's slots
 * count towards the memory, as they would in a program that holds its pids.
 * @param {number} count
 * @param {(count: number) => unknown | Promise<unknown>} spawnAll
 * @returns {Promise<{ nsPerProcess: number, bytesPerProcess: number }>}
 */
export async function measureSpawn(count, spawnAll) {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;

  const start = nowNs();
  const handles = await spawnAll(count);
  const elapsed = nowNs() - start;

  collectGarbage();
  const heapAfter = process.memoryUsage().heapUsed;
  keepAlive(handles);

  return { nsPerProcess: elapsed / count, bytesPerProcess: (heapAfter - heapBefore) / count };
}

let retained;

/**
 * Keeps `value` reachable until this call, so the collector cannot take it before a heap
 * reading. Returns whether a value was given.
 */
export function keepAlive(value) {
  retained = value;
  const kept = retained !== undefined;
  retained = undefined;
  return kept;
}

/**
 * Tells whether a suite selects `benchmark` under `--only`: with no filter it does, otherwise
 * `only` must be a prefix of the benchmark name or name the suite file (with or without
 * `.bench.mjs`).
 * @param {string | undefined} only
 * @param {string} suiteUrl the suite's import.meta.url
 * @param {string} benchmark
 */
export function selects(only, suiteUrl, benchmark) {
  if (only === undefined || only === '') return true;
  const file = basename(fileURLToPath(suiteUrl));
  return benchmark.startsWith(only) || only === file || `${only}.bench.mjs` === file;
}
