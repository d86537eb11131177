/**
 * The result counts of a run: what the sink adds up period by period, and what a check pass
 * must reproduce.
 */
import { ALERT_KINDS, type AlertKind } from '../detect/alert.js';
import type { PeriodResult } from '../detect/period-assembler.js';

/** The results of a run. */
export interface RunTotals {
  /** Departures processed. */
  flights: number;
  /** Airport-hours with statistics. */
  airportHours: number;
  /** Hour events journaled (every hour from the first day's midnight to the last hour). */
  hours: number;
  alerts: Record<AlertKind, number>;
  /** Event time of the end of the last period. */
  endTime: number;
}

/** Returns totals with nothing counted. */
export function emptyTotals(): RunTotals {
  const alerts = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, 0])) as Record<
    AlertKind,
    number
  >;
  return { flights: 0, airportHours: 0, hours: 0, alerts, endTime: 0 };
}

/** Returns `totals` with one more period counted; `hours` is the hour events written so far. */
export function countPeriod(totals: RunTotals, result: PeriodResult, hours: number): RunTotals {
  const alerts = { ...totals.alerts };
  for (const alert of result.alerts) alerts[alert.kind] += 1;
  return {
    flights: totals.flights + result.flights,
    airportHours: totals.airportHours + result.hours.length,
    hours,
    alerts,
    endTime: result.to,
  };
}

/** Returns the number of alerts of every kind. */
export function alertCount(totals: RunTotals): number {
  return Object.values(totals.alerts).reduce((sum, count) => sum + count, 0);
}
