/**
 * EventsByTagProducer on an SQLite file: what it emits and when, polling on the system clock,
 * and offsets committed only on acknowledgement.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ActorSystem,
  isStarweaveError,
  MemoryLogger,
  type Reason,
  silentLogger,
  VirtualClock,
} from '@starweave/actors';
import {
  EventsByTagProducer,
  type Journal,
  type OffsetStore,
  type PersistedEvent,
  SqliteJournal,
  SqliteOffsetStore,
} from '@starweave/persistence';
import { type ConsumerSpec, GenStage, type Subscription } from '@starweave/stages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../contract/fixture.js';
import { makeTempDir } from '../sqlite/fixtures.js';
import { collector, tagged } from './collector.js';

let dir: string;
let journal: SqliteJournal;
let offsets: SqliteOffsetStore;
let system: ActorSystem;

beforeEach(async () => {
  dir = makeTempDir();
  const filename = join(dir, 'events.db');
  journal = await SqliteJournal.open({ filename });
  offsets = await SqliteOffsetStore.open({ filename });
  system = new ActorSystem({ logger: silentLogger });
});

afterEach(async () => {
  await system.shutdown();
  await offsets.close();
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every millisecond for at most `ms`. */
async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(1);
  }
}

async function orderingsOf(tag: string, store: Journal = journal): Promise<number[]> {
  return (await collect(store.eventsByTag(tag))).map((event) => event.ordering);
}

const options = (extra: Partial<EventsByTagProducer.Options> = {}) => ({
  journal,
  tag: 'orders',
  offsets,
  projectionId: 'totals',
  pollIntervalMs: 5,
  ...extra,
});

