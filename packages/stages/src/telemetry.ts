/**
 * The telemetry events stages emit, added to the system's typed event emitter.
 */
import type { Pid } from '@starweave/actors';

/** The fields of `stage.events_dropped`. */
export interface EventsDropped {
  pid: Pid;
  name: string | undefined;
  /** Events dropped this time. */
  dropped: number;
  /** Events the stage has dropped since it started. */
  total: number;
  /** Where: `'buffer'`, `'partition_queue'` or `'partition'` (no partition for the event). */
  reason: string;
  bufferSize: number;
  bufferKeep: 'first' | 'last';
}

/** The fields of `stage.checkpoint_completed`. */
export interface CheckpointCompleted {
  checkpointId: number;
  durationMs: number;
}

declare module '@starweave/actors' {
  interface TelemetryEvents {
    /** A stage dropped events because its buffer or a partition queue was full. */
    'stage.events_dropped': (event: EventsDropped) => void;
    /** Every sink acknowledged a checkpoint and the store marked it completed. */
    'stage.checkpoint_completed': (event: CheckpointCompleted) => void;
  }
}
