/**
 * PostgreSQL for the tests: the server settings, a probe that decides whether the tests run,
 * and fixtures that give each test a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { PgJournal, PgSnapshotStore } from '@starweave/persistence';
import pg from 'pg';
import type { FixtureFactory, StoreFixture } from '../contract/fixture.js';

/** The test server: the machine's PostgreSQL, database `test`, trust authentication. */
export const PG_SETTINGS = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  database: process.env.PGDATABASE ?? 'test',
  user: process.env.PGUSER ?? 'postgres',
};

const target = `${PG_SETTINGS.host}:${PG_SETTINGS.port}`;

async function probe(): Promise<boolean> {
  const client = new pg.Client({ ...PG_SETTINGS, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether the server accepted a connection and ran a query. */
export const pgReachable = await probe();

/**
 * Whether to skip the PostgreSQL tests: only when the server is unreachable and this is not CI.
 * Under CI they run and fail instead.
 */
export const skipPg = !pgReachable && process.env.CI !== 'true';

if (skipPg) {
  console.warn(
    `PostgreSQL does not answer at ${target} (database ${PG_SETTINGS.database}, user ` +
      `${PG_SETTINGS.user}): skipping the PostgreSQL tests. Start the server to run them; ` +
      'with CI=true they fail instead.',
  );
}

/** Opens a pool for statements that the tests run behind the stores' backs. */
export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ ...PG_SETTINGS, max: 4 });
  pool.on('error', () => {});
  return pool;
}

/** Returns a fresh schema name for one test. */
export function schemaName(): string {
  return `sw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Creates a fixture factory whose fixtures each create and drop a schema through `admin`. */
export function pgFixture(admin: () => pg.Pool): FixtureFactory {
  return async () => {
    const schema = schemaName();
    await admin().query(`CREATE SCHEMA ${schema}`);
    const closers: Array<() => Promise<void>> = [];
    const fixture: StoreFixture = {
      async openJournal(options = {}) {
        const journal = await PgJournal.open({ ...PG_SETTINGS, schema, max: 4, ...options });
        closers.push(() => journal.close());
        return journal;
      },
      async openSnapshots() {
        const snapshots = await PgSnapshotStore.open({ ...PG_SETTINGS, schema, max: 2 });
        closers.push(() => snapshots.close());
        return snapshots;
      },
      async corruptEvent(persistenceId, seq, bytes) {
        await admin().query(
          `UPDATE ${schema}.journal SET payload = $1 WHERE persistence_id = $2 AND seq = $3`,
          [Buffer.from(bytes), persistenceId, seq],
        );
      },
      async corruptSnapshot(persistenceId, seq, bytes) {
        await admin().query(
          `UPDATE ${schema}.snapshots SET payload = $1 WHERE persistence_id = $2 AND seq = $3`,
          [Buffer.from(bytes), persistenceId, seq],
        );
      },
      async dispose() {
        for (const close of closers) await close();
        await admin().query(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
    return fixture;
  };
}
