/**
 * The PostgreSQL checkpoint store: the snapshots of each checkpoint and the latest completed
 * checkpoint id of each pipeline, in the same schema as the journal or in one of their own.
 */
import type { CheckpointStore } from '@starweave/stages';
import {
  createPgConnection,
  type PgConnection,
  type PgOptions,
  quoteSchema,
  storeTypes,
} from '../pg/connection.js';
import { toPgError } from '../pg/pg-errors.js';
import { inTransaction, withRetries } from '../pg/transaction.js';
import { closedError } from '../store-errors.js';
import {
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoreOptions,
} from '../store-options.js';
import {
  checkCheckpointId,
  checkCheckpointName,
  checkSnapshotBytes,
  ownBytes,
} from './checkpoint-checks.js';
import { migratePgTables, type PgTableMigration } from './pg-tables.js';
import { DEFAULT_PIPELINE_ID } from './sqlite-checkpoint-store.js';

/** Options of {@link PgCheckpointStore.open}. */
export interface PgCheckpointStoreOptions
  extends PgOptions,
    Pick<StoreOptions, 'logger' | 'clock'> {
  /**
   * The pipeline whose checkpoints the store keeps, so that several pipelines share one
   * schema. The same across restarts. Default `'default'`.
   */
  pipelineId?: string;
}

const MIGRATIONS: readonly PgTableMigration[] = [
  {
    version: 1,
    name: 'create the checkpoints and their snapshots',
    sql: (s) => `
      CREATE TABLE ${s}.checkpoints (
        pipeline_id text PRIMARY KEY,
        latest_completed bigint NOT NULL,
        completed_at bigint NOT NULL
      );
      CREATE TABLE ${s}.checkpoint_snapshots (
        pipeline_id text NOT NULL,
        checkpoint_id bigint NOT NULL,
        stage_id text NOT NULL,
        saved_at bigint NOT NULL,
        payload bytea NOT NULL,
        PRIMARY KEY (pipeline_id, checkpoint_id, stage_id)
      );
    `,
  },
];

/**
 * A {@link CheckpointStore} of `@starweave/stages` in a PostgreSQL schema. As with
 * MemoryCheckpointStore, completing a checkpoint deletes the snapshots of older ones, and
 * completing an id at or below the latest completed one changes nothing.
 *
 * @example
 * ```ts no-run
 * import { PgCheckpointStore } from '@starweave/persistence';
 *
 * const store = await PgCheckpointStore.open({ host: '127.0.0.1', database: 'app', pipelineId: 'orders' });
 * await store.save(1, 'totals', new Uint8Array([1, 2, 3]));
 * await store.complete(1);
 * await store.close();
 * ```
 */
export class PgCheckpointStore implements CheckpointStore {
  /** The server, as `host:port`. */
  readonly target: string;
  /** The schema of the tables. */
  readonly schema: string;
  /** The pipeline whose checkpoints the store keeps. */
  readonly pipelineId: string;
  private readonly connection: PgConnection;
  private readonly options: ResolvedStoreOptions;
  private readonly sql: ReturnType<typeof checkpointSql>;
  private closed = false;

  private constructor(connection: PgConnection, options: ResolvedStoreOptions, pipelineId: string) {
    this.connection = connection;
    this.target = connection.target;
    this.schema = connection.schema;
    this.options = options;
    this.pipelineId = pipelineId;
    this.sql = checkpointSql(connection.schema);
  }

  /**
   * Connects, creates the tables when missing, and opens the store. Fails with
   * ERR_NOCONNECTION naming host and port when the server is unreachable.
   */
  static async open(options: PgCheckpointStoreOptions): Promise<PgCheckpointStore> {
    const resolved = resolveStoreOptions(options);
    const pipelineId = checkCheckpointName('pipelineId', options.pipelineId ?? DEFAULT_PIPELINE_ID);
    const connection = createPgConnection(options, resolved.logger);
    try {
      await migratePgTables(connection, resolved.logger, 'checkpoints', MIGRATIONS);
    } catch (error) {
      if (connection.owned) await connection.pool.end();
      throw error;
    }
    return new PgCheckpointStore(connection, resolved, pipelineId);
  }

