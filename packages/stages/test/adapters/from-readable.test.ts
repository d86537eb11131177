import { Readable } from 'node:stream';
import { fromReadable, GenStage } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  collected,
  collector,
  downOf,
  manualCollector,
  range,
  settle,
  useSystems,
  waitUntil,
} from '../helpers.js';

const newSystem = useSystems();

/** Returns an object-mode Readable of 0..count-1 that counts the values it produced. */
function counting(count: number, highWaterMark = 4) {
  const stats = { produced: 0 };
  const readable = new Readable({
    objectMode: true,
    highWaterMark,
    read() {
      if (stats.produced === count) {
        this.push(null);
        return;
      }
      this.push(stats.produced++);
    },
  });
  return { readable, stats };
}

describe('fromReadable', () => {
  it('emits each object of the stream as one event and ends normally', async () => {
    const system = newSystem();
    const { readable } = counting(100);
    const producer = await GenStage.start(system, fromReadable(readable), undefined);
    const down = downOf(system, producer);
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, {
      to: producer,
      maxDemand: 10,
      cancel: 'temporary',
    });
    expect((await down).reason).toBe('normal');
    await settle(system);
    expect(seen.events).toEqual(range(0, 100));
  });

  it('reads no further ahead than demand plus the stream buffer', async () => {
    const system = newSystem();
    const { readable, stats } = counting(1000, 4);
    const producer = await GenStage.start(system, fromReadable(readable), undefined);
    const seen = collected();
    const consumer = await GenStage.start(system, manualCollector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    system.send(consumer, { ask: 10 });
    await waitUntil(() => seen.events.length === 10);
    await settle(system);
    expect(stats.produced).toBeLessThanOrEqual(10 + 4 + 1);
    system.send(consumer, { ask: 20 });
    await waitUntil(() => seen.events.length === 30);
    await settle(system);
    expect(stats.produced).toBeLessThanOrEqual(30 + 4 + 1);
    expect(seen.events).toEqual(range(0, 30));
  });

  it('stops with the error the stream emits', async () => {
    const system = newSystem();
    const readable = new Readable({ objectMode: true, read() {} });
    const producer = await GenStage.start(system, fromReadable(readable), undefined);
    const down = downOf(system, producer);
    readable.destroy(new Error('disk gone'));
    const { reason } = await down;
    expect((reason as Error).message).toBe('disk gone');
  });

  it('destroys the stream when the stage stops abnormally', async () => {
    const system = newSystem();
    const { readable } = counting(10);
    const producer = await GenStage.start(system, fromReadable(readable), undefined);
    await GenStage.stop(system, producer, 'shutdown');
    expect(readable.destroyed).toBe(true);
  });
});
