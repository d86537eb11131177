/**
 * SQLite fixtures for the shared store tests: a file in a fresh temporary folder, or one
 * `':memory:'` database shared by every store of a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJournal, SqliteSnapshotStore } from '@starweave/persistence';
import Database from 'better-sqlite3';
import type { FixtureFactory, StoreFixture } from '../contract/fixture.js';

/** Makes a fresh temporary folder and returns its path. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'starweave-persistence-'));
}

/** Opens stores on a new database file in a fresh temporary folder. */
export const sqliteFileFixture: FixtureFactory = async () => {
  const dir = makeTempDir();
  const filename = join(dir, 'store.db');
  const closers: Array<() => Promise<void>> = [];
  const patch = (sql: string, ...params: unknown[]) => {
    const db = new Database(filename);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  };
  const fixture: StoreFixture = {
    async openJournal(options = {}) {
      const journal = await SqliteJournal.open({ filename, ...options });
      closers.push(() => journal.close());
      return journal;
    },
    async openSnapshots() {
      const snapshots = await SqliteSnapshotStore.open({ filename });
      closers.push(() => snapshots.close());
      return snapshots;
    },
    async corruptEvent(persistenceId, seq, bytes) {
      patch(
        'UPDATE starweave_journal SET payload = ? WHERE persistence_id = ? AND seq = ?',
        Buffer.from(bytes),
        persistenceId,
        seq,
      );
    },
    async corruptSnapshot(persistenceId, seq, bytes) {
      patch(
        'UPDATE starweave_snapshots SET payload = ? WHERE persistence_id = ? AND seq = ?',
        Buffer.from(bytes),
        persistenceId,
        seq,
      );
    },
    async dispose() {
      for (const close of closers) await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
};

/** Opens stores on one `':memory:'` database that they share. */
export const sqliteMemoryFixture: FixtureFactory = async () => {
  const database = new Database(':memory:');
  const fixture: StoreFixture = {
    openJournal: (options = {}) => SqliteJournal.open({ database, ...options }),
    openSnapshots: () => SqliteSnapshotStore.open({ database }),
    async corruptEvent(persistenceId, seq, bytes) {
      database
        .prepare('UPDATE starweave_journal SET payload = ? WHERE persistence_id = ? AND seq = ?')
        .run(Buffer.from(bytes), persistenceId, seq);
    },
    async corruptSnapshot(persistenceId, seq, bytes) {
      database
        .prepare('UPDATE starweave_snapshots SET payload = ? WHERE persistence_id = ? AND seq = ?')
        .run(Buffer.from(bytes), persistenceId, seq);
    },
    async dispose() {
      database.close();
    },
  };
  return fixture;
};
