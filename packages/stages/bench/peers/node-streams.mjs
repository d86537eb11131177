// The pipeline benchmarks on Node streams in object mode, one object per event:
// Readable.from a generator -> Transform (map) -> Writable (filter and sum), with
// stream.pipeline and the default high-water marks.

import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeapPeak, measureRate, spin } from './workload.mjs';

async function runOnce(count, { sourceWork = 0, sinkWork = 0, heap } = {}) {
  function* source() {
    for (let x = 0; x < count; x++) {
      if (sourceWork > 0) spin(sourceWork, x);
      yield x;
    }
  }
  let sum = 0;
  await pipeline(
    Readable.from(source()),
    new Transform({
      objectMode: true,
      transform(x, _encoding, done) {
        done(null, x * 2 + 1);
      },
    }),
    new Writable({
      objectMode: true,
      write(x, _encoding, done) {
        if (sinkWork > 0) spin(sinkWork, x);
        if (x % 3 !== 0) sum += x;
        if (heap !== undefined) heap.passed(1);
        done();
      },
    }),
  );
  return sum;
}

/** Events per second through the three streams, median of `rounds`. */
export function throughput(size) {
  return measureRate((count) => runOnce(count), size);
}

/**
 * Peak live heap bytes while a consumer 100x slower than its producer drains `count` events.
 */
export async function memory({ count, producerWork }) {
  await runOnce(1000, { sourceWork: producerWork, sinkWork: producerWork * 100 });
  const heap = new HeapPeak(Math.max(1, Math.floor(count / 50)));
  heap.start();
  await runOnce(count, { sourceWork: producerWork, sinkWork: producerWork * 100, heap });
  return { peakBytes: heap.finish() };
}
