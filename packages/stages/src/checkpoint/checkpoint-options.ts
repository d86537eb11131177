/**
 * The options with which a stage takes part in checkpoints.
 */
import { type Dest, invalidArgument, Pid } from '@starweave/actors';
import type { CheckpointStore } from './checkpoint-store.js';

/** The checkpoint settings of a stage. */
export interface CheckpointOptions {
  /** The store that snapshots are saved to and loaded from. */
  store: CheckpointStore;
  /** The stage's name in the store; the same across restarts and unique in the pipeline. */
  stageId: string;
  /**
   * The checkpoint coordinator (a pid or, so that restarts find it, a registered name).
   * Sources register with it to receive triggers; sinks acknowledge checkpoints to it.
   */
  coordinator: Dest;
}

/** Checks checkpoint options. */
export function checkCheckpointOptions(options: unknown): CheckpointOptions {
  if (options === null || typeof options !== 'object') {
    return invalidArgument('options.checkpoint', '{ store, stageId, coordinator }', options);
  }
  const raw = options as Record<string, unknown>;
  const store = raw.store as Record<string, unknown> | null | undefined;
  const methods = ['save', 'complete', 'latestCompleted', 'load'];
  if (
    store === null ||
    typeof store !== 'object' ||
    methods.some((name) => typeof store[name] !== 'function')
  ) {
    invalidArgument(
      'options.checkpoint.store',
      'a CheckpointStore with save, complete, latestCompleted and load',
      raw.store,
    );
  }
  if (typeof raw.stageId !== 'string' || raw.stageId.length === 0) {
    invalidArgument('options.checkpoint.stageId', 'a non-empty string', raw.stageId);
  }
  if (
    !(raw.coordinator instanceof Pid) &&
    (typeof raw.coordinator !== 'string' || raw.coordinator === '')
  ) {
    invalidArgument(
      'options.checkpoint.coordinator',
      'a Pid or a registered name',
      raw.coordinator,
    );
  }
  return options as CheckpointOptions;
}
