/**
 * The detection state of one partition of airports: the delay wave and rising route patterns,
 * the hourly windows and the anomaly detector, fed flight by flight and closed period by period
 * at the hour ticks of the source. Plain data in and out, so a stage and a plain loop run it
 * alike, and its whole state is saved in checkpoints.
 */
import {
  type Anomaly,
  CepEngine,
  type CepOutput,
  type CepSnapshot,
  EwmaDetector,
  type EwmaSnapshot,
  WindowAggregator,
  type WindowOutput,
  type WindowSnapshot,
} from '@starweave/patterns';
import { type Flight, HOUR_MS, routeOf } from '../data/flight.js';
import { type Alert, compareAlerts } from './alert.js';
import { addScore, type Calibration, emptyCalibration } from './calibration.js';
import { delayWaveAlert, delayWavePattern } from './delay-wave.js';
import { type AirportHour, airportHour, delayAnomalyAlert, HOURLY } from './hourly.js';
import { routeRiseAlert, routeRisePattern } from './route-rise.js';

/** The findings of one partition in one period between two hour ticks. */
export interface PeriodReport {
  readonly partition: number;
  /** Start of the period (an hour boundary), in epoch milliseconds. */
  readonly from: number;
  /** End of the period, exclusive (the tick's hour boundary). */
  readonly to: number;
  /** True for the last period, after which the input ended. */
  readonly final: boolean;
  /** Departures processed in the period. */
  readonly flights: number;
  /** Statistics of every airport-hour that ended in the period. */
  readonly hours: AirportHour[];
  /** Alerts raised in the period, in {@link compareAlerts} order. */
  readonly alerts: Alert[];
  /** Calibration counts of the flights scored in the period. */
  readonly calibration: Calibration;
}

/** The state of an {@link AirportMonitor} as plain data. */
export interface MonitorSnapshot {
  readonly delayWave: CepSnapshot;
  readonly routeRise: CepSnapshot;
  readonly windows: WindowSnapshot;
  readonly anomalies: EwmaSnapshot;
  readonly flights: number;
  readonly alerts: Alert[];
  readonly calibration: Calibration;
}

type Timestamped = (flight: Flight) => number;
const timeOf: Timestamped = (flight) => flight.time;

/** Runs the monitor's rules over the departures of some airports. */
export class AirportMonitor {
  private readonly delayWave: CepEngine<Flight, { late: Flight }>;
  private readonly routeRise: CepEngine<Flight, { first: Flight; rising: Flight }>;
  private readonly windows: WindowAggregator<Flight>;
  private readonly anomalies: EwmaDetector<AirportHour>;
  private alerts: Alert[] = [];
  private hours: AirportHour[] = [];
  private flights = 0;
  private calibration: Calibration = emptyCalibration();

  constructor(readonly partition: number) {
    // Arrival time: the source sends each partition its flights in time order, so the
    // engines need no reordering buffer; ticks move their clocks between flights.
    this.delayWave = new CepEngine(delayWavePattern(), {
      key: (flight) => flight.origin,
      timestamp: timeOf,
      time: 'arrival',
      emit: (output) => this.onDelayWave(output),
    });
    this.routeRise = new CepEngine(routeRisePattern(), {
      key: routeKey,
      timestamp: timeOf,
      time: 'arrival',
      emit: (output) => this.onRouteRise(output),
    });
    this.windows = new WindowAggregator<Flight>({
      key: (flight) => flight.origin,
      timestamp: timeOf,
      value: (flight) => flight.delay,
      window: { type: 'tumbling', sizeMs: HOUR_MS },
      percentiles: HOURLY.percentiles,
      emit: (output) => this.onWindow(output),
    });
    this.anomalies = new EwmaDetector<AirportHour>({
      key: (hour) => hour.airport,
      value: (hour) => hour.mean,
      timestamp: (hour) => hour.hour,
      alpha: HOURLY.alpha,
      threshold: HOURLY.threshold,
      warmup: HOURLY.warmup,
      emit: (anomaly) => this.onAnomaly(anomaly),
    });
  }

