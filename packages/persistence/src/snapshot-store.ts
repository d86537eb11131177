/**
 * The snapshot store: states of persistent processes saved at a sequence number, so that
 * recovery replays only the events after the newest snapshot.
 */

/** A state saved at a sequence number of its journal. */
export interface Snapshot<S = unknown> {
  /** The journal the state belongs to. */
  readonly persistenceId: string;
  /** The sequence number of the last event folded into the state. */
  readonly seq: number;
  /** The decoded state. */
  readonly state: S;
  /** The time of the save, in milliseconds since the Unix epoch. */
  readonly timestamp: number;
}

/** Options of {@link SnapshotStore.loadLatest}. */
export interface LoadSnapshotOptions {
  /** The highest sequence number to consider. Default: no limit. */
  maxSeq?: number;
}

/** A store of snapshots, at most one per persistence id and sequence number. */
export interface SnapshotStore {
  /** Saves `state` at `seq`, replacing a snapshot saved at the same `seq`. */
  save(persistenceId: string, seq: number, state: unknown): Promise<void>;

  /**
   * Resolves to the snapshot with the highest sequence number up to `maxSeq`, or undefined
   * when there is none. Fails with ERR_DECODE, naming the sequence number, when that snapshot
   * cannot be decoded; deleting it with {@link SnapshotStore.deleteTo} makes recovery fall back
   * to the events.
   */
  loadLatest<S = unknown>(
    persistenceId: string,
    options?: LoadSnapshotOptions,
  ): Promise<Snapshot<S> | undefined>;

  /** Deletes the snapshots of one persistence id up to `seq`, included. */
  deleteTo(persistenceId: string, seq: number): Promise<void>;

  /** Releases the connections. Later calls fail with ERR_STORE; closing twice is harmless. */
  close(): Promise<void>;
}