describe('EventsByTagProducer.startLink', () => {
  it('emits the tagged events of every journal in ordering order', async () => {
    await journal.append('a', tagged('orders', 3), 0);
    await journal.append('b', [{ payload: { type: 'untagged' } }], 0);
    await journal.append('b', tagged('orders', 2, 3), 1);
    await journal.append('c', tagged('refunds', 2), 0);
    const expected = await orderingsOf('orders');
    const received: number[] = [];

    await EventsByTagProducer.startLink(system, options(), { name: 'orders' });
    await GenStage.startLink(system, collector({ producer: 'orders', received }), undefined);

    await eventually(() => received.length === 5);
    expect(received).toEqual(expected);
  });

  it('passes on the stored events with their payloads and positions', async () => {
    await journal.append('a', tagged('orders', 2), 0);
    const events: PersistedEvent[] = [];
    const Keep: ConsumerSpec<null, void, PersistedEvent> = {
      type: 'consumer',
      init: () => ({ state: null, subscribeTo: ['orders'] }),
      handleEvents: (batch, _from, state) => {
        events.push(...batch);
        return { state };
      },
    };

    await EventsByTagProducer.startLink(system, options(), { name: 'orders' });
    await GenStage.startLink(system, Keep, undefined);

    await eventually(() => events.length === 2);
    expect(events[1]).toMatchObject({
      persistenceId: 'a',
      seq: 2,
      type: 'placed',
      payload: { type: 'placed', n: 1 },
      tags: ['orders'],
    });
  });

  it('emits no more events than the demand', async () => {
    await journal.append('a', tagged('orders', 20), 0);
    const expected = await orderingsOf('orders');
    const received: number[] = [];
    // Asks for three events, once, and never again.
    const Three: ConsumerSpec<null, void, PersistedEvent> = {
      type: 'consumer',
      init: () => ({ state: null }),
      handleSubscribe: (_kind, _options, from: Subscription, state, self) => {
        GenStage.ask(self, from, 3);
        return { state, demand: 'manual' };
      },
      handleEvents: (events, _from, state) => {
        received.push(...events.map((event) => event.ordering));
        return { state };
      },
    };

    const producer = await EventsByTagProducer.startLink(system, options(), { name: 'orders' });
    const consumer = await GenStage.startLink(system, Three, undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 10 });
    await eventually(() => received.length === 3);
    await sleep(30);

    expect(received).toEqual(expected.slice(0, 3));
    expect((await EventsByTagProducer.offsets(system, producer)).emitted).toBe(expected[2]);
  });

  it('meets a large demand in batches without a query per batch', async () => {
    await journal.append('a', tagged('orders', 25), 0);
    const received: number[] = [];
    let queries = 0;
    const counting = Object.create(journal) as Journal;
    counting.eventsByTag = (tag, offset) => {
      queries++;
      return journal.eventsByTag(tag, offset);
    };

    await EventsByTagProducer.startLink(
      system,
      options({ journal: counting, batchSize: 4, pollIntervalMs: 60_000 }),
      { name: 'orders' },
    );
    await GenStage.startLink(
      system,
      collector({ producer: 'orders', received, maxDemand: 20 }),
      undefined,
    );

    await eventually(() => received.length === 25);
    expect(received).toEqual(await orderingsOf('orders'));
    // Seven batches of at most 4 events; one query, plus one that finds the end.
    expect(queries).toBeLessThanOrEqual(2);
  });

  it('starts after startOffset when no offset is committed', async () => {
    await journal.append('a', tagged('orders', 5), 0);
    const all = await orderingsOf('orders');
    const received: number[] = [];

    await EventsByTagProducer.startLink(system, options({ startOffset: all[2] }), {
      name: 'orders',
    });
    await GenStage.startLink(system, collector({ producer: 'orders', received }), undefined);

    await eventually(() => received.length === 2);
    expect(received).toEqual(all.slice(3));
  });

  it.each([
    ['offsets without a projectionId', { projectionId: undefined }],
    ['an empty tag', { tag: '' }],
    ['a negative poll interval', { pollIntervalMs: -1 }],
    ['a batch size of zero', { batchSize: 0 }],
    ['a journal that is not one', { journal: {} as Journal }],
  ])('fails with ERR_INVALID_ARGUMENT for %s', (_case, extra) => {
    let error: unknown;
    try {
      void EventsByTagProducer.startLink(system, options(extra));
    } catch (thrown) {
      error = thrown;
    }
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('EventsByTagProducer polling', () => {
  it('reads new events after the poll interval of the system clock', async () => {
    const clock = new VirtualClock();
    const timed = new ActorSystem({ logger: silentLogger, clock });
    const received: number[] = [];
    try {
      await EventsByTagProducer.startLink(timed, options({ pollIntervalMs: 1000 }), {
        name: 'orders',
      });
      await GenStage.startLink(timed, collector({ producer: 'orders', received }), undefined);
      await eventually(() => clock.pendingTimers() === 1);

      await journal.append('a', tagged('orders', 2), 0);
      clock.advance(999);
      await sleep(20);
      expect(received).toEqual([]);

      clock.advance(1);
      await eventually(() => received.length === 2);
      expect(received).toEqual(await orderingsOf('orders'));
    } finally {
      await timed.shutdown();
    }
  });

  it('keeps one poll timer while caught up', async () => {
    const clock = new VirtualClock();
    const timed = new ActorSystem({ logger: silentLogger, clock });
    const received: number[] = [];
    try {
      await EventsByTagProducer.startLink(timed, options({ pollIntervalMs: 100 }), {
        name: 'orders',
      });
      await GenStage.startLink(timed, collector({ producer: 'orders', received }), undefined);
      await eventually(() => clock.pendingTimers() === 1);

      for (let tick = 0; tick < 5; tick++) {
        clock.advance(100);
        await sleep(5);
        expect(clock.pendingTimers()).toBe(1);
      }
      expect(received).toEqual([]);
    } finally {
      await timed.shutdown();
    }
  });
});

describe('EventsByTagProducer.ack', () => {
  it('commits an offset only when a consumer acknowledges it', async () => {
    await journal.append('a', tagged('orders', 4), 0);
    const all = await orderingsOf('orders');
    const received: number[] = [];
    const producer = await EventsByTagProducer.startLink(system, options(), { name: 'orders' });
    await GenStage.startLink(system, collector({ producer: 'orders', received }), undefined);
    await eventually(() => received.length === 4);

    expect(await offsets.load('totals')).toBeUndefined();
    expect(await EventsByTagProducer.offsets(system, producer)).toEqual({
      emitted: all[3],
      committed: 0,
    });

    expect(await EventsByTagProducer.ack(system, producer, all[1]!)).toBe(all[1]);
    expect(await offsets.load('totals')).toBe(all[1]);
    expect((await EventsByTagProducer.offsets(system, producer)).committed).toBe(all[1]);
  });

  it('leaves the offset alone for an ordering at or below the committed one', async () => {
    await journal.append('a', tagged('orders', 4), 0);
    const all = await orderingsOf('orders');
    const received: number[] = [];
    const producer = await EventsByTagProducer.startLink(system, options(), { name: 'orders' });
    await GenStage.startLink(system, collector({ producer: 'orders', received }), undefined);
    await eventually(() => received.length === 4);
    await EventsByTagProducer.ack(system, producer, all[2]!);

    expect(await EventsByTagProducer.ack(system, producer, all[0]!)).toBe(all[2]);
    expect(await offsets.load('totals')).toBe(all[2]);
  });

  it('fails with ERR_INVALID_ARGUMENT past the last event emitted', async () => {
    await journal.append('a', tagged('orders', 2), 0);
    const all = await orderingsOf('orders');
    const received: number[] = [];
    const producer = await EventsByTagProducer.startLink(system, options(), { name: 'orders' });
    await GenStage.startLink(system, collector({ producer: 'orders', received }), undefined);
    await eventually(() => received.length === 2);

    const error = await EventsByTagProducer.ack(system, producer, all[1]! + 1).catch(
      (thrown: unknown) => thrown,
    );

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(await offsets.load('totals')).toBeUndefined();
    expect(system.isAlive(producer)).toBe(true);
  });

  it('rejects with the store error and keeps running when the commit fails', async () => {
    const logger = new MemoryLogger();
    const logged = new ActorSystem({ logger });
    const failing: OffsetStore = {
      load: () => offsets.load('totals'),
      save: () => Promise.reject(new Error('offsets table is locked')),
      close: async () => {},
    };
    await journal.append('a', tagged('orders', 2), 0);
    const all = await orderingsOf('orders');
    const received: number[] = [];
    try {
      const producer = await EventsByTagProducer.startLink(logged, options({ offsets: failing }), {
        name: 'orders',
      });
      await GenStage.startLink(logged, collector({ producer: 'orders', received }), undefined);
      await eventually(() => received.length === 2);

      const error = await EventsByTagProducer.ack(logged, producer, all[1]!).catch(
        (thrown: unknown) => thrown,
      );

      expect(isStarweaveError(error, 'ERR_STORE')).toBe(true);
      expect((error as Error).message).toContain('offsets table is locked');
      expect(logged.isAlive(producer)).toBe(true);
      expect((await EventsByTagProducer.offsets(logged, producer)).committed).toBe(0);
      expect(logger.find('persistence.offset_commit_failed')).toHaveLength(1);
    } finally {
      await logged.shutdown();
    }
  });
});

describe('EventsByTagProducer failures', () => {
  it('exits with the read error and logs it', async () => {
    const logger = new MemoryLogger();
    const logged = new ActorSystem({ logger });
    const broken = Object.create(journal) as Journal;
    broken.eventsByTag = () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(new Error('database disk image is malformed')),
      }),
    });
    try {
      const spec = EventsByTagProducer.spec(options({ journal: broken }));
      const producer = await GenStage.start(logged, spec, undefined);
      const exited = new Promise<Reason>((resolve) =>
        logged.monitor(producer, (down) => resolve(down.reason)),
      );
      const sink = await GenStage.start(
        logged,
        { ...collector({ producer: 'unused', received: [] }), init: () => ({ state: 0 }) },
        undefined,
      );
      await GenStage.subscribe(logged, sink, { to: producer, cancel: 'temporary' });

      const reason = await exited;
      expect((reason as Error).message).toBe('database disk image is malformed');
      const entries = logger.find('persistence.projection_read_failed');
      expect(entries).toHaveLength(1);
      expect(entries[0]!.fields).toMatchObject({ tag: 'orders', offset: 0 });
    } finally {
      await logged.shutdown();
    }
  });
});
