/**
 * The versioned schema of the SQLite stores. Each migration runs once per database file, in
 * order, and is recorded in starweave_migrations; journals and snapshot stores share it.
 */

import { StarweaveError } from '@starweave/actors';
import type Database from 'better-sqlite3';
import { toStoreError } from './sqlite-errors.js';

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// The journal's rowid is its ordering. The highest row of a persistence id is never deleted
// (deleteTo marks it instead), so the largest rowid stays in the table and SQLite never hands
// an ordering out twice.
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create the journal, its tags and the snapshots',
    sql: `
      CREATE TABLE starweave_journal (
        ordering INTEGER PRIMARY KEY,
        persistence_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        version INTEGER NOT NULL,
        tags TEXT,
        written_at INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        format INTEGER NOT NULL,
        payload BLOB
      );
      CREATE UNIQUE INDEX starweave_journal_seq ON starweave_journal (persistence_id, seq);
      CREATE TABLE starweave_journal_tags (
        tag TEXT NOT NULL,
        ordering INTEGER NOT NULL,
        PRIMARY KEY (tag, ordering)
      ) WITHOUT ROWID;
      CREATE TABLE starweave_snapshots (
        persistence_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        written_at INTEGER NOT NULL,
        format INTEGER NOT NULL,
        payload BLOB NOT NULL,
        PRIMARY KEY (persistence_id, seq)
      ) WITHOUT ROWID;
    `,
  },
];

/** The newest schema version that this code writes and reads. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the database to {@link SQLITE_SCHEMA_VERSION}. A database that is already there is
 * only read, so a read-only file opens. Fails with ERR_STORE when the file was migrated by a
 * newer version of Starweave.
 */
export function migrateSqlite(db: Database.Database, filename: string): void {
  try {
    if (appliedVersion(db, filename) === SQLITE_SCHEMA_VERSION) return;
    // IMMEDIATE takes the write lock first, so two processes opening a new file migrate it once.
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS starweave_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      )`);
      const applied = appliedVersion(db, filename);
      const record = db.prepare(
        'INSERT INTO starweave_migrations (version, name, applied_at) VALUES (?, ?, ?)',
      );
      for (const migration of MIGRATIONS) {
        if (migration.version <= applied) continue;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      }
    }).immediate();
  } catch (error) {
    throw toStoreError(error, filename, 'create the Starweave tables');
  }
}

function appliedVersion(db: Database.Database, filename: string): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'starweave_migrations'")
    .get();
  if (table === undefined) return 0;
  const version = db.prepare('SELECT max(version) FROM starweave_migrations').pluck().get();
  const applied = typeof version === 'number' ? version : 0;
  if (applied > SQLITE_SCHEMA_VERSION) {
    throw new StarweaveError(
      'ERR_STORE',
      `the Starweave tables in ${JSON.stringify(filename)} are at schema version ${applied}, ` +
        `newer than version ` +
        `${SQLITE_SCHEMA_VERSION} that this code knows. Upgrade @starweave/persistence.`,
      { details: { filename, applied, supported: SQLITE_SCHEMA_VERSION } },
    );
  }
  return applied;
}
