/**
 * WindowStage: a producer-consumer that aggregates the events it receives over tumbling,
 * sliding or session windows per key and sends one result per window downstream. Its
 * aggregator's state goes into checkpoints.
 */
import { type Caller, type Dest, invalidArgument, type Pid } from '@starweave/actors';
import type { ProducerConsumerSpec, StageChildSpec } from '@starweave/stages';
import type { CepKey } from '../cep/types.js';
import { checkOneOf } from '../internal/check.js';
import {
  WindowAggregator,
  type WindowAggregatorOptions,
  type WindowOutput,
  type WindowSpec,
  type WindowStats,
} from '../windows/window-aggregator.js';
import { ArrivalWindows } from './arrival-windows.js';
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

/** Options of a window stage. */
export interface WindowStageOptions<E> extends PatternStageOptions {
  /** Returns the key of an event (default: one key, `''`). */
  key?: (event: E) => CepKey;
  /** Returns the number to aggregate. */
  value: (event: E) => number;
  /** The grouping of events into windows. */
  window: WindowSpec;
  /** Returns the event time in milliseconds. Required for `time: 'event'`. */
  timestamp?: (event: E) => number;
  /**
   * `'event'` (the default when `timestamp` is given) places events by their timestamps.
   * `'arrival'` places each event at the system clock's time when the stage receives it.
   */
  time?: 'event' | 'arrival';
  /**
   * Event time only: `'events'` (the default) moves the watermark to the largest timestamp
   * seen minus `maxOutOfOrdernessMs` after each event. `'manual'` moves it only on
   * `Watermark` markers in the input and `WindowStage.advanceWatermark` calls.
   */
  watermark?: 'events' | 'manual';
  /** How far behind the largest timestamp seen an event may arrive. Default 0. */
  maxOutOfOrdernessMs?: number;
  /** How long after a window's end late events still update it (default 0). */
  allowedLatenessMs?: number;
  /** Quantiles to report, each from 0 to 1 (default [0.5, 0.9, 0.99]). */
  percentiles?: readonly number[];
  /** Relative accuracy of the percentiles (default 0.01). */
  relativeAccuracy?: number;
  /** The route of events that no open window takes. Default `'count'`. */
  late?: LateOutput;
  /**
   * Arrival time only: advances the watermark to the clock's time every `tickMs`, so that
   * windows fire while no event arrives. Default: windows fire only when an event arrives.
   */
  tickMs?: number;
}

/** An event a window stage emits: a window result or, with `late: 'emit'`, a late event. */
export type WindowStageOutput<E> = WindowOutput<E>;

/** The state of a window stage process. */
export type WindowStageState<E> = EngineStageState<WindowStageOutput<E>>;

function definition<E>(
  options: WindowStageOptions<E>,
): EngineStageDefinition<E, WindowStageOutput<E>> {
  checkOptions(options);
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
  if (tickMs !== undefined && time !== 'arrival') {
    invalidArgument(
      'options.tickMs',
      "undefined unless time is 'arrival'",
      tickMs,
      'Remove tickMs, or advance event time with Watermark markers.',
    );
  }
  const late = checkLateOutput(options.late ?? 'count');

  const shared: Omit<WindowAggregatorOptions<E>, 'timestamp'> = {
    value: options.value,
    window: options.window,
  };
  if (options.key !== undefined) shared.key = options.key;
  if (options.allowedLatenessMs !== undefined) shared.allowedLatenessMs = options.allowedLatenessMs;
  if (options.percentiles !== undefined) shared.percentiles = options.percentiles;
  if (options.relativeAccuracy !== undefined) shared.relativeAccuracy = options.relativeAccuracy;

  const create = (clock: { now(): number }) => {
    if (time === 'arrival') return new ArrivalWindows<E>(shared, clock);
    const eventOptions: WindowAggregatorOptions<E> = {
      ...shared,
      timestamp: options.timestamp!,
    };
    if (watermark === 'events') eventOptions.maxOutOfOrdernessMs = options.maxOutOfOrdernessMs ?? 0;
    return new WindowAggregator<E>(eventOptions);
  };
  // Builds a throwaway aggregator so that an invalid option fails here, in the caller, rather
  // than in the new process as a start failure.
  create({ now: Date.now });

  return {
    label: 'WindowStage',
    format: 'starweave.window-stage',
    options,
    late,
    tickMs,
    create: (self) => create(self.system.clock),
  };
}

/**
 * Returns the producer-consumer spec of a window stage, for `GenStage.startLink` or a child
 * spec of your own. Its start argument is unused.
 */
export function spec<E>(
  options: WindowStageOptions<E>,
): ProducerConsumerSpec<WindowStageState<E>, void, E | Watermark, WindowStageOutput<E>> {
  return engineStageSpec(definition(options));
}

/**
 * Starts a window stage linked to the caller and resolves with its pid once it has subscribed
 * to the producers in `subscribeTo` and restored the last completed checkpoint, if any. Fails
 * with ERR_INVALID_ARGUMENT for invalid options and with ERR_START_FAILED when the stage
 * cannot start.
 */
export function startLink<E>(caller: Caller, options: WindowStageOptions<E>): Promise<Pid> {
  return startEngineStage(caller, definition(options), true);
}

/** Starts a window stage with no link to the caller; otherwise as {@link startLink}. */
export function start<E>(caller: Caller, options: WindowStageOptions<E>): Promise<Pid> {
  return startEngineStage(caller, definition(options), false);
}

/** Returns a child spec that starts a window stage under a supervisor. */
export function childSpec<E>(
  id: string,
  options: WindowStageOptions<E> & PatternStageChildOptions,
): StageChildSpec {
  const [stageOptions, childOptions] = splitChildOptions(options);
  return engineStageChildSpec(id, definition(stageOptions), childOptions);
}

/** Returns the counters of a window stage's aggregator (events, late events, windows fired). */
export function stats(
  caller: Caller,
  stage: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<WindowStats> {
  return engineStageStats<WindowStats>(caller, stage, timeoutMs);
}

/** Moves a window stage's watermark to `time`, which fires the windows that end by it. */
export function advanceWatermark(
  caller: Caller,
  stage: Dest,
  time: number,
  timeoutMs: number | 'infinity' = 5000,
): Promise<void> {
  return engineStageAdvance(caller, stage, time, timeoutMs);
}
