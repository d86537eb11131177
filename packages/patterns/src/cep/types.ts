/**
 * Types shared by the pattern builder, the automaton and the engine: conditions and their
 * context, contiguity, skip strategies and the outputs (matches, timed-out partial matches,
 * late events).
 */

/** The key that partitions a stream; each key has its own partial matches. */
export type CepKey = string | number;

/** Read access to the partial match that a condition is asked to extend. */
export interface MatchContext<B> {
  /**
   * Returns the events bound so far to the step `name` in this partial match, oldest first.
   * The array is built on each call, so call it once per evaluation.
   */
  events<N extends keyof B & string>(name: N): B[N][];
  /** The event time of the event under test, in milliseconds. */
  readonly timestamp: number;
}

/**
 * A predicate that decides whether an event is accepted by a step. A condition with a second
 * parameter reads the partial match (an iterative condition, as FlinkCEP calls it); one
 * without it is cheaper, because the engine builds no context for it. A condition must not keep
 * the context after it returns.
 */
export type Condition<E, B> = (event: E, context: MatchContext<B>) => boolean;

/**
 * How the events of two steps (or two events of one looping step) may be separated:
 * `strict` allows no event in between, `relaxed` skips events that the step does not accept and
 * takes the first one it does, `any` also branches past accepted events (non-deterministic).
 */
export type Contiguity = 'strict' | 'relaxed' | 'any';

/**
 * What to discard after a match is emitted, as FlinkCEP's after-match skip strategies do.
 * Partial matches are compared by the position of their first event.
 */
export type SkipStrategy =
  /** Keeps every partial match: every possible match is emitted. */
  | { readonly kind: 'noSkip' }
  /** Discards partial matches that started with the same event as the match. */
  | { readonly kind: 'skipToNext' }
  /** Discards partial matches that started at or before the last event of the match. */
  | { readonly kind: 'skipPastLastEvent' }
  /** Discards partial matches that started before the first event bound to `step`. */
  | { readonly kind: 'skipToFirst'; readonly step: string }
  /** Discards partial matches that started before the last event bound to `step`. */
  | { readonly kind: 'skipToLast'; readonly step: string };

/** Events bound to each step of a pattern, oldest first; a skipped optional step has none. */
export type MatchEvents<B> = { [N in keyof B]: B[N][] };

/** A complete match. */
export interface CepMatch<B> {
  readonly type: 'match';
  /** The key of the partition that matched. */
  readonly key: CepKey;
  /** The events bound to each positive step. */
  readonly events: MatchEvents<B>;
  /** Event time of the first event of the match. */
  readonly startTime: number;
  /** Event time of the last event of the match. */
  readonly endTime: number;
  /**
   * Time at which the match became certain: `endTime`, or, for a pattern that ends with a
   * negative step, the time of the event after the last one (`notNext`) or the end of the
   * absence window (`notFollowedBy`).
   */
  readonly completedAt: number;
}

/** A partial match discarded because a `within` window closed before it could complete. */
export interface CepTimeout<B> {
  readonly type: 'timeout';
  readonly key: CepKey;
  /** The events bound so far; steps not reached have none. */
  readonly events: MatchEvents<B>;
  /** Event time of the first event of the partial match. */
  readonly startTime: number;
  /** The time at which its last window closed. */
  readonly timedOutAt: number;
}

/** An event that arrived behind the watermark and was not processed. */
export interface CepLate<E> {
  readonly type: 'late';
  readonly key: CepKey;
  readonly event: E;
  /** The event's time. */
  readonly timestamp: number;
  /** The watermark it arrived behind. */
  readonly watermark: number;
}

/** Everything an engine emits, told apart by `type`. */
export type CepOutput<E, B> = CepMatch<B> | CepTimeout<B> | CepLate<E>;

/** Counters of an engine since it was created (or restored, which carries them over). */
export interface CepStats {
  /** Events pushed, late ones included. */
  events: number;
  /** Events that arrived behind the watermark and were routed to the side output. */
  late: number;
  /** Complete matches emitted. */
  matches: number;
  /** Timed-out partial matches emitted. */
  timeouts: number;
  /** Partial matches discarded because a window closed (timed out or not). */
  expired: number;
  /** Partial matches discarded because their key was at `maxPartialMatchesPerKey`. */
  droppedByCap: number;
  /** Partial matches and held matches discarded by the skip strategy. */
  pruned: number;
  /** Partial matches alive now, over all keys. */
  partialMatches: number;
  /** Keys that hold partial matches now. */
  keys: number;
  /** Events buffered until the watermark passes them (event time only). */
  buffered: number;
}