  /** Feeds one departure, which must not be older than the flights and ticks before it. */
  push(flight: Flight): void {
    this.flights += 1;
    this.delayWave.push(flight);
    this.routeRise.push(flight);
    this.windows.push(flight);
  }

  /** Counts the model's score of a flight in the calibration of the current period. */
  addScore(flight: Flight, score: number): void {
    addScore(this.calibration, flight, score);
  }

  /**
   * Closes the period `[from, to)`: every departure before `to` has been pushed. Fires the
   * pattern windows and the hourly windows that end by `to`, and returns what the period found.
   */
  tick(from: number, to: number): PeriodReport {
    this.delayWave.advanceWatermark(to);
    this.routeRise.advanceWatermark(to);
    this.windows.advanceWatermark(to);
    return this.report(from, to, false);
  }

  /**
   * Closes the last period `[from, to)` and ends the input: the patterns complete what no later
   * flight can change (an absence window with no on-time flight after it) and drop the rest.
   */
  finish(from: number, to: number): PeriodReport {
    this.windows.advanceWatermark(to);
    this.delayWave.close();
    this.routeRise.close();
    return this.report(from, to, true);
  }

  /** Returns the monitor's state as plain data for a checkpoint. */
  snapshot(): MonitorSnapshot {
    return {
      delayWave: this.delayWave.snapshot(),
      routeRise: this.routeRise.snapshot(),
      windows: this.windows.snapshot(),
      anomalies: this.anomalies.snapshot(),
      flights: this.flights,
      alerts: this.alerts,
      calibration: this.calibration,
    };
  }

  /** Continues from a snapshot that {@link snapshot} returned. */
  restore(snapshot: MonitorSnapshot): void {
    this.delayWave.restore(snapshot.delayWave);
    this.routeRise.restore(snapshot.routeRise);
    this.windows.restore(snapshot.windows);
    this.anomalies.restore(snapshot.anomalies);
    this.flights = snapshot.flights;
    this.alerts = [...snapshot.alerts];
    this.calibration = [...snapshot.calibration];
  }

  private report(from: number, to: number, final: boolean): PeriodReport {
    // The window aggregator fires hours in timer order; sort them so the report is the same
    // whichever airports share this partition.
    const hours = this.hours.sort((a, b) => a.hour - b.hour || (a.airport < b.airport ? -1 : 1));
    const report: PeriodReport = {
      partition: this.partition,
      from,
      to,
      final,
      flights: this.flights,
      hours,
      alerts: this.alerts.sort(compareAlerts),
      calibration: this.calibration,
    };
    this.hours = [];
    this.alerts = [];
    this.flights = 0;
    this.calibration = emptyCalibration();
    return report;
  }

  private onDelayWave(output: CepOutput<Flight, { late: Flight }>): void {
    if (output.type === 'match') this.alerts.push(delayWaveAlert(output));
  }

  private onRouteRise(output: CepOutput<Flight, { first: Flight; rising: Flight }>): void {
    if (output.type === 'match') this.alerts.push(routeRiseAlert(output));
  }

  private onWindow(output: WindowOutput<Flight>): void {
    if (output.type !== 'window') return;
    const hour = airportHour(output);
    this.hours.push(hour);
    if (hour.flights >= HOURLY.minFlights) this.anomalies.push(hour);
  }

  private onAnomaly(anomaly: Anomaly<AirportHour>): void {
    const alert = delayAnomalyAlert(anomaly);
    if (alert !== undefined) this.alerts.push(alert);
  }
}

// Route strings, built once per route instead of once per flight.
const routeKeys = new Map<string, Map<string, string>>();

function routeKey(flight: Flight): string {
  let byDestination = routeKeys.get(flight.origin);
  if (byDestination === undefined) {
    byDestination = new Map();
    routeKeys.set(flight.origin, byDestination);
  }
  let route = byDestination.get(flight.destination);
  if (route === undefined) {
    route = routeOf(flight);
    byDestination.set(flight.destination, route);
  }
  return route;
}
