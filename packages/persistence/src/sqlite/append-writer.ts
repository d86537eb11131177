/**
 * The write side of the SQLite journal: runs a batch of appends in one immediate transaction,
 * checking each append's expected sequence against the journal and the appends before it.
 */
import type Database from 'better-sqlite3';
import { STORED_FORMAT } from '../codec.js';
import type { EncodedEvent } from '../event-rows.js';

/** One append waiting to be written. */
export interface PendingAppend {
  readonly persistenceId: string;
  readonly expectedSeq: number;
  readonly events: readonly EncodedEvent[];
}

/**
 * The result of one append in a batch: the new highest sequence number, or the sequence number
 * found when the expected one was stale.
 */
export type AppendOutcome =
  | { written: true; highestSeq: number }
  | { written: false; actualSeq: number };

const COLUMNS = '(ordering, persistence_id, seq, type, version, tags, written_at, format, payload)';
const ROW = `(?, ?, ?, ?, ?, ?, ?, ${STORED_FORMAT}, ?)`;
const PARAMS_PER_ROW = 8;

// Events go in with multi-row INSERTs of 128, 64, ... 1 rows: one statement per chunk costs
// far less than one per row, and the largest chunk stays within SQLite's variable limit.
const CHUNK_SIZES = [128, 64, 32, 16, 8, 4, 2, 1];

/** Writes batches of appends to one SQLite connection. */
export class AppendWriter {
  private readonly maxOrdering: Database.Statement;
  private readonly maxSeq: Database.Statement;
  private readonly insertTag: Database.Statement;
  private readonly inserts = new Map<number, Database.Statement>();
  private readonly runBatch: (batch: readonly PendingAppend[], now: number) => AppendOutcome[];

  constructor(private readonly db: Database.Database) {
    this.maxOrdering = db.prepare('SELECT max(ordering) FROM starweave_journal').pluck();
    this.maxSeq = db
      .prepare('SELECT max(seq) FROM starweave_journal WHERE persistence_id = ?')
      .pluck();
    this.insertTag = db.prepare('INSERT INTO starweave_journal_tags (tag, ordering) VALUES (?, ?)');
    this.runBatch = db.transaction(this.writeBatch.bind(this)).immediate;
  }

  /** Writes `batch` in one transaction and returns one outcome per append, in order. */
  write(batch: readonly PendingAppend[], now: number): AppendOutcome[] {
    return this.runBatch(batch, now);
  }

  /** Returns the highest sequence number of a journal, read on the writer's connection. */
  highestSeq(persistenceId: string): number {
    return (this.maxSeq.get(persistenceId) as number | null) ?? 0;
  }

  private writeBatch(batch: readonly PendingAppend[], now: number): AppendOutcome[] {
    const heads = new Map<string, number>();
    let ordering = (this.maxOrdering.get() as number | null) ?? 0;
    const outcomes: AppendOutcome[] = [];

    for (const append of batch) {
      const head = heads.get(append.persistenceId) ?? this.highestSeq(append.persistenceId);
      if (head !== append.expectedSeq) {
        heads.set(append.persistenceId, head);
        outcomes.push({ written: false, actualSeq: head });
        continue;
      }
      this.insertEvents(append, ordering, now);
      ordering += append.events.length;
      heads.set(append.persistenceId, head + append.events.length);
      outcomes.push({ written: true, highestSeq: head + append.events.length });
    }
    return outcomes;
  }

  private insertEvents(append: PendingAppend, firstOrdering: number, now: number): void {
    const { events, persistenceId, expectedSeq } = append;
    let index = 0;
    for (const size of CHUNK_SIZES) {
      while (events.length - index >= size) {
        const params: unknown[] = new Array(size * PARAMS_PER_ROW);
        for (let k = 0; k < size; k++) {
          const event = events[index + k]!;
          const at = k * PARAMS_PER_ROW;
          params[at] = firstOrdering + index + k + 1;
          params[at + 1] = persistenceId;
          params[at + 2] = expectedSeq + index + k + 1;
          params[at + 3] = event.type;
          params[at + 4] = event.version;
          params[at + 5] = event.tags === null ? null : JSON.stringify(event.tags);
          params[at + 6] = now;
          params[at + 7] = event.payload;
        }
        this.insertStatement(size).run(params);
        index += size;
      }
    }
    for (let i = 0; i < events.length; i++) {
      const tags = events[i]!.tags;
      if (tags === null) continue;
      for (const tag of tags) this.insertTag.run(tag, firstOrdering + i + 1);
    }
  }

  private insertStatement(rows: number): Database.Statement {
    let statement = this.inserts.get(rows);
    if (statement === undefined) {
      const values = new Array(rows).fill(ROW).join(', ');
      statement = this.db.prepare(`INSERT INTO starweave_journal ${COLUMNS} VALUES ${values}`);
      this.inserts.set(rows, statement);
    }
    return statement;
  }
}
