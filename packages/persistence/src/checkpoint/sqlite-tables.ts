/**
 * Versioned tables of the SQLite stores that sit beside the journal: checkpoints and
 * projection offsets. Each component keeps its own migrations, recorded per component in
 * starweave_component_migrations, so their numbers never mix with the journal's schema version.
 */
import { StarweaveError } from '@starweave/actors';
import type Database from 'better-sqlite3';
import { toStoreError } from '../sqlite/sqlite-errors.js';

/** One step of a component's schema. */
export interface SqliteTableMigration {
  /** The version this step brings the component to, from 1. */
  readonly version: number;
  /** A description of the step, recorded with its version. */
  readonly name: string;
  /** The SQL of the step. */
  readonly sql: string;
}

/**
 * Brings `component`'s tables to the newest of `migrations`, in one immediate transaction, so
 * two processes opening a new file migrate it once. A database already there is only read, so
 * a read-only file opens. Fails with ERR_STORE when the file is newer than this code.
 */
export function migrateSqliteTables(
  db: Database.Database,
  filename: string,
  component: string,
  migrations: readonly SqliteTableMigration[],
): void {
  const newest = migrations[migrations.length - 1]!.version;
  try {
    if (appliedVersion(db, filename, component, newest) === newest) return;
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS starweave_component_migrations (
        component TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL,
        PRIMARY KEY (component, version)
      ) WITHOUT ROWID`);
      const applied = appliedVersion(db, filename, component, newest);
      const record = db.prepare(
        `INSERT INTO starweave_component_migrations (component, version, name, applied_at)
         VALUES (?, ?, ?, ?)`,
      );
      for (const migration of migrations) {
        if (migration.version <= applied) continue;
        db.exec(migration.sql);
        record.run(component, migration.version, migration.name, Date.now());
      }
    }).immediate();
  } catch (error) {
    throw toStoreError(error, filename, `create the ${component} tables`);
  }
}

function appliedVersion(
  db: Database.Database,
  filename: string,
  component: string,
  newest: number,
): number {
  const table = db
    .prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'starweave_component_migrations'",
    )
    .get();
  if (table === undefined) return 0;
  const version = db
    .prepare('SELECT max(version) FROM starweave_component_migrations WHERE component = ?')
    .pluck()
    .get(component);
  const applied = typeof version === 'number' ? version : 0;
  if (applied > newest) {
    throw new StarweaveError(
      'ERR_STORE',
      `the ${component} tables in ${JSON.stringify(filename)} are at version ${applied}, ` +
        `newer than version ${newest} that this code knows. Upgrade @starweave/persistence.`,
      { details: { filename, component, applied, supported: newest } },
    );
  }
  return applied;
}
