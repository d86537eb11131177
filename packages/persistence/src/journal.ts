/**
 * The journal: the append-only, sequence-numbered event log of persistent processes, with
 * optimistic concurrency on append and a global ordering for projections. SqliteJournal and
 * PgJournal implement it with the same behaviour, checked by one test suite.
 */

/** One event to append: the payload and the facts stored beside it. */
export interface EventInput<P = unknown> {
  /** The event; any value the codec encodes, except undefined. */
  payload: P;
  /**
   * The event type, which selects the upcasters on replay. Default: `payload.type` when that
   * is a string, otherwise the empty string.
   */
  type?: string;
  /**
   * The schema version of the payload, from 1. Default: the newest version that the journal's
   * upcasters know for the type, which is 1 for a type without upcasters.
   */
  version?: number;
  /** Tags that {@link Journal.eventsByTag} selects the event by. Default: none. */
  tags?: readonly string[];
}

/** An event read back from a journal, upcast to the newest version of its type. */
export interface PersistedEvent<P = unknown> {
  /** The journal the event belongs to. */
  readonly persistenceId: string;
  /** The position of the event in its journal, from 1. */
  readonly seq: number;
  /**
   * The position of the event among all events of the store. It grows with every append, in
   * commit order, and may skip numbers; projections keep it as their offset.
   */
  readonly ordering: number;
  /** The event type. */
  readonly type: string;
  /** The schema version of `payload` after upcasting. */
  readonly version: number;
  /** The decoded payload. */
  readonly payload: P;
  /** The tags stored with the event. */
  readonly tags: readonly string[];
  /** The time of the append, in milliseconds since the Unix epoch. */
  readonly timestamp: number;
}

/**
 * Counters of one journal, for logs and metrics. They count what this instance did since it
 * was opened.
 */
export interface JournalCounters {
  /** Appends that were written. */
  appends: number;
  /** Events that were written. */
  events: number;
  /** Write transactions, each holding one or more appends. */
  batches: number;
  /** Appends that failed with ERR_CONFLICT. */
  conflicts: number;
  /** Stored events that failed to decode on a read. */
  decodeFailures: number;
  /** Transactions run again after a serialization failure or a deadlock. */
  retries: number;
}

/**
 * An event journal. Sequence numbers start at 1 for each persistence id. `expectedSeq` is the
 * highest sequence number that the writer has seen (0 for a new id), so an append that another
 * writer overtook fails instead of interleaving.
 *
 * Writes take effect in the order they were called, and a read returns every write of the same
 * journal instance that was called before it, awaited or not.
 */
export interface Journal {
  /**
   * Appends `events` after `expectedSeq`, all or none, and resolves to the new highest
   * sequence number. Fails with ERR_CONFLICT, writing nothing, when `expectedSeq` is not the
   * highest sequence number of the journal. An empty `events` writes nothing but still checks
   * `expectedSeq`.
   */
  append(
    persistenceId: string,
    events: readonly EventInput[],
    expectedSeq: number,
  ): Promise<number>;

  /**
   * Reads the events of one journal from `fromSeq` to `toSeq`, both included, in sequence
   * order. Defaults: from the first to the last. Events deleted by {@link Journal.deleteTo} are
   * left out. Fails with ERR_DECODE at the first event that cannot be decoded.
   */
  replay<P = unknown>(
    persistenceId: string,
    fromSeq?: number,
    toSeq?: number,
  ): AsyncIterable<PersistedEvent<P>>;

  /**
   * Resolves to the highest sequence number ever appended to the journal, or 0 when it has
   * none. Deleting events does not lower it.
   */
  highestSeq(persistenceId: string): Promise<number>;

  /**
   * Deletes the events of one journal up to `seq`, included. The highest sequence number is
   * kept, so later appends continue after it. A `seq` beyond the highest deletes every event.
   */
  deleteTo(persistenceId: string, seq: number): Promise<void>;

  /**
   * Reads the events that carry `tag` with an ordering greater than `offset`, in ordering
   * order, across all persistence ids. Default offset 0, from the start. The stream ends at
   * the last stored event; a projection reads again from the last ordering it saw.
   */
  eventsByTag<P = unknown>(tag: string, offset?: number): AsyncIterable<PersistedEvent<P>>;

  /** Reads every event with an ordering greater than `offset`, in ordering order. */
  allEvents<P = unknown>(offset?: number): AsyncIterable<PersistedEvent<P>>;

  /** Returns this instance's counters. */
  counters(): Readonly<JournalCounters>;

  /**
   * Waits for the writes already called, then releases the connections. Later calls fail with
   * ERR_STORE. Closing twice is harmless.
   */
  close(): Promise<void>;
}
