/**
 * CepStage: a producer-consumer that runs a CEP pattern over the events it receives and sends
 * matches and timed-out partial matches downstream as typed events. Its engine's state goes
 * into checkpoints, so a restored pipeline continues as the original would have.
 */
import { type Caller, type Dest, invalidArgument, type Pid } from '@starweave/actors';
import type { ProducerConsumerSpec, StageChildSpec } from '@starweave/stages';
import type { OverflowPolicy } from '../cep/automaton.js';
import { CepEngine, type CepEngineOptions } from '../cep/engine.js';
import { type NoBindings, Pattern } from '../cep/pattern.js';
import type { CepKey, CepOutput, CepStats } from '../cep/types.js';
import { checkOneOf } from '../internal/check.js';
import {
  checkOptions,
  checkTickMs,
  type EngineStageDefinition,
  type EngineStageState,
  engineStageAdvance,
  engineStageChildSpec,
  engineStageSpec,
  engineStageStats,
  type PatternStageChildOptions,
  type PatternStageOptions,
  splitChildOptions,
  startEngineStage,
} from './engine-stage.js';
import { checkLateOutput, type LateOutput } from './late-output.js';
import type { Watermark } from './watermark.js';

/** Options of a CEP stage. */
export interface CepStageOptions<E, B extends object = NoBindings> extends PatternStageOptions {
  /** The pattern to match. */
  pattern: Pattern<E, B>;
  /** Returns the key of an event; partial matches never mix keys. Default: one key, `''`. */
  key?: (event: E) => CepKey;
  /** Returns the event time of an event in milliseconds. Required for `time: 'event'`. */
  timestamp?: (event: E) => number;
  /**
   * `'event'` (the default when `timestamp` is given) orders events by event time behind a
   * watermark. `'arrival'` processes each event as it arrives, at its timestamp (never earlier
   * than the previous one) or, without `timestamp`, at the system clock's time.
   */
  time?: 'event' | 'arrival';
  /**
   * Event time only: `'events'` (the default) moves the watermark to the largest timestamp
   * seen minus `maxOutOfOrdernessMs` after each event. `'manual'` moves it only on
   * `Watermark` markers in the input and `CepStage.advanceWatermark` calls.
   */
  watermark?: 'events' | 'manual';
  /** How far behind the largest timestamp seen an event may arrive. Default 0. */
  maxOutOfOrdernessMs?: number;
  /** The maximum number of partial matches per key (default 10 000). */
  maxPartialMatchesPerKey?: number;
  /** The policy for a key at the cap: `'dropOldest'` (the default) or `'rejectNew'`. */
  overflow?: OverflowPolicy;
  /** The route of events behind the watermark. Default `'count'`. */
  late?: LateOutput;
  /**
   * Arrival time without `timestamp` only: advances the engine to the clock's time every
   * `tickMs`, so that windows close and time out while no event arrives. Default: windows close
   * only when an event arrives.
   */
  tickMs?: number;
}

/** An event a CEP stage emits: a match, a timed-out partial match or, with `late: 'emit'`, a late event. */
export type CepStageOutput<E, B> = CepOutput<E, B>;

/** The state of a CEP stage process. */
export type CepStageState<E, B> = EngineStageState<CepStageOutput<E, B>>;

function definition<E, B extends object>(
  options: CepStageOptions<E, B>,
): EngineStageDefinition<E, CepStageOutput<E, B>> {
  checkOptions(options);
  if (!(options.pattern instanceof Pattern)) {
    invalidArgument('options.pattern', 'a Pattern built with Pattern.begin', options.pattern);
  }
  const time = checkOneOf(
    'options.time',
    options.time ?? (options.timestamp === undefined ? 'arrival' : 'event'),
    ['event', 'arrival'],
  );
  const watermark = checkOneOf('options.watermark', options.watermark ?? 'events', [
    'events',
    'manual',
  ]);
  const tickMs = checkTickMs(options.tickMs);
  if (tickMs !== undefined && (time !== 'arrival' || options.timestamp !== undefined)) {
    invalidArgument(
      'options.tickMs',
      "undefined unless time is 'arrival' without a timestamp function",
      tickMs,
      'Remove tickMs, or advance event time with Watermark markers.',
    );
  }
  const late = checkLateOutput(options.late ?? 'count');

  const engineOptions = (clock: { now(): number }): CepEngineOptions<E, B> => {
    const result: CepEngineOptions<E, B> = { time, clock };
    if (options.key !== undefined) result.key = options.key;
    if (options.timestamp !== undefined) result.timestamp = options.timestamp;
    if (time === 'event' && watermark === 'events') {
      result.maxOutOfOrdernessMs = options.maxOutOfOrdernessMs ?? 0;
    }
    if (options.maxPartialMatchesPerKey !== undefined) {
      result.maxPartialMatchesPerKey = options.maxPartialMatchesPerKey;
    }
    if (options.overflow !== undefined) result.overflow = options.overflow;
    return result;
  };
  // Builds a throwaway engine so that an invalid pattern or option fails here, in the caller,
  // rather than in the new process as a start failure.
  new CepEngine(options.pattern, engineOptions({ now: Date.now }));

  return {
    label: 'CepStage',
    format: 'starweave.cep-stage',
    options,
    late,
    tickMs,
    create: (self) => new CepEngine(options.pattern, engineOptions(self.system.clock)),
  };
}

