/**
 * The SQLite checkpoint store: the snapshots of each checkpoint and the latest completed
 * checkpoint id of each pipeline, in the same database file as the journal or in a file of
 * their own.
 */
import type { CheckpointStore } from '@starweave/stages';
import type Database from 'better-sqlite3';
import {
  closeSqlite,
  openSqlite,
  type SqliteConnections,
  type SqliteOptions,
} from '../sqlite/connection.js';
import { toStoreError } from '../sqlite/sqlite-errors.js';
import { closedError } from '../store-errors.js';
import { resolveStoreOptions, type StoreOptions, type WallClock } from '../store-options.js';
import {
  checkCheckpointId,
  checkCheckpointName,
  checkSnapshotBytes,
  ownBytes,
} from './checkpoint-checks.js';
import { migrateSqliteTables, type SqliteTableMigration } from './sqlite-tables.js';

/** The default pipeline id of a checkpoint store. */
export const DEFAULT_PIPELINE_ID = 'default';

/** Options of {@link SqliteCheckpointStore.open}. */
export interface SqliteCheckpointStoreOptions
  extends SqliteOptions,
    Pick<StoreOptions, 'logger' | 'clock'> {
  /**
   * The pipeline whose checkpoints the store keeps, so that several pipelines share one
   * database. The same across restarts. Default `'default'`.
   */
  pipelineId?: string;
}

