/**
 * What only the PostgreSQL stores do: connection failures, migrations, a connection killed in
 * the middle of an append, and the pool's own connections.
 */
import { createServer } from 'node:net';
import { MemoryLogger } from '@starweave/actors';
import { PG_SCHEMA_VERSION, PgJournal, PgSnapshotStore } from '@starweave/persistence';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, deposits } from '../contract/fixture.js';
import { adminPool, PG_SETTINGS, schemaName, skipPg } from './support.js';

/** Returns a loopback port that nothing listens on: one the kernel gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` every 10 ms until it returns a value, for at most `timeoutMs`. */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// These need no server: they aim at a loopback port that nothing listens on.
describe('PgJournal.open without a server', () => {
  it('fails with ERR_NOCONNECTION naming host and port', async () => {
    const port = await closedPort();
    const opening = PgJournal.open({ ...PG_SETTINGS, host: '127.0.0.1', port, schema: 'unused' });
    await expect(opening).rejects.toMatchObject({ code: 'ERR_NOCONNECTION' });
    await expect(opening).rejects.toThrow(`127.0.0.1:${port}`);
  });

  it('names host and port of a connection string', async () => {
    const port = await closedPort();
    const connectionString = `postgres://postgres@127.0.0.1:${port}/test`;
    const opening = PgJournal.open({ connectionString, schema: 'unused' });
    await expect(opening).rejects.toMatchObject({ code: 'ERR_NOCONNECTION' });
    await expect(opening).rejects.toThrow(`127.0.0.1:${port}`);
  });

  it('fails the snapshot store with ERR_NOCONNECTION too', async () => {
    const port = await closedPort();
    const opening = PgSnapshotStore.open({ host: '127.0.0.1', port, schema: 'unused' });
    await expect(opening).rejects.toMatchObject({ code: 'ERR_NOCONNECTION' });
    await expect(opening).rejects.toThrow(`127.0.0.1:${port}`);
  });
});

describe.skipIf(skipPg)('PostgreSQL stores', () => {
  let admin: pg.Pool;
  let schema: string;
  const opened: Array<{ close(): Promise<void> }> = [];

  const openJournal = async (options: Partial<Parameters<typeof PgJournal.open>[0]> = {}) => {
    const journal = await PgJournal.open({ ...PG_SETTINGS, schema, max: 4, ...options });
    opened.push(journal);
    return journal;
  };

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  beforeEach(() => {
    schema = schemaName();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  describe('PgJournal.open', () => {
    it('creates the schema and runs each migration once when stores start together', async () => {
      const logger = new MemoryLogger();
      const stores = await Promise.all([
        openJournal({ logger }),
        openJournal({ logger }),
        PgSnapshotStore.open({ ...PG_SETTINGS, schema, logger }),
      ]);
      opened.push(stores[2]);

      const { rows } = await admin.query(`SELECT version FROM ${schema}.migrations`);
      expect(rows.map((row) => row.version)).toEqual([PG_SCHEMA_VERSION]);
      expect(logger.find('persistence.migrated')).toHaveLength(1);
    });

    it('fails with ERR_STORE on a schema newer than it knows', async () => {
      await openJournal();
      await admin.query(`INSERT INTO ${schema}.migrations (version, name) VALUES (99, 'future')`);

      const opening = PgJournal.open({ ...PG_SETTINGS, schema });
      await expect(opening).rejects.toMatchObject({ code: 'ERR_STORE' });
      await expect(opening).rejects.toThrow(/version 99.*Upgrade/);
    });

    it.each([
      ['schema', { schema: 'bad-name; DROP TABLE x' }, /schema.*bad-name/],
      ['schema', { schema: '' }, /schema/],
      ['max', { max: 0 }, /max.*0/],
      ['maxRetries', { maxRetries: -1 }, /maxRetries.*-1/],
      ['pool', { pool: {} as never }, /pool/],
    ])('fails with ERR_INVALID_ARGUMENT on a bad %s', async (_, options, message) => {
      const opening = PgJournal.open({ ...PG_SETTINGS, ...options });
      await expect(opening).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      await expect(opening).rejects.toThrow(message);
    });

    it("uses a caller's pool and leaves it open on close", async () => {
      const pool = new pg.Pool({ ...PG_SETTINGS, max: 2 });
      const journal = await PgJournal.open({ pool, schema });
      await journal.append('a', deposits(1), 0);
      await journal.close();

      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.journal`);
      expect(rows[0].n).toBe(1);
      await pool.end();
    });
  });

  describe('PgJournal.append', () => {
    it('writes the appends of one tick in one call', async () => {
      const journal = await openJournal();
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => journal.append(`id-${i}`, deposits(2), 0)),
      );
      expect(journal.counters()).toMatchObject({ batches: 1, appends: 100, events: 200 });
    });

    it('leaves no partial append when its connection is killed mid-transaction', async () => {
      const applicationName = `sw-kill-${schema}`;
      const journal = await openJournal({ applicationName, max: 1 });
      await journal.append('a', deposits(2, 1, ['t']), 0);

      // Holding SHARE on the tag table blocks the append after it has inserted its events,
      // in the middle of its transaction.
      const blocker = await admin.connect();
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${schema}.journal_tags IN SHARE MODE`);
      const appending = journal.append('a', deposits(3, 3, ['t']), 2);
      appending.catch(() => {});

      const pid = await waitFor(async () => {
        const { rows } = await admin.query(
          `SELECT pid FROM pg_stat_activity
           WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%append_events%'`,
          [applicationName],
        );
        return rows[0]?.pid as number | undefined;
      });
      const locks = await admin.query(
        `SELECT count(*)::int AS n FROM pg_locks
         WHERE pid = $1 AND relation = $2::regclass AND mode = 'RowExclusiveLock' AND granted`,
        [pid, `${schema}.journal`],
      );
      expect(locks.rows[0].n).toBe(1);

      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await blocker.query('ROLLBACK');
      blocker.release();

      await expect(appending).rejects.toMatchObject({ code: 'ERR_NOCONNECTION' });
      await expect(appending).rejects.toThrow(/rolled back/);
      const stored = await admin.query(`SELECT seq FROM ${schema}.journal ORDER BY seq`);
      expect(stored.rows.map((row) => Number(row.seq))).toEqual([1, 2]);
      const tags = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.journal_tags`);
      expect(tags.rows[0].n).toBe(2);

      expect(await journal.highestSeq('a')).toBe(2);
      expect(await journal.append('a', deposits(1, 3, ['t']), 2)).toBe(3);
      expect((await collect(journal.eventsByTag('t'))).map((event) => event.seq)).toEqual([
        1, 2, 3,
      ]);
    });

    it('logs an idle connection that the server ends and goes on', async () => {
      const applicationName = `sw-idle-${schema}`;
      const logger = new MemoryLogger();
      const journal = await openJournal({ applicationName, logger });
      await journal.append('a', deposits(1), 0);

      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      await waitFor(async () =>
        logger.find('persistence.pg_connection_lost').length > 0 ? true : undefined,
      );

      expect(await journal.append('a', deposits(1, 2), 1)).toBe(2);
    });
  });
});