  async save(checkpointId: number, stageId: string, bytes: Uint8Array): Promise<void> {
    this.checkOpen('save a checkpoint snapshot');
    checkCheckpointId(checkpointId);
    checkCheckpointName('stageId', stageId);
    checkSnapshotBytes(bytes);
    await this.query(`save the snapshot of stage ${JSON.stringify(stageId)}`, this.sql.save, [
      this.pipelineId,
      checkpointId,
      stageId,
      this.options.clock.now(),
      bytes,
    ]);
  }

  async complete(checkpointId: number): Promise<void> {
    this.checkOpen('complete a checkpoint');
    checkCheckpointId(checkpointId);
    const operation = `complete checkpoint ${checkpointId}`;
    try {
      await inTransaction(
        this.connection.pool,
        async (client) => {
          await client.query(this.sql.markCompleted, [
            this.pipelineId,
            checkpointId,
            this.options.clock.now(),
          ]);
          await client.query(this.sql.dropOlder, [this.pipelineId]);
        },
        { maxRetries: this.connection.maxRetries, logger: this.options.logger, operation },
      );
    } catch (error) {
      throw toPgError(error, this.target, operation);
    }
  }

  async latestCompleted(): Promise<number | undefined> {
    this.checkOpen('read the latest completed checkpoint');
    const rows = await this.query<[number]>(
      'read the latest completed checkpoint',
      this.sql.latest,
      [this.pipelineId],
    );
    return rows[0]?.[0];
  }

  async load(checkpointId: number, stageId: string): Promise<Uint8Array | undefined> {
    this.checkOpen('load a checkpoint snapshot');
    checkCheckpointId(checkpointId);
    checkCheckpointName('stageId', stageId);
    const rows = await this.query<[Uint8Array]>(
      `load the snapshot of stage ${JSON.stringify(stageId)}`,
      this.sql.load,
      [this.pipelineId, checkpointId, stageId],
    );
    const bytes = rows[0]?.[0];
    return bytes === undefined ? undefined : ownBytes(bytes);
  }

  /** Releases the connections. Later calls fail with ERR_STORE; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.connection.owned) await this.connection.pool.end();
  }

  private async query<Row extends unknown[]>(
    operation: string,
    text: string,
    values: unknown[],
  ): Promise<Row[]> {
    try {
      const result = await withRetries(
        () =>
          this.connection.pool.query<Row>({ text, values, rowMode: 'array', types: storeTypes }),
        { maxRetries: this.connection.maxRetries, logger: this.options.logger, operation },
      );
      return result.rows;
    } catch (error) {
      throw toPgError(error, this.target, operation);
    }
  }

  private checkOpen(operation: string): void {
    if (this.closed) {
      throw closedError(
        `PostgreSQL checkpoint store in schema ${JSON.stringify(this.schema)}`,
        operation,
      );
    }
  }
}

function checkpointSql(schema: string) {
  const s = quoteSchema(schema);
  return {
    save: `INSERT INTO ${s}.checkpoint_snapshots
        (pipeline_id, checkpoint_id, stage_id, saved_at, payload)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (pipeline_id, checkpoint_id, stage_id) DO UPDATE
      SET saved_at = excluded.saved_at, payload = excluded.payload`,
    markCompleted: `INSERT INTO ${s}.checkpoints (pipeline_id, latest_completed, completed_at)
      VALUES ($1, $2, $3)
      ON CONFLICT (pipeline_id) DO UPDATE
      SET latest_completed = excluded.latest_completed, completed_at = excluded.completed_at
      WHERE excluded.latest_completed > ${s}.checkpoints.latest_completed`,
    dropOlder: `DELETE FROM ${s}.checkpoint_snapshots
      WHERE pipeline_id = $1 AND checkpoint_id < (
        SELECT latest_completed FROM ${s}.checkpoints WHERE pipeline_id = $1)`,
    latest: `SELECT latest_completed FROM ${s}.checkpoints WHERE pipeline_id = $1`,
    load: `SELECT payload FROM ${s}.checkpoint_snapshots
      WHERE pipeline_id = $1 AND checkpoint_id = $2 AND stage_id = $3`,
  };
}
