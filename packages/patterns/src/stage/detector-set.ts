/**
 * A set of online detectors fed with the same events: each event goes to every detector in
 * order, and their anomalies come out in one stream, in the order they were flagged.
 */
import { invalidArgument } from '@starweave/actors';
import type { CepKey } from '../cep/types.js';
import type { Anomaly } from '../detectors/anomaly.js';
import { EwmaDetector, type EwmaDetectorOptions, type EwmaSnapshot } from '../detectors/ewma.js';
import {
  RateOfChangeDetector,
  type RateOfChangeDetectorOptions,
  type RateOfChangeSnapshot,
} from '../detectors/rate-of-change.js';
import type { StageEngine } from './stage-engine.js';

/** One detector of a set: its type and its options (`key` and `timestamp` may be inherited). */
export type DetectorConfig<E> =
  | ({ type: 'ewma' } & Omit<EwmaDetectorOptions<E>, 'emit'>)
  | ({ type: 'rateOfChange' } & Omit<RateOfChangeDetectorOptions<E>, 'emit'>);

/** Counters of a detector set. */
export interface DetectorStats {
  /** Events pushed. */
  events: number;
  /** Anomalies flagged, over all detectors. */
  anomalies: number;
  /** Values that rate-of-change detectors skipped because their time was not after the previous one. */
  outOfOrder: number;
}

/** The state of a detector set as plain data. */
export interface DetectorSetSnapshot {
  events: number;
  anomalies: number;
  detectors: (EwmaSnapshot | RateOfChangeSnapshot)[];
}

type Detector<E> = EwmaDetector<E> | RateOfChangeDetector<E>;

/** Runs several detectors over one stream. */
export class DetectorSet<E> implements StageEngine<E, Anomaly<E>> {
  private readonly detectors: Detector<E>[];
  private readonly queue: Anomaly<E>[] = [];
  private events = 0;
  private anomalies = 0;

  /**
   * Builds the detectors of `configs`. A detector without its own `key` or `timestamp` uses
   * the shared one given here.
   */
  constructor(
    configs: readonly DetectorConfig<E>[],
    shared: { key?: (event: E) => CepKey; timestamp?: (event: E) => number } = {},
  ) {
    if (!Array.isArray(configs) || configs.length === 0) {
      invalidArgument('options.detectors', 'a non-empty array of detector configs', configs);
    }
    const emit = (anomaly: Anomaly<E>) => {
      this.anomalies += 1;
      this.queue.push(anomaly);
    };
    this.detectors = configs.map((config, index) => {
      if (config === null || typeof config !== 'object') {
        return invalidArgument(`options.detectors[${index}]`, 'a detector config', config);
      }
      const { type, ...rest } = config;
      const options = { ...inherited(shared), ...rest, emit };
      if (type === 'ewma') return new EwmaDetector<E>(options as EwmaDetectorOptions<E>);
      if (type === 'rateOfChange') {
        return new RateOfChangeDetector<E>(options as RateOfChangeDetectorOptions<E>);
      }
      return invalidArgument(`options.detectors[${index}].type`, "'ewma' or 'rateOfChange'", type);
    });
  }

  push(event: E): void {
    this.events += 1;
    for (const detector of this.detectors) detector.push(event);
  }

  /** Does nothing: detectors take events in arrival order and keep no windows. */
  advanceWatermark(_time: number): void {}

  /** Does nothing: detectors hold no events back. */
  close(): void {}

  drain(): Anomaly<E>[] {
    return this.queue.splice(0, this.queue.length);
  }

  stats(): DetectorStats {
    let outOfOrder = 0;
    for (const detector of this.detectors) {
      if (detector instanceof RateOfChangeDetector) outOfOrder += detector.outOfOrderCount();
    }
    return { events: this.events, anomalies: this.anomalies, outOfOrder };
  }

  snapshot(): DetectorSetSnapshot {
    return {
      events: this.events,
      anomalies: this.anomalies,
      detectors: this.detectors.map((detector) => detector.snapshot()),
    };
  }

  restore(snapshot: DetectorSetSnapshot): void {
    if (
      !Array.isArray(snapshot?.detectors) ||
      snapshot.detectors.length !== this.detectors.length
    ) {
      invalidArgument(
        'snapshot.detectors',
        `snapshots of ${this.detectors.length} detectors`,
        snapshot?.detectors,
        'Restore a snapshot of a stage with the same detectors.',
      );
    }
    // Each detector checks that the snapshot at its index has its own format.
    this.detectors.forEach((detector, index) => {
      detector.restore(snapshot.detectors[index] as never);
    });
    this.events = snapshot.events;
    this.anomalies = snapshot.anomalies;
  }
}

function inherited<E>(shared: { key?: (event: E) => CepKey; timestamp?: (event: E) => number }): {
  key?: (event: E) => CepKey;
  timestamp?: (event: E) => number;
} {
  const result: { key?: (event: E) => CepKey; timestamp?: (event: E) => number } = {};
  if (shared.key !== undefined) result.key = shared.key;
  if (shared.timestamp !== undefined) result.timestamp = shared.timestamp;
  return result;
}
