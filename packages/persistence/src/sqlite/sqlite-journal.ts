/**
 * The SQLite journal: one writer that groups the appends of one tick into one transaction, and
 * reads served by a second connection that WAL mode lets run beside the writer.
 */

import type { Logger } from '@starweave/actors';
import type Database from 'better-sqlite3';
import { type EncodedEvent, EVENT_COLUMNS, type EventRow, encodeEvents } from '../event-rows.js';
import type { EventInput, Journal, JournalCounters, PersistedEvent } from '../journal.js';
import { type ReadEventsOptions, readEvents } from '../read-pages.js';
import { closedError, conflictError } from '../store-errors.js';
import {
  type JournalOptions,
  type ResolvedStoreOptions,
  resolveStoreOptions,
} from '../store-options.js';
import { checkPersistenceId, checkSeq, checkTag } from '../validate.js';
import { type AppendOutcome, AppendWriter, type PendingAppend } from './append-writer.js';
import {
  closeSqlite,
  openSqlite,
  type SqliteConnections,
  type SqliteOptions,
} from './connection.js';
import { sqliteCode, toStoreError } from './sqlite-errors.js';

/** Options of {@link SqliteJournal.open}. */
export interface SqliteJournalOptions extends SqliteOptions, JournalOptions {}

interface QueuedAppend extends PendingAppend {
  resolve(highestSeq: number): void;
  reject(error: unknown): void;
}

/**
 * A {@link Journal} in an SQLite file or in memory.
 *
 * Appends called in the same tick of the event loop, from any number of callers, are written
 * in one transaction, and each still succeeds or fails on its own. Reads use keyset paging, so
 * a slow consumer of a replay holds no lock.
 *
 * @example
 * ```ts
 * import { SqliteJournal } from '@starweave/persistence';
 * const journal = await SqliteJournal.open({ filename: ':memory:' });
 * await journal.append('account-1', [{ payload: { type: 'deposited', amount: 10 } }], 0);
 * for await (const event of journal.replay('account-1')) console.log(event.seq, event.payload);
 * await journal.close();
 * ```
 */
export class SqliteJournal implements Journal {
  /** The database file, or `':memory:'`. */
  readonly filename: string;
  private readonly connections: SqliteConnections;
  private readonly options: ResolvedStoreOptions;
  private readonly writer: AppendWriter;
  private readonly statements: ReturnType<typeof prepareReads>;
  private readonly deleteEvents: (persistenceId: string, seq: number) => void;
  private readonly stats: JournalCounters = {
    appends: 0,
    events: 0,
    batches: 0,
    conflicts: 0,
    decodeFailures: 0,
    retries: 0,
  };
  private readonly readOptions: ReadEventsOptions;
  private queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private closed = false;

  private constructor(connections: SqliteConnections, options: ResolvedStoreOptions) {
    this.connections = connections;
    this.filename = connections.filename;
    this.options = options;
    this.writer = new AppendWriter(connections.writer);
    this.statements = prepareReads(connections.reader);
    this.deleteEvents = prepareDelete(connections.writer);
    this.readOptions = {
      pageSize: options.pageSize,
      upcasters: options.upcasters,
      onDecodeFailure: (row, error) => {
        this.stats.decodeFailures++;
        options.logger.log('error', 'persistence.decode_failed', {
          filename: this.filename,
          persistenceId: row[0],
          seq: row[1],
          reason: error,
        });
      },
    };
  }

  /**
   * Opens the journal in `options.filename` (created when missing) or in `options.database`,
   * creating its tables on first use. Fails with ERR_STORE when the database cannot be opened.
   */
  static async open(options: SqliteJournalOptions): Promise<SqliteJournal> {
    const resolved = resolveStoreOptions(options);
    const connections = openSqlite(options);
    try {
      return new SqliteJournal(connections, resolved);
    } catch (error) {
      closeSqlite(connections);
      throw toStoreError(error, connections.filename, 'prepare the journal statements');
    }
  }