/**
 * Returns the producer-consumer spec of a CEP stage, for `GenStage.startLink` or a child spec
 * of your own. Its start argument is unused.
 */
export function spec<E, B extends object>(
  options: CepStageOptions<E, B>,
): ProducerConsumerSpec<CepStageState<E, B>, void, E | Watermark, CepStageOutput<E, B>> {
  return engineStageSpec(definition(options));
}

/**
 * Starts a CEP stage linked to the caller and resolves with its pid once it has subscribed to
 * the producers in `subscribeTo` and restored the last completed checkpoint, if any. Fails with
 * ERR_INVALID_ARGUMENT for invalid options and with ERR_START_FAILED when the stage cannot
 * start.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { CepStage, type CepStageOutput, Pattern } from '@starweave/patterns';
 * import { type ConsumerSpec, GenStage, fromAsyncIterable } from '@starweave/stages';
 *
 * type Login = { user: string; at: number; ok: boolean };
 * const bruteForce = Pattern.begin('failed', (l: Login) => !l.ok)
 *   .times(2)
 *   .next('ok', (l) => l.ok);
 *
 * const outputs: CepStageOutput<Login, any>[] = [];
 * const Collect: ConsumerSpec<null, void, CepStageOutput<Login, any>> = {
 *   type: 'consumer',
 *   init: () => ({ state: null }),
 *   handleEvents: (events, _from, state) => {
 *     outputs.push(...events);
 *     return { state };
 *   },
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const detector = await CepStage.startLink(system, {
 *   pattern: bruteForce,
 *   key: (l) => l.user,
 *   timestamp: (l) => l.at,
 * });
 * const collect = await GenStage.startLink(system, Collect, undefined);
 * await GenStage.subscribe(system, collect, { to: detector });
 * const logins = await GenStage.start(
 *   system,
 *   fromAsyncIterable<Login>([
 *     { user: 'ann', at: 0, ok: false },
 *     { user: 'ann', at: 1_000, ok: false },
 *     { user: 'ann', at: 2_000, ok: true },
 *   ]),
 *   undefined,
 * );
 * await GenStage.subscribe(system, detector, { to: logins });
 *
 * while (outputs.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
 * console.assert(outputs[0]!.type === 'match' && outputs[0]!.key === 'ann');
 * await system.shutdown();
 * ```
 */
export function startLink<E, B extends object>(
  caller: Caller,
  options: CepStageOptions<E, B>,
): Promise<Pid> {
  return startEngineStage(caller, definition(options), true);
}

/** Starts a CEP stage with no link to the caller; otherwise as {@link startLink}. */
export function start<E, B extends object>(
  caller: Caller,
  options: CepStageOptions<E, B>,
): Promise<Pid> {
  return startEngineStage(caller, definition(options), false);
}

/** Returns a child spec that starts a CEP stage under a supervisor. */
export function childSpec<E, B extends object>(
  id: string,
  options: CepStageOptions<E, B> & PatternStageChildOptions,
): StageChildSpec {
  const [stageOptions, childOptions] = splitChildOptions(options);
  return engineStageChildSpec(id, definition(stageOptions), childOptions);
}

/** Returns the counters of a CEP stage's engine (late events, matches, partial matches). */
export function stats(
  caller: Caller,
  stage: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<CepStats> {
  return engineStageStats<CepStats>(caller, stage, timeoutMs);
}

/**
 * Moves a CEP stage's watermark (in arrival time, its current time) to `time`, which
 * processes the events buffered up to it and closes the windows that end by it.
 */
export function advanceWatermark(
  caller: Caller,
  stage: Dest,
  time: number,
  timeoutMs: number | 'infinity' = 5000,
): Promise<void> {
  return engineStageAdvance(caller, stage, time, timeoutMs);
}
