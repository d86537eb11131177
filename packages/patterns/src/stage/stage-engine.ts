/**
 * The interface a pattern stage drives: the CEP engine, the window aggregator and the detector
 * set each fit it, so one stage implementation runs all three.
 */

/** An engine that a pattern stage feeds and checkpoints. */
export interface StageEngine<In, Out> {
  /** Feeds one event. */
  push(event: In): void;
  /** Moves the watermark (or, in arrival time, the current time) to `time`. */
  advanceWatermark(time: number): void;
  /** Ends the input: processes what is buffered and closes every window. */
  close(): void;
  /** Returns and clears the outputs produced since the last call. */
  drain(): Out[];
  /** Returns the engine's state as plain data that the codec encodes. */
  snapshot(): unknown;
  /** Replaces the engine's state with one that `snapshot()` returned. */
  restore(snapshot: unknown): void;
  /** Returns the engine's counters. */
  stats(): object;
}
