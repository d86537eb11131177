// The measurements of journal.bench.mjs. Each runs in a fresh node process (see
// benchmarks/lib/isolate.mjs), so one system's heap and JIT state cannot skew the next. Each
// repeats its work `rounds` times on fresh storage and reports the best round, because other
// work on a shared machine only ever slows a round down.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PgJournal,
  PgSnapshotStore,
  SqliteJournal,
  SqliteSnapshotStore,
} from '@starweave/persistence';
import Database from 'better-sqlite3';
import { pack } from 'msgpackr';
import pg from 'pg';

/** The PostgreSQL server of the benchmarks: the machine's test database. */
export const PG_SETTINGS = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  database: process.env.PGDATABASE ?? 'test',
  user: process.env.PGUSER ?? 'postgres',
};

const ACTOR = 'account-1';

/** Returns the payload of event `i`: about 30 bytes of msgpack. */
function payload(i) {
  return { type: 'deposit', amount: i % 1000, ts: i };
}

function withTempDir(body) {
  const dir = mkdtempSync(join(tmpdir(), 'starweave-journal-bench-'));
  return Promise.resolve()
    .then(() => body(dir))
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}

function perSecond(count, startNs) {
  return count / (Number(process.hrtime.bigint() - startNs) / 1e9);
}

/** Runs `measure` `rounds` times, one after another, and returns the highest rate. */
async function bestRate(rounds, measure) {
  let best = 0;
  for (let round = 0; round < rounds; round++) best = Math.max(best, await measure());
  return { perSecond: best };
}

/** Appends `count` events to an SQLite journal, `batchSize` per append, one after the other. */
export function sqliteAppend({ count, batchSize, rounds = 1 }) {
  return bestRate(rounds, () =>
    withTempDir(async (dir) => {
      const journal = await SqliteJournal.open({ filename: join(dir, 'journal.db') });
      const start = process.hrtime.bigint();
      for (let seq = 0; seq < count; seq += batchSize) {
        const events = [];
        for (let i = seq; i < seq + batchSize; i++) events.push({ payload: payload(i) });
        await journal.append(ACTOR, events, seq);
      }
      const rate = perSecond(count, start);
      await journal.close();
      return rate;
    }),
  );
}

/**
 * Inserts the same rows with a plain better-sqlite3 loop: WAL and synchronous=NORMAL, one
 * transaction per `batchSize` rows (autocommit for 1), payloads packed with msgpackr.
 */
export function plainSqliteAppend({ count, batchSize, rounds = 1 }) {
  return bestRate(rounds, () =>
    withTempDir(async (dir) => {
      const db = new Database(join(dir, 'plain.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(
        'CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER, actor TEXT, payload BLOB)',
      );
      const insert = db.prepare('INSERT INTO events (seq, ts, actor, payload) VALUES (?, ?, ?, ?)');
      const insertBatch = db.transaction((from) => {
        for (let i = from; i < from + batchSize; i++) {
          insert.run(i + 1, Date.now(), ACTOR, pack(payload(i)));
        }
      });
      const start = process.hrtime.bigint();
      if (batchSize === 1) {
        for (let i = 0; i < count; i++) insert.run(i + 1, Date.now(), ACTOR, pack(payload(i)));
      } else {
        for (let seq = 0; seq < count; seq += batchSize) insertBatch(seq);
      }
      const rate = perSecond(count, start);
      db.close();
      return rate;
    }),
  );
}

async function withSchema(body) {
  const admin = new pg.Pool({ ...PG_SETTINGS, max: 1 });
  const schema = `sw_bench_${process.pid}`;
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    return await body(schema, admin);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

/** Appends `count` events to a PostgreSQL journal, `batchSize` per append, one after the other. */
export function pgAppend({ count, batchSize, rounds = 1 }) {
  return bestRate(rounds, () =>
    withSchema(async (schema) => {
      const journal = await PgJournal.open({ ...PG_SETTINGS, schema });
      const start = process.hrtime.bigint();
      for (let seq = 0; seq < count; seq += batchSize) {
        const events = [];
        for (let i = seq; i < seq + batchSize; i++) events.push({ payload: payload(i) });
        await journal.append(ACTOR, events, seq);
      }
      const rate = perSecond(count, start);
      await journal.close();
      return rate;
    }),
  );
}

/**
 * Inserts the same rows with a plain pg loop: one awaited INSERT per row, in one transaction
 * per `batchSize` rows (autocommit for 1).
 */
export function plainPgAppend({ count, batchSize, rounds = 1 }) {
  return bestRate(rounds, () =>
    withSchema(async (schema) => {
      const client = new pg.Client(PG_SETTINGS);
      await client.connect();
      await client.query(
        `CREATE TABLE ${schema}.events (seq bigint PRIMARY KEY, ts bigint, actor text, payload bytea)`,
      );
      const text = `INSERT INTO ${schema}.events (seq, ts, actor, payload) VALUES ($1, $2, $3, $4)`;
      const start = process.hrtime.bigint();
      for (let seq = 0; seq < count; seq += batchSize) {
        if (batchSize > 1) await client.query('BEGIN');
        for (let i = seq; i < seq + batchSize; i++) {
          await client.query(text, [i + 1, Date.now(), ACTOR, pack(payload(i))]);
        }
        if (batchSize > 1) await client.query('COMMIT');
      }
      const rate = perSecond(count, start);
      await client.end();
      return rate;
    }),
  );
}

async function fill(journal, events) {
  const batch = 10_000;
  for (let seq = 0; seq < events; seq += batch) {
    const list = [];
    for (let i = seq; i < Math.min(seq + batch, events); i++) list.push({ payload: payload(i) });
    await journal.append(ACTOR, list, seq);
  }
}

/**
 * Times a recovery: the latest snapshot (when `snapshotAt` is set) plus a replay of the events
 * after it, folded into a sum, by a journal opened for the round. The journal is filled first,
 * untimed.
 */
async function recover(openJournal, openSnapshots, { events, snapshotAt, rounds = 1 }) {
  const writer = await openJournal();
  await fill(writer, events);
  const snapshots = await openSnapshots();
  if (snapshotAt > 0) {
    let sum = 0;
    for (let i = 0; i < snapshotAt; i++) sum += payload(i).amount;
    await snapshots.save(ACTOR, snapshotAt, { sum, count: snapshotAt });
  }
  await writer.close();

  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const journal = await openJournal();
    const start = process.hrtime.bigint();
    const snapshot = await snapshots.loadLatest(ACTOR);
    let state = snapshot?.state ?? { sum: 0, count: 0 };
    for await (const event of journal.replay(ACTOR, (snapshot?.seq ?? 0) + 1)) {
      state = { sum: state.sum + event.payload.amount, count: state.count + 1 };
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    await journal.close();
    if (state.count !== events) throw new Error(`recovered ${state.count} events of ${events}`);
  }
  await snapshots.close();
  return { ms: best };
}

/** Measures a recovery from an SQLite file. */
export function sqliteRecovery(args) {
  return withTempDir((dir) => {
    const filename = join(dir, 'journal.db');
    return recover(
      () => SqliteJournal.open({ filename }),
      () => SqliteSnapshotStore.open({ filename }),
      args,
    );
  });
}

/** Measures a recovery from PostgreSQL. */
export function pgRecovery(args) {
  return withSchema((schema) =>
    recover(
      () => PgJournal.open({ ...PG_SETTINGS, schema }),
      () => PgSnapshotStore.open({ ...PG_SETTINGS, schema }),
      args,
    ),
  );
}
