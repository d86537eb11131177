/**
 * An online detector per key that keeps an exponentially weighted moving mean and variance of a
 * value and flags observations whose z-score against them reaches a threshold.
 */
import { invalidArgument } from '@starweave/actors';
import type { CepKey } from '../cep/types.js';
import { checkFunction, checkInteger, checkPositive } from '../internal/check.js';
import type { Anomaly, DetectorOptions } from './anomaly.js';

/** Options of {@link EwmaDetector}. */
export interface EwmaDetectorOptions<E> extends DetectorOptions<E> {
  /** Weight of each new value, from 0 (exclusive) to 1 (default 0.1). */
  alpha?: number;
  /** The absolute z-score at which a value is an anomaly (default 3). */
  threshold?: number;
  /** Values a key must see before it flags anything (default 10). */
  warmup?: number;
  /** Whether flagged values still update the mean and variance (default true). */
  learnFromAnomalies?: boolean;
}

/** The per-key state of an EWMA detector as plain data: key, count, mean, variance. */
export type EwmaSnapshot = {
  format: 'starweave.ewma';
  version: 1;
  arrival: number;
  keys: [CepKey, number, number, number][];
};

interface Moments {
  count: number;
  mean: number;
  variance: number;
}

/**
 * Flags values far from their key's moving mean, in standard deviations.
 *
 * @example
 * ```ts
 * import { EwmaDetector } from '@starweave/patterns';
 *
 * const detector = new EwmaDetector<{ host: string; ms: number }>({
 *   key: (r) => r.host,
 *   value: (r) => r.ms,
 *   threshold: 4,
 *   warmup: 5,
 * });
 * for (const ms of [10, 11, 9, 10, 12, 10, 11, 95]) detector.push({ host: 'a', ms });
 * console.assert(detector.drain().map((anomaly) => anomaly.value).join() === '95');
 * ```
 */
export class EwmaDetector<E> {
  private readonly keyOf: (event: E) => CepKey;
  private readonly valueOf: (event: E) => number;
  private readonly timestampOf: ((event: E) => number) | null;
  private readonly alpha: number;
  private readonly threshold: number;
  private readonly warmup: number;
  private readonly learnFromAnomalies: boolean;
  private readonly emitAnomaly: (anomaly: Anomaly<E>) => void;
  private readonly queue: Anomaly<E>[] = [];
  private keys = new Map<CepKey, Moments>();
  private arrival = 0;

  constructor(options: EwmaDetectorOptions<E>) {
    this.keyOf = options.key === undefined ? () => '' : checkFunction('options.key', options.key);
    this.valueOf = checkFunction('options.value', options.value);
    this.timestampOf =
      options.timestamp === undefined
        ? null
        : checkFunction('options.timestamp', options.timestamp);
    this.alpha = options.alpha ?? 0.1;
    if (!(this.alpha > 0 && this.alpha <= 1))
      invalidArgument('options.alpha', 'a number in (0, 1]', this.alpha);
    this.threshold = checkPositive('options.threshold', options.threshold ?? 3);
    this.warmup = checkInteger('options.warmup', options.warmup ?? 10, 1);
    this.learnFromAnomalies = options.learnFromAnomalies ?? true;
    const emit = options.emit === undefined ? null : checkFunction('options.emit', options.emit);
    this.emitAnomaly = emit ?? ((anomaly) => this.queue.push(anomaly));
  }

  /** Scores one value against its key's moving statistics, then updates them. */
  push(event: E): void {
    const value = this.valueOf(event);
    if (typeof value !== 'number' || !Number.isFinite(value))
      invalidArgument('value', 'a finite number', value);
    const timestamp = this.timestampOf === null ? this.arrival : this.timestampOf(event);
    this.arrival += 1;
    const key = this.keyOf(event);
    let moments = this.keys.get(key);
    if (moments === undefined) {
      this.keys.set(key, { count: 1, mean: value, variance: 0 });
      return;
    }

    const spread = Math.sqrt(moments.variance);
    const deviation = value - moments.mean;
    // A flat history has no spread, so any change from it is infinitely far in z-score terms.
    let score = 0;
    if (spread > 0) score = deviation / spread;
    else if (deviation !== 0) score = Math.sign(deviation) * Number.POSITIVE_INFINITY;
    const anomalous = moments.count >= this.warmup && Math.abs(score) >= this.threshold;
    if (anomalous) {
      this.emitAnomaly({
        type: 'anomaly',
        detector: 'ewma',
        key,
        timestamp,
        value,
        score,
        threshold: this.threshold,
        expected: moments.mean,
        spread,
        event,
      });
    }
    if (anomalous && !this.learnFromAnomalies) return;

    // Incremental EWMA of mean and variance (Finch, "Incremental calculation of weighted mean
    // and variance", 2009).
    const increment = this.alpha * deviation;
    moments = this.keys.get(key)!;
    moments.mean += increment;
    moments.variance = (1 - this.alpha) * (moments.variance + deviation * increment);
    moments.count += 1;
  }

  /** Feeds every event of `events`, in order. */
  pushAll(events: Iterable<E>): void {
    for (const event of events) this.push(event);
  }

  /** Returns and clears the queued anomalies (when no `emit` was given). */
  drain(): Anomaly<E>[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Returns the moving mean and standard deviation of `key`, or undefined before its first value. */
  statistics(key: CepKey): { count: number; mean: number; stdDev: number } | undefined {
    const moments = this.keys.get(key);
    if (moments === undefined) return undefined;
    return { count: moments.count, mean: moments.mean, stdDev: Math.sqrt(moments.variance) };
  }

  /** Returns the detector's state as plain data. */
  snapshot(): EwmaSnapshot {
    const keys: EwmaSnapshot['keys'] = [];
    for (const [key, moments] of this.keys)
      keys.push([key, moments.count, moments.mean, moments.variance]);
    return { format: 'starweave.ewma', version: 1, arrival: this.arrival, keys };
  }

  /** Replaces the state with one from `snapshot()`. */
  restore(snapshot: EwmaSnapshot): void {
    if (snapshot?.format !== 'starweave.ewma' || snapshot.version !== 1) {
      invalidArgument('snapshot', 'a version 1 EWMA detector snapshot', snapshot?.format);
    }
    this.arrival = snapshot.arrival;
    this.keys = new Map(
      snapshot.keys.map(([key, count, mean, variance]) => [key, { count, mean, variance }]),
    );
  }
}
