/**
 * The PostgreSQL snapshot store: one row per persistence id and sequence number, in the same
 * schema as the journal.
 */
import { invalidArgument } from '@starweave/actors';
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
  createPgConnection,
  type PgConnection,
  type PgOptions,
  quoteSchema,
  storeTypes,
} from './connection.js';
import { migratePg } from './migrations.js';
import { toPgError } from './pg-errors.js';
import { withRetries } from './transaction.js';

/** Options of {@link PgSnapshotStore.open}. */
export interface PgSnapshotStoreOptions extends PgOptions, StoreOptions {}

/**
 * A {@link SnapshotStore} in a PostgreSQL schema.
 *
 * @example
 * ```ts no-run
 * import { PgSnapshotStore } from '@starweave/persistence';
 * const snapshots = await PgSnapshotStore.open({ host: '127.0.0.1', database: 'app' });
 * await snapshots.save('account-1', 100, { balance: 250 });
 * await snapshots.close();
 * ```
 */
export class PgSnapshotStore implements SnapshotStore {
  /** The server, as `host:port`. */
  readonly target: string;
  /** The schema of the tables. */
  readonly schema: string;
  private readonly connection: PgConnection;
  private readonly options: ResolvedStoreOptions;
  private readonly sql: ReturnType<typeof snapshotSql>;
  private closed = false;

  private constructor(connection: PgConnection, options: ResolvedStoreOptions) {
    this.connection = connection;
    this.target = connection.target;
    this.schema = connection.schema;
    this.options = options;
    this.sql = snapshotSql(connection.schema);
  }

  /**
   * Connects, creates or migrates the schema, and opens the store. Fails with
   * ERR_NOCONNECTION naming host and port when the server is unreachable.
   */
  static async open(options: PgSnapshotStoreOptions): Promise<PgSnapshotStore> {
    const resolved = resolveStoreOptions(options);
    const connection = createPgConnection(options, resolved.logger);
    try {
      await migratePg(connection, resolved.logger);
    } catch (error) {
      if (connection.owned) await connection.pool.end();
      throw error;
    }
    return new PgSnapshotStore(connection, resolved);
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
    await this.query(`save the snapshot of ${JSON.stringify(persistenceId)}`, this.sql.save, [
      persistenceId,
      seq,
      this.options.clock.now(),
      STORED_FORMAT,
      bytes,
    ]);
  }

  async loadLatest<S = unknown>(
    persistenceId: string,
    options: LoadSnapshotOptions = {},
  ): Promise<Snapshot<S> | undefined> {
    this.checkOpen('load a snapshot');
    checkPersistenceId(persistenceId);
    const maxSeq = checkSeq('maxSeq', options.maxSeq ?? Number.MAX_SAFE_INTEGER);
    const rows = await this.query<[number, number, number, Buffer]>(
      `load the snapshot of ${JSON.stringify(persistenceId)}`,
      this.sql.latest,
      [persistenceId, maxSeq],
    );
    if (rows.length === 0) return undefined;
    const [seq, timestamp, format, payload] = rows[0]!;
    let state: unknown;
    try {
      state = decodeStored(payload, format);
    } catch (error) {
      this.options.logger.log('error', 'persistence.decode_failed', {
        target: this.target,
        schema: this.schema,
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
    await this.query(
      `delete the snapshots of ${JSON.stringify(persistenceId)}`,
      this.sql.deleteTo,
      [persistenceId, seq],
    );
  }

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
        `PostgreSQL snapshot store in schema ${JSON.stringify(this.schema)}`,
        operation,
      );
    }
  }
}

function snapshotSql(schema: string) {
  const s = quoteSchema(schema);
  return {
    save: `INSERT INTO ${s}.snapshots (persistence_id, seq, written_at, format, payload)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (persistence_id, seq) DO UPDATE
      SET written_at = excluded.written_at, format = excluded.format, payload = excluded.payload`,
    latest: `SELECT seq, written_at, format, payload FROM ${s}.snapshots
      WHERE persistence_id = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1`,
    deleteTo: `DELETE FROM ${s}.snapshots WHERE persistence_id = $1 AND seq <= $2`,
  };
}
