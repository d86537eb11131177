import { isStarweaveError } from '@starweave/actors';
import { type Cancellation, GenStage } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  Counter,
  collected,
  collector,
  manualCollector,
  Pusher,
  range,
  settle,
  useSystems,
  waitUntil,
} from '../helpers.js';

const newSystem = useSystems();
const broadcast = { dispatcher: 'broadcast' as const };

describe('BroadcastDispatcher', () => {
  it('sends every event to every consumer', async () => {
    const system = newSystem();
    const producer = await GenStage.start(
      system,
      {
        ...Counter,
        init: () => ({
          state: { next: 0, limit: 500, demands: [] },
          dispatcher: 'broadcast',
          demand: 'accumulate',
        }),
      },
      undefined,
    );
    const all = [collected(), collected(), collected()];
    for (const [index, seen] of all.entries()) {
      const consumer = await GenStage.start(system, collector(seen), undefined);
      await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 10 * (index + 1) });
    }
    // Accumulating demand until all have subscribed lets every consumer see the first event.
    await GenStage.demand(system, producer, 'forward');
    await waitUntil(() => all.every((seen) => seen.events.length === 500));
    for (const seen of all) expect(seen.events).toEqual(range(0, 500));
  });

  it('lets the slowest consumer set the pace', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, broadcast);
    const fast = collected();
    const slow = collected();
    const a = await GenStage.start(system, manualCollector(fast), undefined);
    const b = await GenStage.start(system, manualCollector(slow), undefined);
    await GenStage.subscribe(system, a, { to: producer });
    await GenStage.subscribe(system, b, { to: producer });
    system.send(a, { ask: 10 });
    system.send(b, { ask: 3 });
    await settle(system);
    expect(await GenStage.call<number>(system, producer, 'demand')).toBe(3);
    GenStage.cast(system, producer, range(0, 10));
    await settle(system);
    expect(fast.events).toEqual([0, 1, 2]);
    expect(slow.events).toEqual([0, 1, 2]);
    expect(await GenStage.estimateBufferedCount(system, producer)).toBe(7);
    system.send(b, { ask: 7 });
    await settle(system);
    expect(fast.events).toEqual(range(0, 10));
    expect(slow.events).toEqual(range(0, 10));
  });

  it('sends a consumer only what its selector accepts, without using up its demand', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, broadcast);
    const evens = collected();
    const everything = collected();
    const a = await GenStage.start(system, manualCollector(evens), undefined);
    const b = await GenStage.start(system, manualCollector(everything), undefined);
    await GenStage.subscribe(system, a, { to: producer, selector: (x: number) => x % 2 === 0 });
    await GenStage.subscribe(system, b, { to: producer });
    system.send(a, { ask: 4 });
    system.send(b, { ask: 8 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 8));
    await settle(system);
    // The odd events did not use up the 4 the selecting consumer asked for. Once it has its 4
    // evens, it is the slowest consumer, so event 7 waits.
    expect(evens.events).toEqual([0, 2, 4, 6]);
    expect(everything.events).toEqual(range(0, 7));
    system.send(a, { ask: 1 });
    await settle(system);
    expect(everything.events).toEqual(range(0, 8));
  });

  it('sends a late consumer nothing it has not asked for', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, broadcast);
    const early = collected();
    const late = collected();
    const a = await GenStage.start(system, manualCollector(early), undefined);
    await GenStage.subscribe(system, a, { to: producer });
    system.send(a, { ask: 5 });
    await settle(system);
    const b = await GenStage.start(system, manualCollector(late), undefined);
    await GenStage.subscribe(system, b, { to: producer });
    GenStage.cast(system, producer, range(0, 5));
    await settle(system);
    expect(late.events).toEqual([]);
    expect(early.events).toEqual([]);
    system.send(b, { ask: 5 });
    await settle(system);
    expect(early.events).toEqual(range(0, 5));
    expect(late.events).toEqual(range(0, 5));
  });

  it('rejects a second subscription of the same consumer', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, broadcast);
    const cancellations: Cancellation[] = [];
    const consumer = await GenStage.start(
      system,
      collector(collected(), {
        handleCancel: (cancellation, _from, state) => {
          cancellations.push(cancellation);
          return { state };
        },
      }),
      undefined,
    );
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    await waitUntil(() => cancellations.length === 1);
    expect(cancellations[0]!.kind).toBe('cancel');
    expect(isStarweaveError(cancellations[0]!.reason, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