const MIGRATIONS: readonly SqliteTableMigration[] = [
  {
    version: 1,
    name: 'create the checkpoints and their snapshots',
    sql: `
      CREATE TABLE starweave_checkpoints (
        pipeline_id TEXT PRIMARY KEY,
        latest_completed INTEGER NOT NULL,
        completed_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE starweave_checkpoint_snapshots (
        pipeline_id TEXT NOT NULL,
        checkpoint_id INTEGER NOT NULL,
        stage_id TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        payload BLOB NOT NULL,
        PRIMARY KEY (pipeline_id, checkpoint_id, stage_id)
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * A {@link CheckpointStore} of `@starweave/stages` in an SQLite file or in memory. As with
 * MemoryCheckpointStore, completing a checkpoint deletes the snapshots of older ones, and
 * completing an id at or below the latest completed one changes nothing.
 *
 * @example
 * ```ts
 * import { SqliteCheckpointStore } from '@starweave/persistence';
 *
 * const store = await SqliteCheckpointStore.open({ filename: ':memory:', pipelineId: 'orders' });
 * await store.save(1, 'totals', new Uint8Array([1, 2, 3]));
 * await store.complete(1);
 * console.assert((await store.latestCompleted()) === 1);
 * console.assert((await store.load(1, 'totals'))?.length === 3);
 * await store.close();
 * ```
 */
export class SqliteCheckpointStore implements CheckpointStore {
  /** The database file, or `':memory:'`. */
  readonly filename: string;
  /** The pipeline whose checkpoints the store keeps. */
  readonly pipelineId: string;
  private readonly connections: SqliteConnections;
  private readonly clock: WallClock;
  private readonly statements: ReturnType<typeof prepare>;
  private closed = false;

  private constructor(connections: SqliteConnections, pipelineId: string, clock: WallClock) {
    this.connections = connections;
    this.filename = connections.filename;
    this.pipelineId = pipelineId;
    this.clock = clock;
    this.statements = prepare(connections);
  }

  /**
   * Opens the store in `options.filename` (created when missing) or in `options.database`,
   * creating its tables on first use. Fails with ERR_STORE when the database cannot be opened.
   */
  static async open(options: SqliteCheckpointStoreOptions): Promise<SqliteCheckpointStore> {
    const resolved = resolveStoreOptions(options);
    const pipelineId = checkCheckpointName('pipelineId', options.pipelineId ?? DEFAULT_PIPELINE_ID);
    const connections = openSqlite(options);
    try {
      migrateSqliteTables(connections.writer, connections.filename, 'checkpoints', MIGRATIONS);
      return new SqliteCheckpointStore(connections, pipelineId, resolved.clock);
    } catch (error) {
      closeSqlite(connections);
      throw toStoreError(error, connections.filename, 'prepare the checkpoint statements');
    }
  }

  async save(checkpointId: number, stageId: string, bytes: Uint8Array): Promise<void> {
    this.checkOpen('save a checkpoint snapshot');
    checkCheckpointId(checkpointId);
    checkCheckpointName('stageId', stageId);
    checkSnapshotBytes(bytes);
    this.execute(`save the snapshot of stage ${JSON.stringify(stageId)}`, () =>
      this.statements.save.run(this.pipelineId, checkpointId, stageId, this.clock.now(), bytes),
    );
  }

  async complete(checkpointId: number): Promise<void> {
    this.checkOpen('complete a checkpoint');
    checkCheckpointId(checkpointId);
    this.execute(`complete checkpoint ${checkpointId}`, () =>
      this.statements.complete(this.pipelineId, checkpointId, this.clock.now()),
    );
  }

  async latestCompleted(): Promise<number | undefined> {
    this.checkOpen('read the latest completed checkpoint');
    const latest = this.execute('read the latest completed checkpoint', () =>
      this.statements.latest.get(this.pipelineId),
    ) as number | undefined;
    return latest ?? undefined;
  }

  async load(checkpointId: number, stageId: string): Promise<Uint8Array | undefined> {
    this.checkOpen('load a checkpoint snapshot');
    checkCheckpointId(checkpointId);
    checkCheckpointName('stageId', stageId);
    const bytes = this.execute(`load the snapshot of stage ${JSON.stringify(stageId)}`, () =>
      this.statements.load.get(this.pipelineId, checkpointId, stageId),
    ) as Uint8Array | undefined;
    return bytes === undefined ? undefined : ownBytes(bytes);
  }

  /** Releases the connections. Later calls fail with ERR_STORE; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSqlite(this.connections);
  }

  private execute<T>(operation: string, statement: () => T): T {
    try {
      return statement();
    } catch (error) {
      throw toStoreError(error, this.filename, operation);
    }
  }

  private checkOpen(operation: string): void {
    if (this.closed) {
      throw closedError(`SQLite checkpoint store ${JSON.stringify(this.filename)}`, operation);
    }
  }
}

function prepare(connections: SqliteConnections) {
  const { writer, reader } = connections;
  const markCompleted = writer.prepare(
    `INSERT INTO starweave_checkpoints (pipeline_id, latest_completed, completed_at)
     VALUES (?, ?, ?)
     ON CONFLICT (pipeline_id) DO UPDATE
     SET latest_completed = excluded.latest_completed, completed_at = excluded.completed_at
     WHERE excluded.latest_completed > starweave_checkpoints.latest_completed`,
  );
  const dropOlder = writer.prepare(
    `DELETE FROM starweave_checkpoint_snapshots
     WHERE pipeline_id = ? AND checkpoint_id < (
       SELECT latest_completed FROM starweave_checkpoints WHERE pipeline_id = ?)`,
  );
  const complete = writer.transaction((pipelineId: string, checkpointId: number, now: number) => {
    markCompleted.run(pipelineId, checkpointId, now);
    dropOlder.run(pipelineId, pipelineId);
  });
  return {
    save: writer.prepare(
      `INSERT INTO starweave_checkpoint_snapshots
         (pipeline_id, checkpoint_id, stage_id, saved_at, payload)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (pipeline_id, checkpoint_id, stage_id) DO UPDATE
       SET saved_at = excluded.saved_at, payload = excluded.payload`,
    ),
    complete: complete.immediate as (pipelineId: string, id: number, now: number) => void,
    latest: reader
      .prepare('SELECT latest_completed FROM starweave_checkpoints WHERE pipeline_id = ?')
      .pluck() as Database.Statement,
    load: reader
      .prepare(
        `SELECT payload FROM starweave_checkpoint_snapshots
         WHERE pipeline_id = ? AND checkpoint_id = ? AND stage_id = ?`,
      )
      .pluck() as Database.Statement,
  };
}
