/**
 * The PostgreSQL journal: one writer that sends the appends queued while the previous batch was
 * in flight as one call of the append function, and readers that share the rest of the pool.
 */
import { STORED_FORMAT } from '../codec.js';
import { type EncodedEvent, type EventRow, encodeEvents } from '../event-rows.js';
import type { EventInput, Journal, JournalCounters, PersistedEvent } from '../journal.js';
import { type ReadEventsOptions, readEvents } from '../read-pages.js';
import { closedError, conflictError } from '../store-errors.js';
import {
  type JournalOptions,
  type ResolvedStoreOptions,
  resolveStoreOptions,
} from '../store-options.js';
import { checkPersistenceId, checkSeq, checkTag } from '../validate.js';
import {
  createPgConnection,
  type PgConnection,
  type PgOptions,
  quoteSchema,
  storeTypes,
} from './connection.js';
import { appendLockKey, migratePg } from './migrations.js';
import { isConnectionError, toPgError } from './pg-errors.js';
import { inTransaction, withRetries } from './transaction.js';

/** Options of {@link PgJournal.open}. */
export interface PgJournalOptions extends PgOptions, JournalOptions {}

interface QueuedAppend {
  readonly kind: 'append';
  readonly persistenceId: string;
  readonly expectedSeq: number;
  readonly events: readonly EncodedEvent[];
  resolve(highestSeq: number): void;
  reject(error: unknown): void;
}

interface QueuedDelete {
  readonly kind: 'delete';
  readonly persistenceId: string;
  readonly seq: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** A marker that resolves once every write queued before it has settled. */
interface QueuedBarrier {
  readonly kind: 'barrier';
  resolve(): void;
}

type QueuedWrite = QueuedAppend | QueuedDelete | QueuedBarrier;

/**
 * A {@link Journal} in a PostgreSQL schema.
 *
 * Appends are written by one call of a server-side function per batch: the appends called in
 * one tick, or while the previous batch was in flight, go together and each succeeds or fails on
 * its own. All appends to one schema take one advisory lock, so orderings commit in order.
 *
 * @example
 * ```ts no-run
 * import { PgJournal } from '@starweave/persistence';
 * const journal = await PgJournal.open({ host: '127.0.0.1', database: 'app', schema: 'events' });
 * await journal.append('account-1', [{ payload: { type: 'deposited', amount: 10 } }], 0);
 * await journal.close();
 * ```
 */
export class PgJournal implements Journal {
  /** The server, as `host:port`. */
  readonly target: string;
  /** The schema of the tables. */
  readonly schema: string;
  private readonly connection: PgConnection;
  private readonly options: ResolvedStoreOptions;
  private readonly sql: ReturnType<typeof journalSql>;
  private readonly stats: JournalCounters = {
    appends: 0,
    events: 0,
    batches: 0,
    conflicts: 0,
    decodeFailures: 0,
    retries: 0,
  };
  private readonly readOptions: ReadEventsOptions;
  private queue: QueuedWrite[] = [];
  // True from the first write queued until the queue is empty again. It is set and cleared in
  // the same synchronous step as the queue checks, so no write waits in the queue undrained.
  private draining = false;
  private closed = false;

  private constructor(connection: PgConnection, options: ResolvedStoreOptions) {
    this.connection = connection;
    this.target = connection.target;
    this.schema = connection.schema;
    this.options = options;
    this.sql = journalSql(connection.schema);
    this.readOptions = {
      pageSize: options.pageSize,
      upcasters: options.upcasters,
      onDecodeFailure: (row, error) => {
        this.stats.decodeFailures++;
        options.logger.log('error', 'persistence.decode_failed', {
          target: this.target,
          schema: this.schema,
          persistenceId: row[0],
          seq: row[1],
          reason: error,
        });
      },
    };
  }

  /**
   * Connects, creates or migrates the schema, and opens the journal. Fails with
   * ERR_NOCONNECTION naming host and port when the server is unreachable.
   */
  static async open(options: PgJournalOptions): Promise<PgJournal> {
    const resolved = resolveStoreOptions(options);
    const connection = createPgConnection(options, resolved.logger);
    try {
      await migratePg(connection, resolved.logger);
    } catch (error) {
      if (connection.owned) await connection.pool.end();
      throw error;
    }
    return new PgJournal(connection, resolved);
  }

