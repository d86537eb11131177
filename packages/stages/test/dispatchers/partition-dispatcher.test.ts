import { isStarweaveError, MemoryLogger } from '@starweave/actors';
import {
  type Cancellation,
  type EventsDropped,
  GenStage,
  type ProducerInitOptions,
} from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
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
const byParity: ProducerInitOptions = {
  dispatcher: { type: 'partition', partitions: 2, hash: (x: number) => x % 2 },
};

/** Names a partition by the size of `x`; a negative `x` gets a name no partition has. */
function bySize(x: number): string {
  if (x < 0) return 'negative';
  return x < 5 ? 'low' : 'high';
}

describe('PartitionDispatcher', () => {
  it('sends each event to the consumer of the partition its hash picks', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, byParity);
    const evens = collected();
    const odds = collected();
    const a = await GenStage.start(system, collector(evens), undefined);
    const b = await GenStage.start(system, collector(odds), undefined);
    await GenStage.subscribe(system, a, { to: producer, partition: 0 });
    await GenStage.subscribe(system, b, { to: producer, partition: 1 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 100));
    await waitUntil(() => evens.events.length + odds.events.length === 100);
    expect(evens.events).toEqual(range(0, 100).filter((x) => x % 2 === 0));
    expect(odds.events).toEqual(range(0, 100).filter((x) => x % 2 === 1));
  });

  it('holds the events of a partition without a consumer until one subscribes', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, byParity);
    const evens = collected();
    const a = await GenStage.start(system, collector(evens), undefined);
    await GenStage.subscribe(system, a, { to: producer, partition: 0, maxDemand: 100 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 20));
    await settle(system);
    expect(evens.events).toEqual(range(0, 20).filter((x) => x % 2 === 0));
    expect(await GenStage.estimateBufferedCount(system, producer)).toBe(10);

    const odds = collected();
    const b = await GenStage.start(system, collector(odds), undefined);
    await GenStage.subscribe(system, b, { to: producer, partition: 1 });
    await waitUntil(() => odds.events.length === 10);
    expect(odds.events).toEqual(range(0, 20).filter((x) => x % 2 === 1));
  });

  it('keeps the partition queue of a consumer that left for the next one', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, byParity);
    const evens = collected();
    const a = await GenStage.start(system, collector(evens), undefined);
    await GenStage.subscribe(system, a, { to: producer, partition: 0, maxDemand: 100 });
    const first = collected();
    const b = await GenStage.start(system, manualCollector(first), undefined);
    await GenStage.subscribe(system, b, { to: producer, partition: 1 });
    system.send(b, { ask: 2 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 10));
    await settle(system);
    expect(first.events).toEqual([1, 3]);
    system.exit(b, 'kill');
    await settle(system);

    const second = collected();
    const c = await GenStage.start(system, collector(second), undefined);
    await GenStage.subscribe(system, c, { to: producer, partition: 1 });
    await waitUntil(() => second.events.length === 3);
    expect(second.events).toEqual([5, 7, 9]);
  });

  it('bounds each partition queue by the buffer size and reports what it drops', async () => {
    const system = newSystem();
    const drops: EventsDropped[] = [];
    system.telemetry.on('stage.events_dropped', (event) => drops.push(event));
    const producer = await GenStage.start(system, Pusher, { ...byParity, bufferSize: 3 });
    const evens = collected();
    const a = await GenStage.start(system, collector(evens), undefined);
    await GenStage.subscribe(system, a, { to: producer, partition: 0, maxDemand: 100 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 20));
    await settle(system);
    expect(drops.reduce((sum, drop) => sum + drop.dropped, 0)).toBe(7);
    expect(drops[0]!.reason).toBe('partition_queue');
    const odds = collected();
    const b = await GenStage.start(system, collector(odds), undefined);
    await GenStage.subscribe(system, b, { to: producer, partition: 1 });
    await waitUntil(() => odds.events.length === 3);
    expect(odds.events).toEqual([15, 17, 19]);
  });

  it('drops and logs an event whose hash names no partition', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const producer = await GenStage.start(system, Pusher, {
      dispatcher: { type: 'partition', partitions: ['low', 'high'], hash: bySize },
    });
    const low = collected();
    const consumer = await GenStage.start(system, collector(low), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, partition: 'low' });
    await settle(system);
    GenStage.cast(system, producer, [-1, 1, 2]);
    await waitUntil(() => low.events.length === 2);
    expect(low.events).toEqual([1, 2]);
    expect(logger.find('stage.unknown_partition')).toHaveLength(1);
    expect(logger.find('stage.events_dropped')[0]!.fields.reason).toBe('partition');
  });

  it('drops an event whose hash returns null', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, {
      dispatcher: { type: 'partition', partitions: 1, hash: (x: number) => (x === 0 ? null : 0) },
    });
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, partition: 0 });
    await settle(system);
    GenStage.cast(system, producer, [0, 1, 2]);
    await waitUntil(() => seen.events.length === 2);
    expect(seen.events).toEqual([1, 2]);
  });

  it('spreads events by the default hash over all partitions', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, {
      dispatcher: { type: 'partition', partitions: 3 },
    });
    const all = [collected(), collected(), collected()];
    for (const [partition, seen] of all.entries()) {
      const consumer = await GenStage.start(system, collector(seen), undefined);
      await GenStage.subscribe(system, consumer, { to: producer, partition });
    }
    await settle(system);
    GenStage.cast(system, producer, range(0, 300));
    await waitUntil(() => all.reduce((sum, seen) => sum + seen.events.length, 0) === 300);
    for (const seen of all) expect(seen.events.length).toBeGreaterThan(50);
  });

  it.each([
    ['no partition', {}],
    ['an unknown partition', { partition: 5 }],
  ])('rejects a subscription with %s', async (_case, extra) => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, byParity);
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
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary', ...extra });
    await waitUntil(() => cancellations.length === 1);
    expect(isStarweaveError(cancellations[0]!.reason, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('rejects a partition that another consumer holds, and ends a permanent subscriber', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, byParity);
    const a = await GenStage.start(system, collector(collected()), undefined);
    const b = await GenStage.start(system, collector(collected()), undefined);
    await GenStage.subscribe(system, a, { to: producer, partition: 0 });
    const ref = system.monitor(b);
    await GenStage.subscribe(system, b, { to: producer, partition: 0 });
    const down = await system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 2000);
    expect(isStarweaveError(down.reason, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(system.isAlive(a)).toBe(true);
  });

  it('fails to start with a partition count that is not positive', async () => {
    const system = newSystem();
    const error = await GenStage.start(system, Pusher, {
      dispatcher: { type: 'partition', partitions: 0 },
    }).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
  });
});
