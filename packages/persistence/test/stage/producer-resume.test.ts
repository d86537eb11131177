/**
 * EventsByTagProducer killed under a supervisor while events are still being appended, on an
 * SQLite file and on PostgreSQL: the restarted pipeline resumes after the committed offset, so
 * no event is lost and only events after that offset arrive twice.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ActorSystem, MemoryLogger } from '@starweave/actors';
import {
  EventsByTagProducer,
  type Journal,
  type OffsetStore,
  PgJournal,
  PgOffsetStore,
  SqliteJournal,
  SqliteOffsetStore,
} from '@starweave/persistence';
import { GenStage } from '@starweave/stages';
import { Supervisor } from '@starweave/supervision';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../contract/fixture.js';
import { adminPool, PG_SETTINGS, schemaName, skipPg } from '../pg/support.js';
import { makeTempDir } from '../sqlite/fixtures.js';
import { collector, tagged } from './collector.js';

/** A journal and an offset store on one fresh storage. */
interface ProjectionFixture {
  journal: Journal;
  offsets: OffsetStore;
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(2);
  }
}

function resumeTests(name: string, factory: () => Promise<ProjectionFixture>): void {
  describe(`EventsByTagProducer restart (${name})`, () => {
    let fixture: ProjectionFixture;
    let logger: MemoryLogger;
    let system: ActorSystem;

    beforeEach(async () => {
      fixture = await factory();
      logger = new MemoryLogger();
      system = new ActorSystem({ logger });
    });

    afterEach(async () => {
      await system.shutdown();
      await fixture.dispose();
    });

    it('resumes after the committed offset with no loss', async () => {
      const { journal, offsets } = fixture;
      for (const [i, id] of ['a', 'b', 'c'].entries()) {
        await journal.append(id, tagged('orders', 50, i * 50), 0);
      }
      const received: number[] = [];
      const starts: number[] = [];
      const options = {
        journal,
        tag: 'orders',
        offsets,
        projectionId: 'totals',
        pollIntervalMs: 5,
      };
      await Supervisor.startLink(
        system,
        [
          EventsByTagProducer.childSpec('orders', options, { name: 'orders' }),
          GenStage.childSpec(
            'collector',
            collector({ producer: 'orders', received, starts, ackEvery: 2, maxDemand: 10 }),
            undefined,
          ),
        ],
        { strategy: 'oneForAll', maxRestarts: 10 },
      );

      // A writer keeps appending while the pipeline runs, so the restart has new events to poll.
      const writer = (async () => {
        for (let k = 0; k < 10; k++) {
          await journal.append('d', tagged('orders', 5, 150 + k * 5), k * 5);
          await sleep(3);
        }
      })();
      await eventually(() => received.length >= 60);
      system.exit(system.whereis('orders')!, 'kill');
      await writer;

      const all = (await collect(journal.eventsByTag('orders'))).map((event) => event.ordering);
      expect(all).toHaveLength(200);
      await eventually(() => new Set(received).size === 200);

      const started = logger.find('persistence.projection_started');
      expect(started).toHaveLength(2);
      const committed = started[1]!.fields.offset as number;
      expect(committed).toBeGreaterThan(0);

      const counts = new Map<number, number>();
      for (const ordering of received) counts.set(ordering, (counts.get(ordering) ?? 0) + 1);
      for (const ordering of all) {
        const count = counts.get(ordering);
        if (ordering <= committed) expect(count, `ordering ${ordering}`).toBe(1);
        else expect(count, `ordering ${ordering}`).toBeLessThanOrEqual(2);
      }

      // Each run reads in ordering order, and the second starts right after the offset.
      expect(starts).toHaveLength(2);
      const firstRun = received.slice(0, starts[1]);
      expect(firstRun).toEqual(all.slice(0, firstRun.length));
      expect(received.slice(starts[1])).toEqual(all.filter((ordering) => ordering > committed));
    });
  });
}

resumeTests('SQLite file', async () => {
  const dir = makeTempDir();
  const filename = join(dir, 'events.db');
  const journal = await SqliteJournal.open({ filename });
  const offsets = await SqliteOffsetStore.open({ filename });
  return {
    journal,
    offsets,
    async dispose() {
      await offsets.close();
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(skipPg)('PostgreSQL', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  resumeTests('PostgreSQL', async () => {
    const schema = schemaName();
    const journal = await PgJournal.open({ ...PG_SETTINGS, schema, max: 4 });
    const offsets = await PgOffsetStore.open({ ...PG_SETTINGS, schema, max: 2 });
    return {
      journal,
      offsets,
      async dispose() {
        await offsets.close();
        await journal.close();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  });
});
