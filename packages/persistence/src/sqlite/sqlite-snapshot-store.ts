/**
 * The SQLite snapshot store: one row per persistence id and sequence number, in the same
 * database file as the journal or in a file of its own.
 */

import { invalidArgument } from '@starweave/actors';
import type Database from 'better-sqlite3';
import { decodeStored, encodeStored, STORED_FORMAT } from '../codec.js';
import type { LoadSnapshotOptions, Snapshot, SnapshotStore } from '../snapshot-store.js';
import { closedError, decodeError, encodeError } from '../store-errors.js';
import {
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoreOptions,
} from '../store-options.js';
import { checkPersistenceId, checkSeq } from '../validate.js';
import {
  closeSqlite,
  openSqlite,
  type SqliteConnections,
  type SqliteOptions,
} from './connection.js';
import { toStoreError } from './sqlite-errors.js';

/** Options of {@link SqliteSnapshotStore.open}. */
export interface SqliteSnapshotStoreOptions extends SqliteOptions, StoreOptions {}

/**
 * A {@link SnapshotStore} in an SQLite file or in memory.
 *
 * @example
 * ```ts
 * import { SqliteSnapshotStore } from '@starweave/persistence';
 * const snapshots = await SqliteSnapshotStore.open({ filename: ':memory:' });
 * await snapshots.save('account-1', 100, { balance: 250 });
 * const latest = await snapshots.loadLatest('account-1');
 * console.log(latest?.seq, latest?.state); // 100 { balance: 250 }
 * await snapshots.close();
 * ```
 */
export class SqliteSnapshotStore implements SnapshotStore {
  /** The database file, or `':memory:'`. */
  readonly filename: string;
  private readonly connections: SqliteConnections;
  private readonly options: ResolvedStoreOptions;
  private readonly upsert: Database.Statement;
  private readonly latest: Database.Statement;
  private readonly remove: Database.Statement;
  private closed = false;

  private constructor(connections: SqliteConnections, options: ResolvedStoreOptions) {
    this.connections = connections;
    this.filename = connections.filename;
    this.options = options;
    this.upsert = connections.writer.prepare(
      `INSERT INTO starweave_snapshots (persistence_id, seq, written_at, format, payload)
       VALUES (?, ?, ?, ${STORED_FORMAT}, ?)
       ON CONFLICT (persistence_id, seq) DO UPDATE
       SET written_at = excluded.written_at, format = excluded.format, payload = excluded.payload`,
    );
    this.latest = connections.reader
      .prepare(
        `SELECT seq, written_at, format, payload FROM starweave_snapshots
         WHERE persistence_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`,
      )
      .raw();
    this.remove = connections.writer.prepare(
      'DELETE FROM starweave_snapshots WHERE persistence_id = ? AND seq <= ?',
    );
  }

  /**
   * Opens the snapshot store in `options.filename` (created when missing) or in
   * `options.database`. Fails with ERR_STORE when the database cannot be opened.
   */
  static async open(options: SqliteSnapshotStoreOptions): Promise<SqliteSnapshotStore> {
    const resolved = resolveStoreOptions(options);
    const connections = openSqlite(options);
    try {
      return new SqliteSnapshotStore(connections, resolved);
    } catch (error) {
      closeSqlite(connections);
      throw toStoreError(error, connections.filename, 'prepare the snapshot statements');
    }
  }

  async save(persistenceId: string, seq: number, state: unknown): Promise<void> {
    this.checkOpen('save a snapshot');
    checkPersistenceId(persistenceId);
    checkSeq('seq', seq);
    if (state === undefined) invalidArgument('state', 'a value other than undefined', state);
    let bytes: Uint8Array;
    try {
      bytes = encodeStored(state);
    } catch (error) {
      throw encodeError(`the snapshot of ${JSON.stringify(persistenceId)} at ${seq}`, error);
    }
    try {
      this.upsert.run(persistenceId, seq, this.options.clock.now(), bytes);
    } catch (error) {
      throw toStoreError(
        error,
        this.filename,
        `save the snapshot of ${JSON.stringify(persistenceId)}`,
      );
    }
  }

  async loadLatest<S = unknown>(
    persistenceId: string,
    options: LoadSnapshotOptions = {},
  ): Promise<Snapshot<S> | undefined> {
    this.checkOpen('load a snapshot');
    checkPersistenceId(persistenceId);
    const maxSeq = checkSeq('maxSeq', options.maxSeq ?? Number.MAX_SAFE_INTEGER);
    let row: [number, number, number, Uint8Array] | undefined;
    try {
      row = this.latest.get(persistenceId, maxSeq) as typeof row;
    } catch (error) {
      throw toStoreError(
        error,
        this.filename,
        `load the snapshot of ${JSON.stringify(persistenceId)}`,
      );
    }
    if (row === undefined) return undefined;
    const [seq, timestamp, format, payload] = row;
    let state: unknown;
    try {
      state = decodeStored(payload, format);
    } catch (error) {
      this.options.logger.log('error', 'persistence.decode_failed', {
        filename: this.filename,
        persistenceId,
        seq,
        reason: error,
      });
      throw decodeError('snapshot', persistenceId, seq, error);
    }
    return { persistenceId, seq, state: state as S, timestamp };
  }

  async deleteTo(persistenceId: string, seq: number): Promise<void> {
    this.checkOpen('delete snapshots');
    checkPersistenceId(persistenceId);
    checkSeq('seq', seq);
    try {
      this.remove.run(persistenceId, seq);
    } catch (error) {
      throw toStoreError(
        error,
        this.filename,
        `delete the snapshots of ${JSON.stringify(persistenceId)}`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSqlite(this.connections);
  }

  private checkOpen(operation: string): void {
    if (this.closed)
      throw closedError(`SQLite snapshot store ${JSON.stringify(this.filename)}`, operation);
  }
}
