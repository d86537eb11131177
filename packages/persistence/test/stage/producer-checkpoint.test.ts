/**
 * EventsByTagProducer as the source of a checkpointed pipeline, with the checkpoints in SQLite
 * and in PostgreSQL: a pipeline started again in a fresh actor system resumes after the offset
 * of the last completed checkpoint.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ActorSystem, silentLogger } from '@starweave/actors';
import { EventsByTagProducer, type PersistedEvent, SqliteJournal } from '@starweave/persistence';
import {
  CheckpointCoordinator,
  type CheckpointStore,
  type ConsumerSpec,
  GenStage,
} from '@starweave/stages';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgCheckpointFixture, sqliteCheckpointFixture } from '../checkpoint/checkpoint-fixtures.js';
import type {
  CheckpointFixture,
  CheckpointFixtureFactory,
} from '../checkpoint/checkpoint-store-contract.js';
import { collect } from '../contract/fixture.js';
import { adminPool, skipPg } from '../pg/support.js';
import { makeTempDir } from '../sqlite/fixtures.js';
import { tagged } from './collector.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(2);
  }
}

/** Returns an idempotent sink that writes each event under its ordering and records every delivery. */
function sink(
  rows: Map<number, number>,
  deliveries: number[],
): ConsumerSpec<null, void, PersistedEvent<{ n: number }>> {
  return {
    type: 'consumer',
    init: () => ({ state: null, subscribeTo: [{ to: 'orders', maxDemand: 8 }] }),
    handleEvents: (events, _from, state) => {
      for (const event of events) {
        rows.set(event.ordering, event.payload.n);
        deliveries.push(event.ordering);
      }
      return { state };
    },
  };
}

function checkpointTests(name: string, factory: () => CheckpointFixtureFactory): void {
  describe(`EventsByTagProducer checkpoints (${name})`, () => {
    let dir: string;
    let journal: SqliteJournal;
    let fixture: CheckpointFixture;

    beforeEach(async () => {
      dir = makeTempDir();
      journal = await SqliteJournal.open({ filename: join(dir, 'events.db') });
      fixture = await factory()();
    });

    afterEach(async () => {
      await fixture.dispose();
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function startPipeline(
      system: ActorSystem,
      store: CheckpointStore,
      rows: Map<number, number>,
      deliveries: number[],
    ): Promise<void> {
      await CheckpointCoordinator.startLink(
        system,
        { store, sources: ['orders'], sinks: ['sink'] },
        { name: 'checkpoints' },
      );
      const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'checkpoints' });
      await EventsByTagProducer.startLink(
        system,
        { journal, tag: 'orders', pollIntervalMs: 5 },
        { name: 'orders', checkpoint: checkpoint('orders') },
      );
      await GenStage.startLink(system, sink(rows, deliveries), undefined, {
        checkpoint: checkpoint('sink'),
      });
    }

    it('resumes after the offset of the last completed checkpoint', async () => {
      await journal.append('a', tagged('orders', 30), 0);
      const rows = new Map<number, number>();
      const firstRun: number[] = [];

      const first = new ActorSystem({ logger: silentLogger });
      await startPipeline(first, await fixture.open(), rows, firstRun);
      await eventually(() => rows.size === 30);
      const completed = await CheckpointCoordinator.trigger(first, 'checkpoints');
      await journal.append('a', tagged('orders', 10, 30), 30);
      await eventually(() => rows.size === 40);
      await first.shutdown();

      const store = await fixture.open();
      const secondRun: number[] = [];
      const second = new ActorSystem({ logger: silentLogger });
      try {
        await startPipeline(second, store, rows, secondRun);
        const restored = await EventsByTagProducer.offsets(second, 'orders');
        const all = (await collect(journal.eventsByTag('orders'))).map((event) => event.ordering);
        await eventually(() => secondRun.length === 10);
        await sleep(20);

        expect(await store.latestCompleted()).toBe(completed);
        expect(restored.committed).toBe(all[29]);
        expect(secondRun).toEqual(all.slice(30));
        expect(firstRun).toEqual(all);
        expect(rows.size).toBe(40);
      } finally {
        await second.shutdown();
      }
    });
  });
}

checkpointTests('SQLite file', () => sqliteCheckpointFixture);

describe.skipIf(skipPg)('PostgreSQL', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  checkpointTests('PostgreSQL', () => pgCheckpointFixture(() => admin));
});
