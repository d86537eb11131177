// The measurements of recovery.bench.mjs: the time a PersistentProcess takes to start from a
// journal of N events, with and without a snapshot near the end, against a plain read and fold
// of the same rows with the driver alone. Each runs in a fresh node process (see
// benchmarks/lib/isolate.mjs) and reports the best of `rounds`, because other work on a shared
// machine only ever slows a round down.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem, silentLogger } from '@starweave/actors';
import {
  PersistentProcess,
  PgJournal,
  PgSnapshotStore,
  SqliteJournal,
  SqliteSnapshotStore,
} from '@starweave/persistence';
import Database from 'better-sqlite3';
import { unpack } from 'msgpackr';
import pg from 'pg';

/** The PostgreSQL server of the benchmarks: the machine's test database. */
export const PG_SETTINGS = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  database: process.env.PGDATABASE ?? 'test',
  user: process.env.PGUSER ?? 'postgres',
};

const PERSISTENCE_ID = 'account-1';

/** Returns the payload of event `i`: about 30 bytes of msgpack. */
function payload(i) {
  return { type: 'deposited', amount: i % 1000, ts: i };
}

/** A persistent account whose state is the sum and the count of its deposits. */
const Account = {
  persistenceId: () => PERSISTENCE_ID,
  initialState: () => ({ sum: 0, count: 0 }),
  applyEvent: (state, event) => {
    state.sum += event.amount;
    state.count += 1;
    return state;
  },
  handleCommand: (_command, state) => ({ reply: state.count }),
};

function elapsedMs(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

/** Appends `events` events in appends of 10,000 and saves a snapshot at `snapshotAt` if > 0. */
async function fill(journal, snapshots, events, snapshotAt) {
  const batch = 10_000;
  for (let seq = 0; seq < events; seq += batch) {
    const list = [];
    for (let i = seq; i < Math.min(seq + batch, events); i++) list.push({ payload: payload(i) });
    await journal.append(PERSISTENCE_ID, list, seq);
  }
  if (snapshotAt > 0) {
    let sum = 0;
    for (let i = 0; i < snapshotAt; i++) sum += payload(i).amount;
    await snapshots.save(PERSISTENCE_ID, snapshotAt, { sum, count: snapshotAt });
  }
}

/** Runs `measure` `rounds` times and returns the lowest time, checking each recovered count. */
async function bestTime(rounds, events, measure) {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const { ms, count } = await measure();
    if (count !== events) throw new Error(`recovered ${count} events of ${events}`);
    best = Math.min(best, ms);
  }
  return { ms: best };
}

/**
 * Times `PersistentProcess.startLink` until it resolves, which is once the process has loaded
 * the snapshot and folded the events after it. Opening the stores is not timed.
 */
async function recoverProcess(openJournal, openSnapshots, events, rounds) {
  return bestTime(rounds, events, async () => {
    const journal = await openJournal();
    const snapshots = await openSnapshots();
    const system = new ActorSystem({ logger: silentLogger });
    const start = process.hrtime.bigint();
    const pid = await PersistentProcess.startLink(system, Account, undefined, {
      journal,
      snapshots,
    });
    const ms = elapsedMs(start);
    const { state } = await PersistentProcess.getState(system, pid);
    await system.shutdown();
    await snapshots.close();
    await journal.close();
    return { ms, count: state.count };
  });
}

