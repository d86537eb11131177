import { Writable } from 'node:stream';
import { fromAsyncIterable, GenStage, toWritable } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import { Counter, downOf, range, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

/** Returns an object-mode Writable that takes `delayMs` per write and records its peak buffer. */
function slowSink(delayMs: number, highWaterMark = 2) {
  const stats = { written: [] as unknown[], pendingPeak: 0 };
  const writable = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk, _encoding, done) {
      stats.written.push(chunk);
      setTimeout(done, delayMs);
    },
  });
  const write = writable.write.bind(writable);
  writable.write = ((chunk: unknown) => {
    const accepted = write(chunk);
    stats.pendingPeak = Math.max(stats.pendingPeak, writable.writableLength);
    return accepted;
  }) as typeof writable.write;
  return { writable, stats };
}

describe('toWritable', () => {
  it('writes every event in order and ends the stream when its producer ends', async () => {
    const system = newSystem();
    const { writable, stats } = slowSink(0, 16);
    const finished = new Promise((resolve) => writable.on('finish', resolve));
    const source = await GenStage.start(system, fromAsyncIterable(range(0, 200)), undefined);
    const writer = await GenStage.start(system, toWritable(writable), undefined);
    await GenStage.subscribe(system, writer, { to: source, maxDemand: 20 });
    await finished;
    expect(stats.written).toEqual(range(0, 200));
  });

  it("waits for 'drain' when write returns false", async () => {
    const system = newSystem();
    const { writable, stats } = slowSink(1, 2);
    const producer = await GenStage.start(system, Counter, { limit: 60 });
    const writer = await GenStage.start(system, toWritable(writable), undefined);
    await GenStage.subscribe(system, writer, { to: producer, maxDemand: 20, minDemand: 10 });
    await waitUntil(() => stats.written.length === 60, 5000);
    // The stream never held more than its high-water mark plus the write that crossed it.
    expect(stats.pendingPeak).toBeLessThanOrEqual(3);
    expect(stats.written).toEqual(range(0, 60));
  });

  it('leaves the stream open with end: false', async () => {
    const system = newSystem();
    const { writable } = slowSink(0);
    const source = await GenStage.start(system, fromAsyncIterable([1, 2]), undefined);
    const writer = await GenStage.start(system, toWritable(writable, { end: false }), undefined);
    const down = downOf(system, writer);
    await GenStage.subscribe(system, writer, { to: source });
    await down;
    expect(writable.writableEnded).toBe(false);
  });

  it('stops with the error the stream emits', async () => {
    const system = newSystem();
    const writable = new Writable({
      objectMode: true,
      write(_chunk, _encoding, done) {
        done(new Error('disk full'));
      },
    });
    const producer = await GenStage.start(system, Counter, { limit: 5 });
    const writer = await GenStage.start(system, toWritable(writable), undefined);
    const down = downOf(system, writer);
    await GenStage.subscribe(system, writer, { to: producer });
    const { reason } = await down;
    expect((reason as Error).message).toBe('disk full');
  });
});