  /**
   * The connection that writes, for example to share with a {@link SqliteSnapshotStore}. The
   * journal closes it on `close()` when it opened it, so close a store that shares it first.
   */
  get database(): Database.Database {
    return this.connections.writer;
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
      this.queue.push({ persistenceId, expectedSeq, events: encoded, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(this.flushQueue);
      }
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
          this.read('replay', () => this.statements.replay.all(persistenceId, after, toSeq, limit)),
        start: Math.max(fromSeq, 1) - 1,
        keyColumn: 1,
      };
    }, this.readOptions);
  }

  async highestSeq(persistenceId: string): Promise<number> {
    checkPersistenceId(persistenceId);
    return this.read('read the highest sequence', () => {
      return (this.statements.highestSeq.get(persistenceId) as number | null) ?? 0;
    });
  }

  async deleteTo(persistenceId: string, seq: number): Promise<void> {
    checkPersistenceId(persistenceId);
    checkSeq('seq', seq);
    this.checkOpen('delete events');
    this.flush();
    try {
      this.deleteEvents(persistenceId, seq);
    } catch (error) {
      throw toStoreError(
        error,
        this.filename,
        `delete the events of ${JSON.stringify(persistenceId)}`,
      );
    }
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
          this.read('read events by tag', () => this.statements.byTag.all(tag, after, limit)),
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
          this.read('read all events', () => this.statements.all.all(after, limit)),
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
    this.flush();
    this.closed = true;
    closeSqlite(this.connections);
  }

  private readonly flushQueue = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** Writes every queued append now; reads and deletes call it so they follow earlier appends. */
  private flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.writeBatch(batch);
  }

  private writeBatch(batch: QueuedAppend[]): void {
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.writer.write(batch, this.options.clock.now());
    } catch (error) {
      // An error that one append can cause alone must not sink the others, so the batch is
      // written again one append at a time. Other errors (a read-only file, a full disk, a
      // held lock) would fail each append again, so they fail the whole batch at once.
      if (batch.length > 1 && causedByOneAppend(error)) {
        for (const append of batch) this.writeBatch([append]);
        return;
      }
      for (const append of batch) {
        const operation = `append to ${JSON.stringify(append.persistenceId)}`;
        const failure = toStoreError(error, this.filename, operation);
        logWriteFailure(this.options.logger, this.filename, append.persistenceId, failure);
        append.reject(failure);
      }
      return;
    }

    this.stats.batches++;
    for (let i = 0; i < batch.length; i++) {
      const append = batch[i]!;
      const outcome = outcomes[i]!;
      if (outcome.written) {
        this.stats.appends++;
        this.stats.events += append.events.length;
        append.resolve(outcome.highestSeq);
      } else {
        this.stats.conflicts++;
        append.reject(conflictError(append.persistenceId, append.expectedSeq, outcome.actualSeq));
      }
    }
  }

  private read<T>(operation: string, query: () => T): T {
    this.checkOpen(operation);
    this.flush();
    try {
      return query();
    } catch (error) {
      throw toStoreError(error, this.filename, operation);
    }
  }

  private checkOpen(operation: string): void {
    if (this.closed)
      throw closedError(`SQLite journal ${JSON.stringify(this.filename)}`, operation);
  }
}

function prepareReads(db: Database.Database) {
  const prepare = (sql: string) => db.prepare<unknown[], EventRow>(sql).raw();
  return {
    replay: prepare(
      `SELECT ${EVENT_COLUMNS} FROM starweave_journal
       WHERE persistence_id = ? AND seq > ? AND seq <= ? AND deleted = 0
       ORDER BY seq LIMIT ?`,
    ),
    byTag: prepare(
      `SELECT ${EVENT_COLUMNS.replace(/(\w+)/g, 'j.$1')}
       FROM starweave_journal_tags t JOIN starweave_journal j ON j.ordering = t.ordering
       WHERE t.tag = ? AND t.ordering > ? AND j.deleted = 0
       ORDER BY t.ordering LIMIT ?`,
    ),
    all: prepare(
      `SELECT ${EVENT_COLUMNS} FROM starweave_journal
       WHERE ordering > ? AND deleted = 0 ORDER BY ordering LIMIT ?`,
    ),
    highestSeq: db
      .prepare('SELECT max(seq) FROM starweave_journal WHERE persistence_id = ?')
      .pluck(),
  };
}

/**
 * Prepares deleteTo. The highest event of a journal is marked deleted rather than removed, so
 * the highest sequence number survives and its ordering is never handed out again.
 */
function prepareDelete(db: Database.Database): (persistenceId: string, seq: number) => void {
  const highest = db
    .prepare('SELECT max(seq) FROM starweave_journal WHERE persistence_id = ?')
    .pluck();
  const deleteTags = db.prepare(
    `DELETE FROM starweave_journal_tags WHERE ordering IN (
       SELECT ordering FROM starweave_journal
       WHERE persistence_id = ? AND seq <= ? AND tags IS NOT NULL)`,
  );
  const deleteRows = db.prepare(
    'DELETE FROM starweave_journal WHERE persistence_id = ? AND seq <= ? AND seq < ?',
  );
  const markHighest = db.prepare(
    `UPDATE starweave_journal SET deleted = 1, payload = NULL, tags = NULL
     WHERE persistence_id = ? AND seq = ?`,
  );
  return db.transaction((persistenceId: string, seq: number) => {
    const head = (highest.get(persistenceId) as number | null) ?? 0;
    const target = Math.min(seq, head);
    if (target === 0) return;
    deleteTags.run(persistenceId, target);
    deleteRows.run(persistenceId, target, head);
    if (target === head) markHighest.run(persistenceId, head);
  }).immediate;
}

function causedByOneAppend(error: unknown): boolean {
  const code = sqliteCode(error) ?? '';
  return code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_TOOBIG';
}

function logWriteFailure(
  logger: Logger,
  filename: string,
  persistenceId: string,
  error: unknown,
): void {
  logger.log('error', 'persistence.append_failed', { filename, persistenceId, reason: error });
}
