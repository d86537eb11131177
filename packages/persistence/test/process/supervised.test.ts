/**
 * PersistentProcess under a Supervisor, on an SQLite file and on PostgreSQL. A process killed
 * while commands are in flight, or stopped by a failed write, is restarted and recovers every
 * event it acknowledged, and its state is the fold of what the journal contains.
 */
import { ActorSystem, isStarweaveError, type Pid, silentLogger } from '@starweave/actors';
import { type Journal, PersistentProcess, type SnapshotStore } from '@starweave/persistence';
import { Supervisor } from '@starweave/supervision';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, type FixtureFactory, type StoreFixture } from '../contract/fixture.js';
import { adminPool, pgFixture, skipPg } from '../pg/support.js';
import { sqliteFileFixture } from '../sqlite/fixtures.js';
import { type Account, type AccountEvent, accountSpec } from './account.js';
import { FaultJournal } from './fault-journal.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Returns the ids of the deposits that the journal of `ada` contains, in order. */
async function storedIds(journal: Journal): Promise<string[]> {
  const events = await collect(journal.replay<AccountEvent>('account-ada'));
  return events.flatMap((event) => ('id' in event.payload ? [event.payload.id] : []));
}

/** Waits until the supervisor has restarted `ada` under a pid other than `old`. */
async function restartedFrom(system: ActorSystem, old: Pid): Promise<Pid> {
  for (;;) {
    const pid = system.whereis('ada');
    if (pid !== undefined && !pid.equals(old)) return pid;
    await sleep(1);
  }
}

function supervisedTests(name: string, factory: () => FixtureFactory): void {
  describe(`PersistentProcess under a Supervisor (${name})`, () => {
    let fixture: StoreFixture;
    let journal: Journal;
    let snapshots: SnapshotStore;
    let system: ActorSystem;

    beforeEach(async () => {
      fixture = await factory()();
      journal = await fixture.openJournal();
      snapshots = await fixture.openSnapshots();
      system = new ActorSystem({ logger: silentLogger });
    });

    afterEach(async () => {
      await system.shutdown();
      await fixture.dispose();
    });

    async function startSupervised(processJournal: Journal = journal) {
      const child = PersistentProcess.childSpec('ada', accountSpec({ snapshotEvery: 7 }), 'ada', {
        journal: processJournal,
        snapshots,
        name: 'ada',
      });
      return Supervisor.startLink(system, [child], { maxRestarts: 10, maxSeconds: 5 });
    }

    it('recovers every acknowledged deposit after a kill', async () => {
      await startSupervised();
      const acknowledged: string[] = [];
      const failed: string[] = [];
      const first = system.whereis('ada')!;

      // Four clients deposit at once, and one of them kills the process midway.
      const client = async (k: number) => {
        for (let i = 0; i < 30; i++) {
          const id = `c${k}-${i}`;
          try {
            await PersistentProcess.call(system, 'ada', { type: 'deposit', id, amount: 1 });
            acknowledged.push(id);
            // The kill lands while the calls of the other clients are in flight.
            if (acknowledged.length === 40) system.exit(first, 'kill');
          } catch (error) {
            expect(
              isStarweaveError(error, 'ERR_CALL_EXIT') || isStarweaveError(error, 'ERR_NOPROC'),
            ).toBe(true);
            failed.push(id);
            await sleep(1);
          }
        }
      };
      await Promise.all([0, 1, 2, 3].map(client));

      const second = await restartedFrom(system, first);
      const recovered = await PersistentProcess.getState<Account>(system, second);
      const stored = await storedIds(journal);
      expect(failed.length).toBeGreaterThan(0);
      expect(new Set(recovered.state.ids).size).toBe(recovered.state.ids.length);
      for (const id of acknowledged) expect(recovered.state.ids).toContain(id);
      expect(recovered.state.ids).toEqual(stored);
      expect(recovered.state.balance).toBe(stored.length);
      expect(recovered.seq).toBe(await journal.highestSeq('account-ada'));
    });

    it('restarts after a failed write and keeps every acknowledged deposit', async () => {
      const faulty = new FaultJournal(journal);
      await startSupervised(faulty);
      for (const id of ['a', 'b', 'c']) {
        await PersistentProcess.call(system, 'ada', { type: 'deposit', id, amount: 2 });
      }
      const first = system.whereis('ada')!;
      faulty.failing = true;

      const error = await PersistentProcess.call(system, 'ada', {
        type: 'deposit',
        id: 'lost',
        amount: 2,
      }).catch((thrown: unknown) => thrown);
      faulty.failing = false;
      const second = await restartedFrom(system, first);

      expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
      expect(faulty.failures).toBe(1);
      const recovered = await PersistentProcess.getState<Account>(system, second);
      expect(recovered.state.ids).toEqual(['a', 'b', 'c']);
      expect(
        await PersistentProcess.call(system, 'ada', { type: 'deposit', id: 'd', amount: 2 }),
      ).toBe(8);
      expect(await storedIds(journal)).toEqual(['a', 'b', 'c', 'd']);
    });
  });
}

supervisedTests('SQLite file', () => sqliteFileFixture);

describe.skipIf(skipPg)('PostgreSQL', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  supervisedTests('PostgreSQL', () => pgFixture(() => admin));
});

describe('PersistentProcess kill property', () => {
  it('keeps every acknowledged deposit whatever the kill point', async () => {
    const scenario = fc.record({
      batches: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
      killAfter: fc.nat({ max: 12 }),
      snapshotEvery: fc.integer({ min: 1, max: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ batches, killAfter, snapshotEvery }) => {
        const fixture = await sqliteFileFixture();
        const system = new ActorSystem({ logger: silentLogger });
        try {
          const journal = await fixture.openJournal();
          const snapshots = await fixture.openSnapshots();
          const spec = accountSpec({ snapshotEvery });
          await Supervisor.startLink(system, [
            PersistentProcess.childSpec('ada', spec, 'ada', { journal, snapshots, name: 'ada' }),
          ]);

          const acknowledged: string[] = [];
          const calls: Array<Promise<unknown>> = [];
          let first: Pid | undefined;
          for (const [b, size] of batches.entries()) {
            const ids = Array.from({ length: size }, (_, i) => `b${b}-${i}`);
            const pid = system.whereis('ada');
            if (pid === undefined) break;
            const reply = PersistentProcess.call(system, pid, {
              type: 'depositMany',
              ids,
              amount: 1,
            });
            calls.push(reply.then(() => acknowledged.push(...ids)).catch(() => undefined));
            // The kill lands while this batch is queued or its append is in flight.
            if (b === killAfter) {
              first = pid;
              system.exit(pid, 'kill');
            }
            if (b % 2 === 0) await reply.catch(() => undefined);
          }
          await Promise.all(calls);
          const current =
            first === undefined ? system.whereis('ada')! : await restartedFrom(system, first);

          const recovered = await PersistentProcess.getState<Account>(system, current);
          for (const id of acknowledged) expect(recovered.state.ids).toContain(id);
          expect(recovered.state.ids).toEqual(await storedIds(journal));
        } finally {
          await system.shutdown();
          await fixture.dispose();
        }
      }),
      { seed: 42, numRuns: 30, verbose: true },
    );
  }, 30_000);
});