  append(
    persistenceId: string,
    events: readonly EventInput[],
    expectedSeq: number,
  ): Promise<number> {
    let encoded: EncodedEvent[];
    try {
      this.checkOpen('append');
      checkPersistenceId(persistenceId);
      checkSeq('expectedSeq', expectedSeq);
      encoded = encodeEvents(persistenceId, events, this.options.upcasters);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<number>((resolve, reject) => {
      this.enqueue({
        kind: 'append',
        persistenceId,
        expectedSeq,
        events: encoded,
        resolve,
        reject,
      });
    });
  }

  replay<P = unknown>(
    persistenceId: string,
    fromSeq = 1,
    toSeq = Number.MAX_SAFE_INTEGER,
  ): AsyncGenerator<PersistedEvent<P>, void, undefined> {
    return readEvents<P>(() => {
      checkPersistenceId(persistenceId);
      checkSeq('fromSeq', fromSeq);
      checkSeq('toSeq', toSeq);
      return {
        readPage: (after, limit) =>
          this.read<EventRow>('replay', this.sql.replay, [persistenceId, after, toSeq, limit]),
        start: Math.max(fromSeq, 1) - 1,
        keyColumn: 1,
      };
    }, this.readOptions);
  }

  async highestSeq(persistenceId: string): Promise<number> {
    checkPersistenceId(persistenceId);
    const rows = await this.read<[number | null]>(
      'read the highest sequence',
      this.sql.highestSeq,
      [persistenceId],
    );
    return rows[0]?.[0] ?? 0;
  }

  deleteTo(persistenceId: string, seq: number): Promise<void> {
    try {
      this.checkOpen('delete events');
      checkPersistenceId(persistenceId);
      checkSeq('seq', seq);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ kind: 'delete', persistenceId, seq, resolve, reject });
    });
  }

  eventsByTag<P = unknown>(
    tag: string,
    offset = 0,
  ): AsyncGenerator<PersistedEvent<P>, void, undefined> {
    return readEvents<P>(() => {
      checkTag('tag', tag);
      checkSeq('offset', offset);
      return {
        readPage: (after, limit) =>
          this.read<EventRow>('read events by tag', this.sql.byTag, [tag, after, limit]),
        start: offset,
        keyColumn: 2,
      };
    }, this.readOptions);
  }

  allEvents<P = unknown>(offset = 0): AsyncGenerator<PersistedEvent<P>, void, undefined> {
    return readEvents<P>(() => {
      checkSeq('offset', offset);
      return {
        readPage: (after, limit) =>
          this.read<EventRow>('read all events', this.sql.all, [after, limit]),
        start: offset,
        keyColumn: 2,
      };
    }, this.readOptions);
  }

  counters(): Readonly<JournalCounters> {
    return { ...this.stats };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writesSettled();
    if (this.connection.owned) await this.connection.pool.end();
  }

  private enqueue(write: QueuedWrite): void {
    this.queue.push(write);
    if (this.draining) return;
    // The first write of a tick waits for the tick to end, so the writes of the same tick go
    // in one batch. Writes that come while a batch is in flight go in the next one.
    this.draining = true;
    process.nextTick(() => void this.drain());
  }

  /** Resolves once every write queued so far has settled, so reads see them. */
  private writesSettled(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise<void>((resolve) => this.enqueue({ kind: 'barrier', resolve }));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const writes = this.queue;
        this.queue = [];
        let start = 0;
        while (start < writes.length) {
          const first = writes[start]!;
          if (first.kind !== 'append') {
            if (first.kind === 'delete') await this.runDelete(first);
            else first.resolve();
            start++;
            continue;
          }
          let end = start + 1;
          while (end < writes.length && writes[end]!.kind === 'append') end++;
          await this.writeBatch(writes.slice(start, end) as QueuedAppend[]);
          start = end;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeBatch(batch: QueuedAppend[]): Promise<void> {
    let rows: Array<[boolean, number]>;
    try {
      rows = await this.callAppend(batch);
    } catch (error) {
      // An error that one append can cause alone must not sink the others, so the batch is
      // written again one append at a time. A lost connection would fail each again.
      if (batch.length > 1 && !isConnectionError(error)) {
        for (const append of batch) await this.writeBatch([append]);
        return;
      }
      for (const append of batch) {
        const failure = toPgError(
          error,
          this.target,
          `append to ${JSON.stringify(append.persistenceId)}`,
        );
        this.options.logger.log('error', 'persistence.append_failed', {
          target: this.target,
          schema: this.schema,
          persistenceId: append.persistenceId,
          reason: failure,
        });
        append.reject(failure);
      }
      return;
    }

    this.stats.batches++;
    for (let i = 0; i < batch.length; i++) {
      const append = batch[i]!;
      const [written, highest] = rows[i]!;
      if (written) {
        this.stats.appends++;
        this.stats.events += append.events.length;
        append.resolve(highest);
      } else {
        this.stats.conflicts++;
        append.reject(conflictError(append.persistenceId, append.expectedSeq, highest));
      }
    }
  }

  private async callAppend(batch: QueuedAppend[]): Promise<Array<[boolean, number]>> {
    const ids: string[] = [];
    const expected: number[] = [];
    const counts: number[] = [];
    const tagged: boolean[] = [];
    const types: string[] = [];
    const versions: number[] = [];
    const tags: Array<string | null> = [];
    const payloads: Uint8Array[] = [];
    for (const append of batch) {
      ids.push(append.persistenceId);
      expected.push(append.expectedSeq);
      counts.push(append.events.length);
      tagged.push(append.events.some((event) => event.tags !== null));
      for (const event of append.events) {
        types.push(event.type);
        versions.push(event.version);
        tags.push(event.tags === null ? null : JSON.stringify(event.tags));
        payloads.push(event.payload);
      }
    }

    const now = this.options.clock.now();
    const values = [
      ids,
      expected,
      counts,
      now,
      tagged,
      types,
      versions,
      tags,
      STORED_FORMAT,
      payloads,
    ];
    const result = await withRetries(
      () =>
        this.connection.pool.query<[boolean, number]>({
          text: this.sql.append,
          values,
          rowMode: 'array',
          types: storeTypes,
        }),
      this.retryOptions('append'),
    );
    return result.rows;
  }

  private async runDelete(write: QueuedDelete): Promise<void> {
    const { persistenceId, seq } = write;
    const operation = `delete the events of ${JSON.stringify(persistenceId)}`;
    try {
      await inTransaction(
        this.connection.pool,
        async (client) => {
          await client.query(this.sql.lock);
          const head = await client.query<[number | null]>({
            text: this.sql.highestSeq,
            values: [persistenceId],
            rowMode: 'array',
            types: storeTypes,
          });
          const highest = head.rows[0]?.[0] ?? 0;
          const target = Math.min(seq, highest);
          if (target === 0) return;
          await client.query(this.sql.deleteTags, [persistenceId, target]);
          await client.query(this.sql.deleteEvents, [persistenceId, target, highest]);
          if (target === highest)
            await client.query(this.sql.markHighest, [persistenceId, highest]);
        },
        this.retryOptions(operation),
      );
      write.resolve();
    } catch (error) {
      write.reject(toPgError(error, this.target, operation));
    }
  }

  private async read<Row extends unknown[]>(
    operation: string,
    text: string,
    values: unknown[],
  ): Promise<Row[]> {
    this.checkOpen(operation);
    await this.writesSettled();
    try {
      const result = await withRetries(
        () =>
          this.connection.pool.query<Row>({ text, values, rowMode: 'array', types: storeTypes }),
        this.retryOptions(operation),
      );
      return result.rows;
    } catch (error) {
      throw toPgError(error, this.target, operation);
    }
  }

  private retryOptions(operation: string) {
    return {
      maxRetries: this.connection.maxRetries,
      logger: this.options.logger,
      operation,
      onRetry: () => {
        this.stats.retries++;
      },
    };
  }

  private checkOpen(operation: string): void {
    if (this.closed)
      throw closedError(`PostgreSQL journal in schema ${JSON.stringify(this.schema)}`, operation);
  }
}

function journalSql(schema: string) {
  const s = quoteSchema(schema);
  return {
    append: `SELECT written, highest FROM ${s}.append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    lock: `SELECT pg_advisory_xact_lock(${appendLockKey(schema)})`,
    replay: `SELECT * FROM ${s}.replay_page($1, $2, $3, $4)`,
    byTag: `SELECT * FROM ${s}.tag_page($1, $2, $3)`,
    all: `SELECT * FROM ${s}.all_page($1, $2)`,
    highestSeq: `SELECT max(seq) FROM ${s}.journal WHERE persistence_id = $1`,
    deleteTags: `DELETE FROM ${s}.journal_tags WHERE ordering IN (
      SELECT ordering FROM ${s}.journal
      WHERE persistence_id = $1 AND seq <= $2 AND tags IS NOT NULL)`,
    deleteEvents: `DELETE FROM ${s}.journal WHERE persistence_id = $1 AND seq <= $2 AND seq < $3`,
    markHighest: `UPDATE ${s}.journal SET deleted = true, payload = NULL, tags = NULL
      WHERE persistence_id = $1 AND seq = $2`,
  };
}
