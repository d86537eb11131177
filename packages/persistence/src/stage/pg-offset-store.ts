/**
 * The PostgreSQL offset store: one row per projection id, in the same schema as the journal
 * or in one of its own.
 */
import { migratePgTables, type PgTableMigration } from '../checkpoint/pg-tables.js';
import {
  createPgConnection,
  type PgConnection,
  type PgOptions,
  quoteSchema,
  storeTypes,
} from '../pg/connection.js';
import { toPgError } from '../pg/pg-errors.js';
import { withRetries } from '../pg/transaction.js';
import { closedError } from '../store-errors.js';
import {
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoreOptions,
} from '../store-options.js';
import { checkSeq, checkTag } from '../validate.js';
import type { OffsetStore } from './offset-store.js';

/** Options of {@link PgOffsetStore.open}. */
export interface PgOffsetStoreOptions extends PgOptions, Pick<StoreOptions, 'logger' | 'clock'> {}

const MIGRATIONS: readonly PgTableMigration[] = [
  {
    version: 1,
    name: 'create the projection offsets',
    sql: (s) => `
      CREATE TABLE ${s}.projection_offsets (
        projection_id text PRIMARY KEY,
        ordering bigint NOT NULL,
        saved_at bigint NOT NULL
      );
    `,
  },
];

/**
 * An {@link OffsetStore} in a PostgreSQL schema.
 *
 * @example
 * ```ts no-run
 * import { PgOffsetStore } from '@starweave/persistence';
 *
 * const offsets = await PgOffsetStore.open({ host: '127.0.0.1', database: 'app' });
 * await offsets.save('order-totals', 42);
 * await offsets.close();
 * ```
 */
export class PgOffsetStore implements OffsetStore {
  /** The server, as `host:port`. */
  readonly target: string;
  /** The schema of the table. */
  readonly schema: string;
  private readonly connection: PgConnection;
  private readonly options: ResolvedStoreOptions;
  private readonly sql: { load: string; save: string };
  private closed = false;

  private constructor(connection: PgConnection, options: ResolvedStoreOptions) {
    this.connection = connection;
    this.target = connection.target;
    this.schema = connection.schema;
    this.options = options;
    const s = quoteSchema(connection.schema);
    this.sql = {
      load: `SELECT ordering FROM ${s}.projection_offsets WHERE projection_id = $1`,
      save: `INSERT INTO ${s}.projection_offsets (projection_id, ordering, saved_at)
        VALUES ($1, $2, $3)
        ON CONFLICT (projection_id) DO UPDATE
        SET ordering = excluded.ordering, saved_at = excluded.saved_at`,
    };
  }

  /**
   * Connects, creates the table when missing, and opens the store. Fails with
   * ERR_NOCONNECTION naming host and port when the server is unreachable.
   */
  static async open(options: PgOffsetStoreOptions): Promise<PgOffsetStore> {
    const resolved = resolveStoreOptions(options);
    const connection = createPgConnection(options, resolved.logger);
    try {
      await migratePgTables(connection, resolved.logger, 'offsets', MIGRATIONS);
    } catch (error) {
      if (connection.owned) await connection.pool.end();
      throw error;
    }
    return new PgOffsetStore(connection, resolved);
  }

  async load(projectionId: string): Promise<number | undefined> {
    this.checkOpen('load an offset');
    checkTag('projectionId', projectionId);
    const rows = await this.query<[number]>(
      `load the offset of ${JSON.stringify(projectionId)}`,
      this.sql.load,
      [projectionId],
    );
    return rows[0]?.[0];
  }

  async save(projectionId: string, offset: number): Promise<void> {
    this.checkOpen('save an offset');
    checkTag('projectionId', projectionId);
    checkSeq('offset', offset);
    await this.query(`save the offset of ${JSON.stringify(projectionId)}`, this.sql.save, [
      projectionId,
      offset,
      this.options.clock.now(),
    ]);
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
        `PostgreSQL offset store in schema ${JSON.stringify(this.schema)}`,
        operation,
      );
    }
  }
}
