/**
 * Joins the period reports of all partitions into one result per period, in a form that does
 * not depend on how many partitions there were: hours sorted by time and airport, alerts in
 * {@link compareAlerts} order, counts summed.
 */
import { StarweaveError } from '@starweave/actors';
import type { PeriodReport } from './airport-monitor.js';
import { type Alert, compareAlerts } from './alert.js';
import { type Calibration, emptyCalibration, mergeCalibration } from './calibration.js';
import type { AirportHour } from './hourly.js';

/** The joined findings of every partition for one period. */
export interface PeriodResult {
  readonly from: number;
  readonly to: number;
  readonly final: boolean;
  readonly flights: number;
  readonly hours: AirportHour[];
  readonly alerts: Alert[];
  readonly calibration: Calibration;
}

/** The reports of one period received so far, by partition. */
type Pending = Array<PeriodReport | null>;

/** The state of a {@link PeriodAssembler} as plain data. */
export interface AssemblerSnapshot {
  readonly partitions: number;
  readonly pending: Array<[to: number, reports: Pending]>;
}

/**
 * Collects period reports, which each partition sends in period order, and returns a period's
 * result once every partition has reported it.
 */
export class PeriodAssembler {
  private pending = new Map<number, Pending>();

  constructor(readonly partitions: number) {}

  /** Adds one report; returns the periods it completed, oldest first. */
  add(report: PeriodReport): PeriodResult[] {
    let reports = this.pending.get(report.to);
    if (reports === undefined) {
      reports = new Array<PeriodReport | null>(this.partitions).fill(null);
      this.pending.set(report.to, reports);
    }
    if (reports[report.partition] !== null) {
      throw new StarweaveError(
        'ERR_PROTOCOL',
        `partition ${report.partition} reported the period ending ${report.to} twice; each partition reports each period once, in order.`,
      );
    }
    reports[report.partition] = report;
    if (reports.some((entry) => entry === null)) return [];
    this.pending.delete(report.to);
    return [join(reports as PeriodReport[])];
  }

  /** Returns how many periods wait for a partition's report. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Returns the assembler's state as plain data for a checkpoint. */
  snapshot(): AssemblerSnapshot {
    return { partitions: this.partitions, pending: [...this.pending] };
  }

  /** Continues from a snapshot that {@link snapshot} returned. */
  restore(snapshot: AssemblerSnapshot): void {
    this.pending = new Map(snapshot.pending);
  }
}

/** Joins the reports of all partitions for one period. */
export function join(reports: readonly PeriodReport[]): PeriodResult {
  const first = reports[0]!;
  const calibration = emptyCalibration();
  let flights = 0;
  const hours: AirportHour[] = [];
  const alerts: Alert[] = [];
  for (const report of reports) {
    flights += report.flights;
    hours.push(...report.hours);
    alerts.push(...report.alerts);
    mergeCalibration(calibration, report.calibration);
  }
  hours.sort((a, b) => a.hour - b.hour || (a.airport < b.airport ? -1 : 1));
  alerts.sort(compareAlerts);
  return {
    from: first.from,
    to: first.to,
    final: reports.some((report) => report.final),
    flights,
    hours,
    alerts,
    calibration,
  };
}
