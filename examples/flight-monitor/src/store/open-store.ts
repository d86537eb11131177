/**
 * Opens the monitor's store: the journal of results, and the snapshots that hold its
 * checkpoints, in an SQLite file under the output folder or in a PostgreSQL schema.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, StarweaveError } from '@starweave/actors';
import {
  type Journal,
  PgJournal,
  PgSnapshotStore,
  type SnapshotStore,
  SqliteJournal,
  SqliteSnapshotStore,
} from '@starweave/persistence';
import type { CheckpointStore } from '@starweave/stages';
import pg from 'pg';
import { SnapshotCheckpointStore } from './snapshot-checkpoint-store.js';

/** The database that contains the store. */
export type StoreKind = 'sqlite' | 'postgres';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  readonly kind: StoreKind;
  /** The output folder; the SQLite file is `monitor.db` in it. */
  readonly out: string;
  /** Deletes what an earlier run stored, so the run starts from the first record. */
  readonly fresh: boolean;
  /** The PostgreSQL schema. Default `flight_monitor`. */
  readonly schema?: string;
  readonly logger?: Logger;
}

/** An open store. */
export interface MonitorStore {
  readonly journal: Journal;
  readonly snapshots: SnapshotStore;
  readonly checkpoints: CheckpointStore;
  /** The store's location for people: a file path or `postgres://host:port/db (schema x)`. */
  readonly location: string;
  close(): Promise<void>;
}

/** Returns the SQLite file of a run with output folder `out`. */
export function sqlitePath(out: string): string {
  return join(out, 'monitor.db');
}

/** Opens the store. Fails with ERR_NOCONNECTION when PostgreSQL is not reachable. */
export async function openStore(options: OpenStoreOptions): Promise<MonitorStore> {
  return options.kind === 'postgres' ? openPostgres(options) : openSqlite(options);
}

async function openSqlite(options: OpenStoreOptions): Promise<MonitorStore> {
  mkdirSync(options.out, { recursive: true });
  const filename = sqlitePath(options.out);
  if (options.fresh) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true });
  }
  const journal = await SqliteJournal.open({ filename, logger: options.logger });
  const snapshots = await SqliteSnapshotStore.open({ filename, logger: options.logger });
  return {
    journal,
    snapshots,
    checkpoints: new SnapshotCheckpointStore(snapshots),
    location: filename,
    async close() {
      await journal.close();
      await snapshots.close();
    },
  };
}

async function openPostgres(options: OpenStoreOptions): Promise<MonitorStore> {
  const schema = options.schema ?? 'flight_monitor';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid PostgreSQL schema ${JSON.stringify(schema)}: expected lower-case letters, digits and underscores.`,
    );
  }
  const pool = new pg.Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    database: process.env.PGDATABASE ?? 'test',
    user: process.env.PGUSER ?? 'postgres',
    max: 4,
    connectionTimeoutMillis: 5000,
  });
  // An idle connection that the server ends must not crash the process; the stores log it.
  pool.on('error', () => {});
  try {
    if (options.fresh) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const journal = await PgJournal.open({ pool, schema, logger: options.logger });
    const snapshots = await PgSnapshotStore.open({ pool, schema, logger: options.logger });
    const { host, port, database } = pool.options;
    return {
      journal,
      snapshots,
      checkpoints: new SnapshotCheckpointStore(snapshots),
      location: `postgres://${host}:${port}/${database} (schema ${schema})`,
      async close() {
        await journal.close();
        await snapshots.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
