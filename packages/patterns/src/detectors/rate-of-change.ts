/**
 * An online detector per key that flags a value whose change from the key's previous value,
 * per second of event time, exceeds a bound.
 */

import { invalidArgument } from '@starweave/actors';
import type { CepKey } from '../cep/types.js';
import { checkFunction, checkOneOf, checkPositive } from '../internal/check.js';
import type { Anomaly, DetectorOptions } from './anomaly.js';

/** Options of {@link RateOfChangeDetector}; without `timestamp`, arrivals are one second apart. */
export interface RateOfChangeDetectorOptions<E> extends DetectorOptions<E> {
  /** The largest change per second that is normal. */
  maxRatePerSecond: number;
  /** The changes to flag: rises, falls or both (default `'both'`). */
  direction?: 'up' | 'down' | 'both';
}

/** The per-key state as plain data: key, previous value, previous time. */
export type RateOfChangeSnapshot = {
  format: 'starweave.rate-of-change';
  version: 1;
  arrival: number;
  outOfOrder: number;
  keys: [CepKey, number, number][];
};

/**
 * Flags values that rise or fall faster than a bound.
 *
 * @example
 * ```ts
 * import { RateOfChangeDetector } from '@starweave/patterns';
 *
 * const detector = new RateOfChangeDetector<{ at: number; celsius: number }>({
 *   value: (r) => r.celsius,
 *   timestamp: (r) => r.at,
 *   maxRatePerSecond: 2,
 * });
 * detector.pushAll([{ at: 0, celsius: 20 }, { at: 1_000, celsius: 21 }, { at: 2_000, celsius: 30 }]);
 * console.assert(detector.drain().map((anomaly) => anomaly.score).join() === '9');
 * ```
 */
export class RateOfChangeDetector<E> {
  private readonly keyOf: (event: E) => CepKey;
  private readonly valueOf: (event: E) => number;
  private readonly timestampOf: ((event: E) => number) | null;
  private readonly maxRate: number;
  private readonly direction: 'up' | 'down' | 'both';
  private readonly emitAnomaly: (anomaly: Anomaly<E>) => void;
  private readonly queue: Anomaly<E>[] = [];
  private keys = new Map<CepKey, { value: number; time: number }>();
  private arrival = 0;
  private outOfOrder = 0;

  constructor(options: RateOfChangeDetectorOptions<E>) {
    this.keyOf = options.key === undefined ? () => '' : checkFunction('options.key', options.key);
    this.valueOf = checkFunction('options.value', options.value);
    this.timestampOf =
      options.timestamp === undefined
        ? null
        : checkFunction('options.timestamp', options.timestamp);
    this.maxRate = checkPositive('options.maxRatePerSecond', options.maxRatePerSecond);
    this.direction = checkOneOf('options.direction', options.direction ?? 'both', [
      'up',
      'down',
      'both',
    ]);
    const emit = options.emit === undefined ? null : checkFunction('options.emit', options.emit);
    this.emitAnomaly = emit ?? ((anomaly) => this.queue.push(anomaly));
  }

  /**
   * Compares one value with its key's previous one. A value whose time is not after the
   * previous one has no rate: it is counted in `outOfOrderCount()` and skipped.
   */
  push(event: E): void {
    const value = this.valueOf(event);
    if (typeof value !== 'number' || !Number.isFinite(value))
      invalidArgument('value', 'a finite number', value);
    const time = this.timestampOf === null ? this.arrival * 1000 : this.timestampOf(event);
    this.arrival += 1;
    const key = this.keyOf(event);
    const previous = this.keys.get(key);
    if (previous === undefined) {
      this.keys.set(key, { value, time });
      return;
    }
    if (!(time > previous.time)) {
      this.outOfOrder += 1;
      return;
    }

    const elapsed = time - previous.time;
    const rate = ((value - previous.value) * 1000) / elapsed;
    const flagged =
      (this.direction !== 'down' && rate > this.maxRate) ||
      (this.direction !== 'up' && rate < -this.maxRate);
    if (flagged) {
      this.emitAnomaly({
        type: 'anomaly',
        detector: 'rateOfChange',
        key,
        timestamp: time,
        value,
        score: rate,
        threshold: this.maxRate,
        expected: previous.value,
        spread: elapsed,
        event,
      });
    }
    previous.value = value;
    previous.time = time;
  }

  /** Feeds every event of `events`, in order. */
  pushAll(events: Iterable<E>): void {
    for (const event of events) this.push(event);
  }

  /** Returns and clears the queued anomalies (when no `emit` was given). */
  drain(): Anomaly<E>[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Returns how many values were skipped because their time was not after the previous one. */
  outOfOrderCount(): number {
    return this.outOfOrder;
  }

  /** Returns the detector's state as plain data. */
  snapshot(): RateOfChangeSnapshot {
    const keys: RateOfChangeSnapshot['keys'] = [];
    for (const [key, previous] of this.keys) keys.push([key, previous.value, previous.time]);
    return {
      format: 'starweave.rate-of-change',
      version: 1,
      arrival: this.arrival,
      outOfOrder: this.outOfOrder,
      keys,
    };
  }

  /** Replaces the state with one from `snapshot()`. */
  restore(snapshot: RateOfChangeSnapshot): void {
    if (snapshot?.format !== 'starweave.rate-of-change' || snapshot.version !== 1) {
      invalidArgument('snapshot', 'a version 1 rate-of-change detector snapshot', snapshot?.format);
    }
    this.arrival = snapshot.arrival;
    this.outOfOrder = snapshot.outOfOrder;
    this.keys = new Map(snapshot.keys.map(([key, value, time]) => [key, { value, time }]));
  }
}
