/**
 * `matchAll`: runs a pattern over a finite iterable of events and returns everything it found,
 * for tests, scripts and batch jobs.
 */
import { CepEngine, type CepEngineOptions } from './engine.js';
import type { Pattern } from './pattern.js';
import type { CepLate, CepMatch, CepOutput, CepStats, CepTimeout } from './types.js';

/** Options of {@link matchAll}: those of the engine, without `emit`. */
export type MatchAllOptions<E, B> = Omit<CepEngineOptions<E, B>, 'emit'>;

/** What {@link matchAll} found. */
export interface MatchAllResult<E, B> {
  /** Complete matches, in the order the engine emitted them. */
  matches: CepMatch<B>[];
  /** Partial matches whose window closed. */
  timeouts: CepTimeout<B>[];
  /** Events behind the watermark (only with `maxOutOfOrdernessMs`). */
  late: CepLate<E>[];
  /** The engine's counters at the end. */
  stats: CepStats;
}

/**
 * Runs `pattern` over `events` and returns the matches, timed-out partial matches and late
 * events. The input ends with the iterable: absence windows and timeouts close as if time ran
 * on for ever. In event time (with `timestamp`), events are processed in timestamp order.
 */
export function matchAll<E, B extends object>(
  pattern: Pattern<E, B>,
  events: Iterable<E>,
  options: MatchAllOptions<E, B> = {},
): MatchAllResult<E, B> {
  const result: MatchAllResult<E, B> = { matches: [], timeouts: [], late: [], stats: undefined! };
  const emit = (output: CepOutput<E, B>): void => {
    if (output.type === 'match') result.matches.push(output);
    else if (output.type === 'timeout') result.timeouts.push(output);
    else result.late.push(output);
  };
  const engine = new CepEngine(pattern, { ...options, emit });
  engine.pushAll(events);
  engine.close();
  result.stats = engine.stats();
  return result;
}
