import { fromAsyncIterable, GenStage } from '@starweave/stages';
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

describe('fromAsyncIterable', () => {
  it('emits the values of an async generator in order and ends normally', async () => {
    const system = newSystem();
    async function* numbers() {
      for (let i = 0; i < 50; i++) {
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        yield i;
      }
    }
    const producer = await GenStage.start(system, fromAsyncIterable(numbers), undefined);
    const down = downOf(system, producer);
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 7, cancel: 'temporary' });
    expect((await down).reason).toBe('normal');
    await settle(system);
    expect(seen.events).toEqual(range(0, 50));
  });

  it('pulls no more values than its consumers ask for', async () => {
    const system = newSystem();
    let pulled = 0;
    async function* lazy() {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    }
    const producer = await GenStage.start(system, fromAsyncIterable(lazy), undefined);
    const seen = collected();
    const consumer = await GenStage.start(system, manualCollector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    system.send(consumer, { ask: 5 });
    await waitUntil(() => seen.events.length === 5);
    await settle(system);
    expect(pulled).toBe(5);
    system.send(consumer, { ask: 3 });
    await waitUntil(() => seen.events.length === 8);
    await settle(system);
    expect(pulled).toBe(8);
  });

  it('accepts a plain iterable', async () => {
    const system = newSystem();
    const producer = await GenStage.start(
      system,
      fromAsyncIterable(new Set(['a', 'b'])),
      undefined,
    );
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    await waitUntil(() => seen.events.length === 2);
    expect(seen.events).toEqual(['a', 'b']);
  });

  it('stops with the error the iterable throws', async () => {
    const system = newSystem();
    async function* failing() {
      yield 1;
      throw new Error('source broke');
    }
    const producer = await GenStage.start(system, fromAsyncIterable(failing), undefined);
    const down = downOf(system, producer);
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    const { reason } = await down;
    expect((reason as Error).message).toBe('source broke');
  });

  it('closes the iterator when the stage stops', async () => {
    const system = newSystem();
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const producer = await GenStage.start(system, fromAsyncIterable(endless), undefined);
    const consumer = await GenStage.start(system, manualCollector(collected()), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    system.send(consumer, { ask: 1 });
    await settle(system);
    await GenStage.stop(system, producer, 'shutdown');
    await waitUntil(() => closed);
  });
});
