// Recovery benchmarks of persistent processes: how long PersistentProcess.startLink takes to
// resolve over a journal of 1M events, without and with a snapshot 1000 events before the end,
// against the same read and fold done with the driver alone (better-sqlite3, pg). Imports the
// built packages; each measurement runs in a fresh process.

import pg from 'pg';
import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';
import { PG_SETTINGS } from './recovery-cases.mjs';

const CASES = new URL('./recovery-cases.mjs', import.meta.url).href;

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
 * Lists the measurements, in milliseconds. Quick mode recovers 50k events under the same names
 * and runs one round instead of the best of three.
 */
function plan(quick, pgUp) {
  const rounds = quick ? 1 : 3;
  const events = quick ? 50_000 : 1_000_000;
  const time = (benchmark, system, exportName, snapshotAt) => ({
    benchmark,
    system,
    exportName,
    args: { events, snapshotAt, rounds },
  });
  const near = events - 1000;
  const measurements = [
    time('process-recovery-1m', 'starweave', 'sqliteProcessRecovery', 0),
    time('process-recovery-1m', 'better-sqlite3', 'plainSqliteRecovery', 0),
    time('process-recovery-1m-snapshot', 'starweave', 'sqliteProcessRecovery', near),
    time('process-recovery-1m-snapshot', 'better-sqlite3', 'plainSqliteRecovery', near),
  ];
  if (!pgUp) return measurements;
  return measurements.concat([
    time('process-recovery-1m-pg', 'starweave', 'pgProcessRecovery', 0),
    time('process-recovery-1m-pg', 'pg', 'plainPgRecovery', 0),
    time('process-recovery-1m-snapshot-pg', 'starweave', 'pgProcessRecovery', near),
    time('process-recovery-1m-snapshot-pg', 'pg', 'plainPgRecovery', near),
  ]);
}

/** Runs the recovery benchmarks and returns their rows. */
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
        value: result.ms,
        unit: 'ms',
        higherIsBetter: false,
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
