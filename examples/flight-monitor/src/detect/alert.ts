/**
 * The alerts the monitor raises, as plain data that the codec stores and the report reads.
 */

/** What an alert is about. */
export type AlertKind = 'delay-wave' | 'route-rise' | 'delay-anomaly';

/** Every alert kind, in the order reports list them. */
export const ALERT_KINDS: readonly AlertKind[] = ['delay-wave', 'route-rise', 'delay-anomaly'];

/** One alert. */
export interface Alert {
  readonly kind: AlertKind;
  /**
   * A key derived from the data alone, unique per alert: the kind, the airport or route, and
   * the offset of the first flight involved (or the hour, for an anomaly).
   */
  readonly id: string;
  /** The origin airport. */
  readonly airport: string;
  /** `ORIGIN-DESTINATION` for a route alert. */
  readonly route?: string;
  /** Event time at which the alert became certain, in epoch milliseconds. */
  readonly at: number;
  /** Event time of the first flight or hour involved. */
  readonly start: number;
  /** Offsets (file positions) of the flights involved; empty for an anomaly. */
  readonly offsets: readonly number[];
  /** Arrival delays of those flights in minutes, or the hourly mean delay of an anomaly. */
  readonly delays: readonly number[];
  /** The z-score of an anomaly. */
  readonly score?: number;
  /** The expected hourly mean delay of an anomaly. */
  readonly expected?: number;
}

/** Orders alerts by time, then kind and id, so that any grouping of them sorts the same way. */
export function compareAlerts(a: Alert, b: Alert): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
