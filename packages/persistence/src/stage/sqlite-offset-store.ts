/**
 * The SQLite offset store: one row per projection id, in the same database file as the
 * journal or in a file of its own.
 */
import type Database from 'better-sqlite3';
import { migrateSqliteTables, type SqliteTableMigration } from '../checkpoint/sqlite-tables.js';
import {
  closeSqlite,
  openSqlite,
  type SqliteConnections,
  type SqliteOptions,
} from '../sqlite/connection.js';
import { toStoreError } from '../sqlite/sqlite-errors.js';
import { closedError } from '../store-errors.js';
import { resolveStoreOptions, type StoreOptions, type WallClock } from '../store-options.js';
import { checkSeq, checkTag } from '../validate.js';
import type { OffsetStore } from './offset-store.js';

/** Options of {@link SqliteOffsetStore.open}. */
export interface SqliteOffsetStoreOptions extends SqliteOptions, Pick<StoreOptions, 'clock'> {}

const MIGRATIONS: readonly SqliteTableMigration[] = [
  {
    version: 1,
    name: 'create the projection offsets',
    sql: `
      CREATE TABLE starweave_projection_offsets (
        projection_id TEXT PRIMARY KEY,
        ordering INTEGER NOT NULL,
        saved_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * An {@link OffsetStore} in an SQLite file or in memory.
 *
 * @example
 * ```ts
 * import { SqliteOffsetStore } from '@starweave/persistence';
 *
 * const offsets = await SqliteOffsetStore.open({ filename: ':memory:' });
 * await offsets.save('order-totals', 42);
 * console.assert((await offsets.load('order-totals')) === 42);
 * console.assert((await offsets.load('other')) === undefined);
 * await offsets.close();
 * ```
 */
export class SqliteOffsetStore implements OffsetStore {
  /** The database file, or `':memory:'`. */
  readonly filename: string;
  private readonly connections: SqliteConnections;
  private readonly clock: WallClock;
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;
  private closed = false;

  private constructor(connections: SqliteConnections, clock: WallClock) {
    this.connections = connections;
    this.filename = connections.filename;
    this.clock = clock;
    this.upsert = connections.writer.prepare(
      `INSERT INTO starweave_projection_offsets (projection_id, ordering, saved_at)
       VALUES (?, ?, ?)
       ON CONFLICT (projection_id) DO UPDATE
       SET ordering = excluded.ordering, saved_at = excluded.saved_at`,
    );
    this.select = connections.reader
      .prepare('SELECT ordering FROM starweave_projection_offsets WHERE projection_id = ?')
      .pluck();
  }

  /**
   * Opens the store in `options.filename` (created when missing) or in `options.database`,
   * creating its table on first use. Fails with ERR_STORE when the database cannot be opened.
   */
  static async open(options: SqliteOffsetStoreOptions): Promise<SqliteOffsetStore> {
    const resolved = resolveStoreOptions(options);
    const connections = openSqlite(options);
    try {
      migrateSqliteTables(connections.writer, connections.filename, 'offsets', MIGRATIONS);
      return new SqliteOffsetStore(connections, resolved.clock);
    } catch (error) {
      closeSqlite(connections);
      throw toStoreError(error, connections.filename, 'prepare the offset statements');
    }
  }

  async load(projectionId: string): Promise<number | undefined> {
    this.checkOpen('load an offset');
    checkTag('projectionId', projectionId);
    try {
      return (this.select.get(projectionId) as number | undefined) ?? undefined;
    } catch (error) {
      throw toStoreError(
        error,
        this.filename,
        `load the offset of ${JSON.stringify(projectionId)}`,
      );
    }
  }

  async save(projectionId: string, offset: number): Promise<void> {
    this.checkOpen('save an offset');
    checkTag('projectionId', projectionId);
    checkSeq('offset', offset);
    try {
      this.upsert.run(projectionId, offset, this.clock.now());
    } catch (error) {
      throw toStoreError(
        error,
        this.filename,
        `save the offset of ${JSON.stringify(projectionId)}`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSqlite(this.connections);
  }

  private checkOpen(operation: string): void {
    if (this.closed) {
      throw closedError(`SQLite offset store ${JSON.stringify(this.filename)}`, operation);
    }
  }
}
