/**
 * The anomaly events that the online detectors emit, and the options they share.
 */
import type { CepKey } from '../cep/types.js';

/** An observation that a detector flagged. */
export interface Anomaly<E> {
  readonly type: 'anomaly';
  /** The detector that flagged it. */
  readonly detector: 'ewma' | 'rateOfChange';
  readonly key: CepKey;
  /** Event time (or arrival number without a timestamp function) of the observation. */
  readonly timestamp: number;
  /** The observed value. */
  readonly value: number;
  /** The z-score (ewma) or the rate of change per second (rateOfChange). */
  readonly score: number;
  /** The threshold that `score` crossed. */
  readonly threshold: number;
  /** The expected value: the moving mean (ewma) or the previous value (rateOfChange). */
  readonly expected: number;
  /** The moving standard deviation (ewma) or the time since the previous value in ms. */
  readonly spread: number;
  /** The event that carried the value. */
  readonly event: E;
}

/** Options shared by the detectors. */
export interface DetectorOptions<E> {
  /** Returns the key of an event (default: one key, `''`). */
  key?: (event: E) => CepKey;
  /** Returns the value to watch. */
  value: (event: E) => number;
  /** Returns the event time in milliseconds (default: the arrival number). */
  timestamp?: (event: E) => number;
  /** Receives each anomaly; without it, anomalies queue until `drain()`. */
  emit?: (anomaly: Anomaly<E>) => void;
}
