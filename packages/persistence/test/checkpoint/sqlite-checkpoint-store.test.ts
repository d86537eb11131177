/**
 * SqliteCheckpointStore beyond the shared contract: closing, read-only files, a database
 * shared with the journal, and tables newer than the code.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isStarweaveError } from '@starweave/actors';
import { SqliteCheckpointStore, SqliteJournal } from '@starweave/persistence';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../sqlite/fixtures.js';

let dir: string;
let filename: string;

beforeEach(() => {
  dir = makeTempDir();
  filename = join(dir, 'checkpoints.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function failure(act: () => Promise<unknown>): Promise<unknown> {
  return act().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('SqliteCheckpointStore.open', () => {
  it('records the checkpoint tables at version 1', async () => {
    const store = await SqliteCheckpointStore.open({ filename });
    await store.close();
    const db = new Database(filename, { readonly: true });
    const rows = db.prepare('SELECT component, version FROM starweave_component_migrations').all();
    db.close();
    expect(rows).toEqual([{ component: 'checkpoints', version: 1 }]);
  });

  it('fails with ERR_STORE when the tables are newer than the code', async () => {
    const store = await SqliteCheckpointStore.open({ filename });
    await store.close();
    const db = new Database(filename);
    db.prepare(
      "INSERT INTO starweave_component_migrations VALUES ('checkpoints', 9, 'future', 0)",
    ).run();
    db.close();

    const error = await failure(() => SqliteCheckpointStore.open({ filename }));

    expect(isStarweaveError(error, 'ERR_STORE')).toBe(true);
    expect((error as Error).message).toContain('version 9');
  });

  it('fails with ERR_INVALID_ARGUMENT for an empty pipeline id', async () => {
    const error = await failure(() => SqliteCheckpointStore.open({ filename, pipelineId: '' }));
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('shares one database with a journal', async () => {
    const database = new Database(':memory:');
    const journal = await SqliteJournal.open({ database });
    const store = await SqliteCheckpointStore.open({ database });
    await journal.append('a', [{ payload: { type: 'created' } }], 0);
    await store.save(1, 'map', Uint8Array.of(1));
    await store.complete(1);

    expect(await store.latestCompleted()).toBe(1);
    expect(await journal.highestSeq('a')).toBe(1);
    await store.close();
    await journal.close();
    expect(database.open).toBe(true);
    database.close();
  });
});

describe('SqliteCheckpointStore failures', () => {
  it('fails with ERR_STORE after close', async () => {
    const store = await SqliteCheckpointStore.open({ filename });
    await store.close();
    await store.close();
    expect(isStarweaveError(await failure(() => store.latestCompleted()), 'ERR_STORE')).toBe(true);
    expect(isStarweaveError(await failure(() => store.complete(1)), 'ERR_STORE')).toBe(true);
  });

  it('reads a read-only file and fails each write with ERR_STORE', async () => {
    const writer = await SqliteCheckpointStore.open({ filename });
    await writer.save(1, 'map', Uint8Array.of(3));
    await writer.complete(1);
    await writer.close();

    const reader = await SqliteCheckpointStore.open({ filename, readOnly: true });
    try {
      expect(await reader.latestCompleted()).toBe(1);
      expect([...((await reader.load(1, 'map')) ?? [])]).toEqual([3]);
      const error = await failure(() => reader.save(2, 'map', Uint8Array.of(4)));
      expect(isStarweaveError(error, 'ERR_STORE')).toBe(true);
      expect((error as Error).message).toContain('SQLITE_READONLY');
    } finally {
      await reader.close();
    }
  });
});
