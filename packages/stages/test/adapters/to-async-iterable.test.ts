import { GenServer, isStarweaveError } from '@starweave/actors';
import { fromAsyncIterable, GenStage, type ProducerSpec, toAsyncIterable } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import { Counter, type CounterState, range, settle, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

describe('toAsyncIterable', () => {
  it('yields every event of a producer and ends when it ends', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, fromAsyncIterable(range(0, 300)), undefined);
    const out: number[] = [];
    for await (const x of toAsyncIterable<number>(system, producer, { maxDemand: 16 })) out.push(x);
    expect(out).toEqual(range(0, 300));
  });

  it('asks only as the loop takes events', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, undefined);
    const iterator = toAsyncIterable<number>(system, producer, { maxDemand: 10, minDemand: 5 })[
      Symbol.asyncIterator
    ]();
    expect((await iterator.next()).value).toBe(0);
    await settle(system);
    let state = await GenServer.getState<CounterState>(system, producer);
    expect(state.next).toBe(10);
    for (let i = 1; i < 4; i++) await iterator.next();
    await settle(system);
    state = await GenServer.getState<CounterState>(system, producer);
    expect(state.next).toBe(10);
    await iterator.next();
    await settle(system);
    state = await GenServer.getState<CounterState>(system, producer);
    expect(state.next).toBe(15);
    await iterator.return?.();
  });

  it('cancels its subscription when the loop stops early', async () => {
    const system = newSystem();
    const cancelled: unknown[] = [];
    const producer = await GenStage.start(
      system,
      {
        ...Counter,
        handleCancel: (cancellation, _from, state) => {
          cancelled.push(cancellation.kind);
          return { state };
        },
      },
      undefined,
    );
    for await (const x of toAsyncIterable<number>(system, producer)) {
      if (x === 3) break;
    }
    await waitUntil(() => cancelled.length === 1);
    expect(system.isAlive(producer)).toBe(true);
  });

  it('throws ERR_CANCELLED after the events received when the producer crashes', async () => {
    const system = newSystem();
    const failing: ProducerSpec<number, void, number> = {
      type: 'producer',
      init: () => ({ state: 0 }),
      handleDemand: (_demand, next) =>
        next >= 5
          ? { stop: new Error('producer broke'), state: next }
          : { events: [next], state: next + 1 },
    };
    const producer = await GenStage.start(system, failing, undefined);
    const out: number[] = [];
    let error: unknown;
    try {
      for await (const x of toAsyncIterable<number>(system, producer, { maxDemand: 1 }))
        out.push(x);
    } catch (thrown) {
      error = thrown;
    }
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(isStarweaveError(error, 'ERR_CANCELLED')).toBe(true);
  });

  it('fails the first next with ERR_NOPROC when the producer is not running', async () => {
    const system = newSystem();
    const iterator = toAsyncIterable(system, 'no-such-producer')[Symbol.asyncIterator]();
    const error = await iterator.next().catch((e) => e);
    expect(isStarweaveError(error, 'ERR_NOPROC')).toBe(true);
  });
});
