// The shared workload of the pipeline benchmarks: integers 0..N-1, mapped to x * 2 + 1,
// filtered to keep x % 3 !== 0 and summed; and the timing rounds every system runs alike.

import { nowNs } from '../../../../benchmarks/lib/measure.mjs';

/** The sum the sink must reach for `count` events, so a broken run cannot pass as fast. */
export function expectedSum(count) {
  let sum = 0;
  for (let x = 0; x < count; x++) {
    const y = x * 2 + 1;
    if (y % 3 !== 0) sum += y;
  }
  return sum;
}

/**
 * Runs `once(count)` `warmup` times untimed and `rounds` times timed, checks each sum, and
 * returns the median rate in events per second. `once` resolves with the sink's sum, or with
 * `{ sum, elapsedNs }` when it times itself to leave out a teardown.
 * @param {(count: number) => Promise<number | { sum: number, elapsedNs: number }>} once
 * @param {{ count: number, warmup: number, rounds: number }} size
 */
export async function measureRate(once, { count, warmup, rounds }) {
  const expected = expectedSum(count);
  const check = (sum) => {
    if (sum !== expected) throw new Error(`the sink summed ${sum}, expected ${expected}`);
  };
  const timed = async () => {
    const start = nowNs();
    const outcome = await once(count);
    const end = nowNs();
    if (typeof outcome === 'number') return { sum: outcome, elapsedNs: end - start };
    return outcome;
  };
  for (let i = 0; i < warmup; i++) check((await timed()).sum);

  const rates = [];
  for (let i = 0; i < rounds; i++) {
    globalThis.gc?.();
    const { sum, elapsedNs } = await timed();
    check(sum);
    rates.push(count / (elapsedNs / 1e9));
  }
  rates.sort((a, b) => a - b);
  return { perSecond: rates[Math.floor(rates.length / 2)] };
}

let spun = 0;

/**
 * Spins for `iterations` steps, standing for per-event work. The result is kept, so the work
 * cannot be optimized away. The memory benchmark gives the consumer 100 times the producer's
 * steps.
 */
export function spin(iterations, seed) {
  let acc = seed;
  for (let i = 0; i < iterations; i++) acc = (acc * 31 + i) | 0;
  spun ^= acc;
}

/** Returns the combined result of every spin, for a caller that wants to print it. */
export function spinResult() {
  return spun;
}

/**
 * Tracks the peak of the live heap while a pipeline runs. `passed(n)` reports that `n` more
 * events were handled. Every `interval` events it runs a full collection and reads the heap,
 * so the figure counts what the pipeline keeps rather than garbage awaiting collection.
 * `finish()` returns the peak above the lower of the heaps before the run and after it.
 */
export class HeapPeak {
  constructor(interval) {
    this.interval = interval;
  }

  start() {
    this.before = liveHeap();
    this.max = 0;
    this.since = 0;
  }

  passed(events) {
    this.since += events;
    if (this.since < this.interval) return;
    this.since = 0;
    this.max = Math.max(this.max, liveHeap());
  }

  finish() {
    const base = Math.min(this.before, liveHeap());
    return Math.max(0, this.max - base);
  }
}

function liveHeap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}
