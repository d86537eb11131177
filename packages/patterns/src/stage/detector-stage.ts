/**
 * DetectorStage: a producer-consumer that runs EWMA z-score and rate-of-change detectors per
 * key over the events it receives and sends the anomalies they flag downstream. The
 * detectors' state goes into checkpoints.
 */
import type { Caller, Dest, Pid } from '@starweave/actors';
import type { ProducerConsumerSpec, StageChildSpec } from '@starweave/stages';
import type { CepKey } from '../cep/types.js';
import type { Anomaly } from '../detectors/anomaly.js';
import { type DetectorConfig, DetectorSet, type DetectorStats } from './detector-set.js';
import {
  checkOptions,
  type EngineStageDefinition,
  type EngineStageState,
  engineStageChildSpec,
  engineStageSpec,
  engineStageStats,
  type PatternStageChildOptions,
  type PatternStageOptions,
  splitChildOptions,
  startEngineStage,
} from './engine-stage.js';
import type { Watermark } from './watermark.js';

/** Options of a detector stage. */
export interface DetectorStageOptions<E> extends PatternStageOptions {
  /** The detectors, each fed every event in order. */
  detectors: readonly DetectorConfig<E>[];
  /** Returns the key of an event, for detectors without their own `key` (default `''`). */
  key?: (event: E) => CepKey;
  /**
   * Returns the event time in milliseconds, for detectors without their own `timestamp`
   * (default: the arrival number).
   */
  timestamp?: (event: E) => number;
}

/** The state of a detector stage process. */
export type DetectorStageState<E> = EngineStageState<Anomaly<E>>;

function definition<E>(options: DetectorStageOptions<E>): EngineStageDefinition<E, Anomaly<E>> {
  checkOptions(options);
  const shared = { key: options.key, timestamp: options.timestamp } as {
    key?: (event: E) => CepKey;
    timestamp?: (event: E) => number;
  };
  // Builds a throwaway set so that an invalid detector config fails here, in the caller,
  // rather than in the new process as a start failure.
  new DetectorSet(options.detectors, shared);

  return {
    label: 'DetectorStage',
    format: 'starweave.detector-stage',
    options,
    // Detectors have no watermark, so no event is late.
    late: 'emit',
    tickMs: undefined,
    create: () => new DetectorSet(options.detectors, shared),
  };
}

/**
 * Returns the producer-consumer spec of a detector stage, for `GenStage.startLink` or a child
 * spec of your own. Its start argument is unused; `Watermark` markers in its input are ignored.
 */
export function spec<E>(
  options: DetectorStageOptions<E>,
): ProducerConsumerSpec<DetectorStageState<E>, void, E | Watermark, Anomaly<E>> {
  return engineStageSpec(definition(options));
}

/**
 * Starts a detector stage linked to the caller and resolves with its pid once it has
 * subscribed to the producers in `subscribeTo` and restored the last completed checkpoint, if
 * any. Fails with ERR_INVALID_ARGUMENT for invalid options and with ERR_START_FAILED when the
 * stage cannot start.
 */
export function startLink<E>(caller: Caller, options: DetectorStageOptions<E>): Promise<Pid> {
  return startEngineStage(caller, definition(options), true);
}

/** Starts a detector stage with no link to the caller; otherwise as {@link startLink}. */
export function start<E>(caller: Caller, options: DetectorStageOptions<E>): Promise<Pid> {
  return startEngineStage(caller, definition(options), false);
}

/** Returns a child spec that starts a detector stage under a supervisor. */
export function childSpec<E>(
  id: string,
  options: DetectorStageOptions<E> & PatternStageChildOptions,
): StageChildSpec {
  const [stageOptions, childOptions] = splitChildOptions(options);
  return engineStageChildSpec(id, definition(stageOptions), childOptions);
}

/** Returns the counters of a detector stage (events, anomalies, out-of-order values). */
export function stats(
  caller: Caller,
  stage: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<DetectorStats> {
  return engineStageStats<DetectorStats>(caller, stage, timeoutMs);
}
