/**
 * The checkpoint store contract: where stages save the snapshots of a checkpoint and where a
 * restarted pipeline finds the last completed one. The persistence package implements it on
 * SQLite and PostgreSQL; {@link MemoryCheckpointStore} keeps it in memory.
 */
import type { MaybePromise } from '../types.js';

/**
 * Stores checkpoint snapshots. Checkpoint ids are positive integers that grow; a stage id
 * names one stage of a pipeline and stays the same across restarts.
 */
export interface CheckpointStore {
  /** Saves one stage's snapshot for a checkpoint, replacing what that pair held before. */
  save(checkpointId: number, stageId: string, bytes: Uint8Array): MaybePromise<void>;
  /** Marks a checkpoint completed: every sink has acknowledged it. */
  complete(checkpointId: number): MaybePromise<void>;
  /** Returns the highest completed checkpoint id, or undefined when none has completed. */
  latestCompleted(): MaybePromise<number | undefined>;
  /** Returns one stage's snapshot of a checkpoint, or undefined when it saved none. */
  load(checkpointId: number, stageId: string): MaybePromise<Uint8Array | undefined>;
}
