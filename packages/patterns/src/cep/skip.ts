/**
 * Constructors of the after-match skip strategies, named as FlinkCEP names them.
 */
import { invalidArgument } from '@starweave/actors';
import type { SkipStrategy } from './types.js';

/** Builds the after-match skip strategy that a pattern applies with `Pattern.skip`. */
export const AfterMatchSkip = {
  /** Keeps every partial match, so every possible match is emitted (the default). */
  noSkip(): SkipStrategy {
    return { kind: 'noSkip' };
  },
  /** Discards the partial matches that started with the same event as the emitted match. */
  skipToNext(): SkipStrategy {
    return { kind: 'skipToNext' };
  },
  /** Discards the partial matches that started at or before the last event of the match. */
  skipPastLastEvent(): SkipStrategy {
    return { kind: 'skipPastLastEvent' };
  },
  /**
   * Discards the partial matches that started before the first event bound to `step`. When
   * the match has no event for `step` (a skipped optional step), nothing is discarded.
   */
  skipToFirst(step: string): SkipStrategy {
    if (typeof step !== 'string' || step === '') invalidArgument('step', 'a step name', step);
    return { kind: 'skipToFirst', step };
  },
  /**
   * Discards the partial matches that started before the last event bound to `step`. When the
   * match has no event for `step`, nothing is discarded.
   */
  skipToLast(step: string): SkipStrategy {
    if (typeof step !== 'string' || step === '') invalidArgument('step', 'a step name', step);
    return { kind: 'skipToLast', step };
  },
} as const;
