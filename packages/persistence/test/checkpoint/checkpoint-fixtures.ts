/**
 * Checkpoint store fixtures: MemoryCheckpointStore, an SQLite file in a fresh temporary folder,
 * and PostgreSQL with a schema per test.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PgCheckpointStore, SqliteCheckpointStore } from '@starweave/persistence';
import { type CheckpointStore, MemoryCheckpointStore } from '@starweave/stages';
import type pg from 'pg';
import { PG_SETTINGS, schemaName } from '../pg/support.js';
import { makeTempDir } from '../sqlite/fixtures.js';
import type { CheckpointFixtureFactory } from './checkpoint-store-contract.js';

/** Keeps one MemoryCheckpointStore per pipeline, so a second open reads what the first saved. */
export const memoryCheckpointFixture: CheckpointFixtureFactory = async () => {
  const stores = new Map<string, MemoryCheckpointStore>();
  return {
    async open(pipelineId = 'default') {
      let store = stores.get(pipelineId);
      if (store === undefined) {
        store = new MemoryCheckpointStore();
        stores.set(pipelineId, store);
      }
      return store;
    },
    async dispose() {
      stores.clear();
    },
  };
};

/** Opens the stores on one database file in a fresh temporary folder. */
export const sqliteCheckpointFixture: CheckpointFixtureFactory = async () => {
  const dir = makeTempDir();
  const filename = join(dir, 'checkpoints.db');
  const stores: SqliteCheckpointStore[] = [];
  return {
    async open(pipelineId?: string): Promise<CheckpointStore> {
      const store = await SqliteCheckpointStore.open({ filename, pipelineId });
      stores.push(store);
      return store;
    },
    async dispose() {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Creates a fixture factory whose fixtures each use a fresh schema, dropped through `admin`. */
export function pgCheckpointFixture(admin: () => pg.Pool): CheckpointFixtureFactory {
  return async () => {
    const schema = schemaName();
    const stores: PgCheckpointStore[] = [];
    return {
      async open(pipelineId?: string): Promise<CheckpointStore> {
        const store = await PgCheckpointStore.open({ ...PG_SETTINGS, schema, max: 2, pipelineId });
        stores.push(store);
        return store;
      },
      async dispose() {
        for (const store of stores) await store.close();
        await admin().query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  };
}
