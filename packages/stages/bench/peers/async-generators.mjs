// The pipeline benchmark on chained async generators: a source generator, a mapping
// generator, and a for-await loop that filters and sums.

import { measureRate } from './workload.mjs';

async function runOnce(count) {
  async function* source() {
    for (let x = 0; x < count; x++) yield x;
  }
  async function* map(events) {
    for await (const x of events) yield x * 2 + 1;
  }
  let sum = 0;
  for await (const x of map(source())) if (x % 3 !== 0) sum += x;
  return sum;
}

/** Events per second through the generators, median of `rounds`. */
export function throughput(size) {
  return measureRate(runOnce, size);
}
