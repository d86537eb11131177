/**
 * The monitor journaling to PostgreSQL: the same results as the check pass, in a schema of the
 * test's own. Skipped with a message when the server is unreachable, except under CI=true.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runMonitor } from '../src/app/run-monitor.js';
import { compareWithPlainPass } from '../src/check/compare.js';
import { plainPass } from '../src/check/plain-pass.js';
import { jsonSlice, tempOut } from './fixtures.js';

const settings = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  database: process.env.PGDATABASE ?? 'test',
  user: process.env.PGUSER ?? 'postgres',
};

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ ...settings, connectionTimeoutMillis: 2000 });
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

const skip = !(await reachable()) && process.env.CI !== 'true';
if (skip) {
  console.warn(
    `PostgreSQL does not answer at ${settings.host}:${settings.port} (database ${settings.database}): ` +
      'skipping the flight monitor PostgreSQL test. Start the server to run it; with CI=true it fails instead.',
  );
}

const schema = `flight_monitor_test_${process.pid}_${randomBytes(3).toString('hex')}`;
const { out, remove } = tempOut();

afterAll(async () => {
  remove();
  if (skip) return;
  const pool = new pg.Pool({ ...settings, max: 1 });
  pool.on('error', () => {});
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

describe.skipIf(skip)('runMonitor on PostgreSQL', () => {
  it('matches the check pass', async () => {
    const { source } = await jsonSlice();
    const result = await runMonitor({ source, out, partitions: 2, store: 'postgres', schema });

    expect(result.storeLocation).toContain(`schema ${schema}`);
    expect(result.totals.flights).toBe(20_000);
    const check = compareWithPlainPass(result, await plainPass(source, 20_000));
    expect(check.lines.filter((line) => !line.startsWith('same'))).toEqual([]);
  });
});
