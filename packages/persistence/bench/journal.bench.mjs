// Journal benchmarks, importing the built packages; each measurement runs in a fresh process.
//
// journal-append: one event per append, each awaited before the next, so every row is its own
// transaction on both sides (the plain loop inserts in autocommit). journal-append-batch: 1000
// events per append against 1000 inserts per transaction. Rows carry a ~30-byte msgpack
// payload: starweave encodes it with the core codec, the plain loops with msgpackr's pack.
// The -pg variants do the same on PostgreSQL, where the plain loop awaits one INSERT per row.
// recovery-1m and recovery-1m-snapshot time a replay of 1M events folded into a sum, without
// and with a snapshot 1000 events before the end.

import pg from 'pg';
import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';
import { PG_SETTINGS } from './journal-cases.mjs';

const CASES = new URL('./journal-cases.mjs', import.meta.url).href;

/** Returns whether the benchmark PostgreSQL server accepts a connection. */
async function pgAnswers() {
  const client = new pg.Client({ ...PG_SETTINGS, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Lists the measurements. Appends report rows per second; recoveries report milliseconds.
 * Quick mode measures fewer rows, recovers 50k events under the same names, and runs one
 * round instead of the best of three.
 */
function plan(quick, pgUp) {
  const rounds = quick ? 1 : 3;
  const appendSizes = {
    sqlite: { single: quick ? 5_000 : 50_000, batch: quick ? 50_000 : 1_000_000 },
    // The plain pg loop makes one round trip per row, a few thousand a second.
    pg: { single: quick ? 500 : 5_000, batch: quick ? 10_000 : 100_000 },
  };
  const recoveryEvents = quick ? 50_000 : 1_000_000;
  const rate = (benchmark, system, exportName, args) => ({
    benchmark,
    system,
    exportName,
    args: { ...args, rounds },
    row: (result) => ({ value: result.perSecond, unit: 'rows/s', higherIsBetter: true }),
  });
  const time = (benchmark, exportName, args) => ({
    benchmark,
    system: 'starweave',
    exportName,
    args: { ...args, rounds },
    row: (result) => ({ value: result.ms, unit: 'ms', higherIsBetter: false }),
  });

  const sqlite = appendSizes.sqlite;
  const measurements = [
    rate('journal-append', 'starweave', 'sqliteAppend', { count: sqlite.single, batchSize: 1 }),
    rate('journal-append', 'better-sqlite3', 'plainSqliteAppend', {
      count: sqlite.single,
      batchSize: 1,
    }),
    rate('journal-append-batch', 'starweave', 'sqliteAppend', {
      count: sqlite.batch,
      batchSize: 1000,
    }),
    rate('journal-append-batch', 'better-sqlite3', 'plainSqliteAppend', {
      count: sqlite.batch,
      batchSize: 1000,
    }),
    time('recovery-1m', 'sqliteRecovery', { events: recoveryEvents, snapshotAt: 0 }),
    time('recovery-1m-snapshot', 'sqliteRecovery', {
      events: recoveryEvents,
      snapshotAt: recoveryEvents - 1000,
    }),
  ];
  if (!pgUp) return measurements;

  const postgres = appendSizes.pg;
  return measurements.concat([
    rate('journal-append-pg', 'starweave', 'pgAppend', { count: postgres.single, batchSize: 1 }),
    rate('journal-append-pg', 'pg', 'plainPgAppend', { count: postgres.single, batchSize: 1 }),
    rate('journal-append-batch-pg', 'starweave', 'pgAppend', {
      count: postgres.batch,
      batchSize: 1000,
    }),
    rate('journal-append-batch-pg', 'pg', 'plainPgAppend', {
      count: postgres.batch,
      batchSize: 1000,
    }),
    time('recovery-1m-pg', 'pgRecovery', { events: recoveryEvents, snapshotAt: 0 }),
    time('recovery-1m-snapshot-pg', 'pgRecovery', {
      events: recoveryEvents,
      snapshotAt: recoveryEvents - 1000,
    }),
  ]);
}

/** Runs the journal benchmarks and returns their rows. */
export async function run({ quick, only, log = () => {} }) {
  const pgUp = await pgAnswers();
  if (!pgUp) {
    log(
      `PostgreSQL does not answer at ${PG_SETTINGS.host}:${PG_SETTINGS.port}; skipping the -pg rows`,
    );
  }
  const rows = [];
  for (const measurement of plan(quick, pgUp)) {
    if (!selects(only, import.meta.url, measurement.benchmark)) continue;
    try {
      const result = await measureInChild(CASES, measurement.exportName, measurement.args, {
        timeoutMs: 600_000,
      });
      const row = {
        benchmark: measurement.benchmark,
        system: measurement.system,
        ...measurement.row(result),
      };
      log(`${row.benchmark} ${row.system}: ${Math.round(row.value)} ${row.unit}`);
      rows.push(row);
    } catch (error) {
      log(`${measurement.benchmark} ${measurement.system} failed: ${error.message}`);
      process.exitCode = 1;
    }
  }
  return rows;
}