function withTempDir(body) {
  const dir = mkdtempSync(join(tmpdir(), 'starweave-recovery-bench-'));
  return Promise.resolve()
    .then(() => body(dir))
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Measures a PersistentProcess that recovers from an SQLite file. */
export function sqliteProcessRecovery({ events, snapshotAt, rounds = 1 }) {
  return withTempDir(async (dir) => {
    const filename = join(dir, 'journal.db');
    const journal = await SqliteJournal.open({ filename });
    const snapshots = await SqliteSnapshotStore.open({ filename });
    await fill(journal, snapshots, events, snapshotAt);
    await snapshots.close();
    await journal.close();
    return recoverProcess(
      () => SqliteJournal.open({ filename }),
      () => SqliteSnapshotStore.open({ filename }),
      events,
      rounds,
    );
  });
}

/**
 * Measures the same recovery with better-sqlite3 alone, from the rows that SqliteJournal wrote:
 * the snapshot row, then keyset pages of 10,000 later payloads, unpacked with msgpackr and
 * folded. This is the floor that the journal, the process and the scheduler add to.
 */
export function plainSqliteRecovery({ events, snapshotAt, rounds = 1 }) {
  return withTempDir(async (dir) => {
    const filename = join(dir, 'journal.db');
    const journal = await SqliteJournal.open({ filename });
    const snapshots = await SqliteSnapshotStore.open({ filename });
    await fill(journal, snapshots, events, snapshotAt);
    await snapshots.close();
    await journal.close();
    return bestTime(rounds, events, async () => {
      const db = new Database(filename, { readonly: true });
      const start = process.hrtime.bigint();
      const snapshot = db
        .prepare(
          `SELECT seq, payload FROM starweave_snapshots
           WHERE persistence_id = ? ORDER BY seq DESC LIMIT 1`,
        )
        .get(PERSISTENCE_ID);
      const state = snapshot === undefined ? { sum: 0, count: 0 } : unpack(snapshot.payload);
      const page = db
        .prepare(
          `SELECT seq, payload FROM starweave_journal
           WHERE persistence_id = ? AND seq > ? ORDER BY seq LIMIT 10000`,
        )
        .raw();
      let after = snapshot?.seq ?? 0;
      for (;;) {
        const rows = page.all(PERSISTENCE_ID, after);
        for (const [, bytes] of rows) Account.applyEvent(state, unpack(bytes));
        if (rows.length < 10_000) break;
        after = rows[rows.length - 1][0];
      }
      const ms = elapsedMs(start);
      db.close();
      return { ms, count: state.count };
    });
  });
}

async function withSchema(body) {
  const admin = new pg.Pool({ ...PG_SETTINGS, max: 1 });
  const schema = `sw_recovery_bench_${process.pid}`;
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    return await body(schema);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

// ANALYZE gives the planner the table's size, so the plain query of the baseline walks the
// index as PgJournal's read functions do, instead of sorting every later row for each page.
async function fillPg(schema, events, snapshotAt) {
  const journal = await PgJournal.open({ ...PG_SETTINGS, schema });
  const snapshots = await PgSnapshotStore.open({ ...PG_SETTINGS, schema });
  await fill(journal, snapshots, events, snapshotAt);
  await snapshots.close();
  await journal.close();
  const client = new pg.Client(PG_SETTINGS);
  await client.connect();
  await client.query(`ANALYZE ${schema}.journal`);
  await client.end();
}

/** Measures a PersistentProcess that recovers from PostgreSQL. */
export function pgProcessRecovery({ events, snapshotAt, rounds = 1 }) {
  return withSchema(async (schema) => {
    await fillPg(schema, events, snapshotAt);
    return recoverProcess(
      () => PgJournal.open({ ...PG_SETTINGS, schema }),
      () => PgSnapshotStore.open({ ...PG_SETTINGS, schema }),
      events,
      rounds,
    );
  });
}

/**
 * Measures the same recovery with pg alone: the snapshot row, then keyset pages of 10,000
 * payloads of the table that PgJournal wrote, unpacked with msgpackr and folded.
 */
export function plainPgRecovery({ events, snapshotAt, rounds = 1 }) {
  return withSchema(async (schema) => {
    await fillPg(schema, events, snapshotAt);
    return bestTime(rounds, events, async () => {
      const client = new pg.Client(PG_SETTINGS);
      await client.connect();
      const start = process.hrtime.bigint();
      const snapshot = await client.query({
        text: `SELECT seq::float8 AS snapshot_seq, payload FROM ${schema}.snapshots
               WHERE persistence_id = $1 ORDER BY seq DESC LIMIT 1`,
        values: [PERSISTENCE_ID],
      });
      const row = snapshot.rows[0];
      const state = row === undefined ? { sum: 0, count: 0 } : unpack(row.payload);
      let after = row?.snapshot_seq ?? 0;
      for (;;) {
        const page = await client.query({
          // The cast gets its own name, so that ORDER BY seq sorts by the indexed column.
          text: `SELECT seq::float8 AS page_seq, payload FROM ${schema}.journal
                 WHERE persistence_id = $1 AND seq > $2 ORDER BY seq LIMIT 10000`,
          values: [PERSISTENCE_ID, after],
          rowMode: 'array',
        });
        for (const [, bytes] of page.rows) Account.applyEvent(state, unpack(bytes));
        if (page.rows.length < 10_000) break;
        after = page.rows[page.rows.length - 1][0];
      }
      const ms = elapsedMs(start);
      await client.end();
      return { ms, count: state.count };
    });
  });
}
