/**
 * Hourly delay statistics per origin airport (a tumbling window with percentiles) and the
 * anomaly rule on them: an EWMA z-score of each airport's hourly mean delay.
 */
import type { Anomaly, WindowResult } from '@starweave/patterns';
import { HOUR_MS } from '../data/flight.js';
import type { Alert } from './alert.js';

/** The settings of the hourly statistics and their anomaly detector. */
export const HOURLY = {
  /** The percentiles reported per airport and hour. */
  percentiles: [0.5, 0.9, 0.99],
  /** Hours with fewer departures are reported but not fed to the detector. */
  minFlights: 10,
  /** The weight of each new hour in the moving mean and variance. */
  alpha: 0.1,
  /** The z-score at which an hour is anomalous. */
  threshold: 3,
  /** Hours an airport must have seen before it can be flagged. */
  warmup: 24,
} as const;

/** The delay statistics of one origin airport in one hour. */
export interface AirportHour {
  readonly airport: string;
  /** Start of the hour, in epoch milliseconds. */
  readonly hour: number;
  /** Departures in the hour. */
  readonly flights: number;
  /** Arrival delays in minutes. */
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Rounds minutes to hundredths, so that stored statistics stay short. */
function round(value: number | undefined): number {
  return Math.round((value ?? Number.NaN) * 100) / 100;
}

/** Turns a window result into the statistics of one airport and hour. */
export function airportHour(result: WindowResult): AirportHour {
  return {
    airport: String(result.key),
    hour: result.start,
    flights: result.count,
    mean: round(result.mean),
    p50: round(result.percentiles.p50),
    p90: round(result.percentiles.p90),
    p99: round(result.percentiles.p99),
    max: result.max,
  };
}

/**
 * Turns an anomaly of an airport's hourly mean delay into an alert, or returns undefined for a
 * mean below the expected one: an hour that went better than usual raises nothing.
 */
export function delayAnomalyAlert(anomaly: Anomaly<AirportHour>): Alert | undefined {
  if (anomaly.value <= anomaly.expected) return undefined;
  const { airport, hour } = anomaly.event;
  return {
    kind: 'delay-anomaly',
    id: `delay-anomaly:${airport}:${hour}`,
    airport,
    at: hour + HOUR_MS,
    start: hour,
    offsets: [],
    delays: [anomaly.value],
    score: Math.round(anomaly.score * 100) / 100,
    expected: Math.round(anomaly.expected * 100) / 100,
  };
}
