/**
 * The layout of results in the journal. Keys derive from the data alone, so a replayed period
 * writes the same events at the same positions. Hourly statistics go to one journal per day
 * (`hours-YYYY-MM-DD`, sequence number = hour of day + 1), and alerts to another
 * (`alerts-YYYY-MM-DD`, numbered in alert order within the day).
 */
import { dayOf, HOUR_MS, hourStart } from '../data/flight.js';
import type { Alert } from '../detect/alert.js';
import type { Calibration } from '../detect/calibration.js';
import type { AirportHour } from '../detect/hourly.js';
import type { PeriodResult } from '../detect/period-assembler.js';

/** One event to journal at a position the data decides. */
export interface JournalWrite {
  readonly persistenceId: string;
  readonly seq: number;
  readonly payload: StoredHourEvent | AlertEvent;
  readonly tags: readonly string[];
}

/** The statistics of one hour, for every airport with departures in it. */
export interface HourEvent {
  readonly type: 'hour';
  /** Start of the hour, in epoch milliseconds. */
  readonly hour: number;
  readonly flights: number;
  readonly airports: AirportHour[];
  /** Calibration counts of the period that ended with this hour, if flights were scored. */
  readonly calibration?: Calibration;
}

/**
 * An hour event as the journal stores it: the airports' statistics as one float64 array of
 * {@link STAT_COLUMNS} per airport, which the codec writes as one block instead of a map per
 * airport (the journal's encoding cost then stays small beside the pipeline's).
 */
export interface StoredHourEvent {
  readonly type: 'hour';
  readonly hour: number;
  readonly flights: number;
  readonly airports: string[];
  readonly stats: Float64Array;
  readonly calibration?: Calibration;
}

/** The columns of {@link StoredHourEvent.stats}, in order. */
export const STAT_COLUMNS = ['flights', 'mean', 'p50', 'p90', 'p99', 'max'] as const;

/** Packs an hour event for the journal. */
export function storeHourEvent(event: HourEvent): StoredHourEvent {
  const width = STAT_COLUMNS.length;
  const stats = new Float64Array(event.airports.length * width);
  const airports: string[] = new Array(event.airports.length);
  for (let row = 0; row < event.airports.length; row++) {
    const airport = event.airports[row]!;
    const at = row * width;
    airports[row] = airport.airport;
    stats[at] = airport.flights;
    stats[at + 1] = airport.mean;
    stats[at + 2] = airport.p50;
    stats[at + 3] = airport.p90;
    stats[at + 4] = airport.p99;
    stats[at + 5] = airport.max;
  }
  const { calibration } = event;
  return {
    type: 'hour',
    hour: event.hour,
    flights: event.flights,
    airports,
    stats,
    ...(calibration === undefined ? {} : { calibration }),
  };
}

/** Unpacks an hour event read from the journal. */
export function loadHourEvent(stored: StoredHourEvent): HourEvent {
  const width = STAT_COLUMNS.length;
  const airports = stored.airports.map((airport, row): AirportHour => {
    const at = row * width;
    const [flights, mean, p50, p90, p99, max] = stored.stats.subarray(at, at + width);
    return {
      airport,
      hour: stored.hour,
      flights: flights!,
      mean: mean!,
      p50: p50!,
      p90: p90!,
      p99: p99!,
      max: max!,
    };
  });
  const { calibration } = stored;
  return {
    type: 'hour',
    hour: stored.hour,
    flights: stored.flights,
    airports,
    ...(calibration === undefined ? {} : { calibration }),
  };
}

/** A journaled alert. */
export type AlertEvent = Alert & { readonly type: 'alert' };

/** The tag of hour events. */
export const HOUR_TAG = 'hour';

/** The tag of alert events. */
export const ALERT_TAG = 'alert';

const DAY_MS = 24 * HOUR_MS;

/** The state of a {@link JournalLayout} as plain data. */
export interface LayoutSnapshot {
  /** The next hour to write, or null before the first period. */
  readonly nextHour: number | null;
  /** Hour events written so far. */
  readonly hours: number;
  /** The day of the last alert written, and its sequence number. */
  readonly alertDay: string;
  readonly alertSeq: number;
}

/** Turns period results, in order, into journal writes. */
export class JournalLayout {
  private state: LayoutSnapshot = { nextHour: null, hours: 0, alertDay: '', alertSeq: 0 };

  /**
   * Returns the writes of one period: an event for each hour of the period, then its alerts,
   * filed under the day of the period's last hour. The first period also writes the hours of
   * its day before it, so that every day's numbering starts at its midnight.
   */
  writes(result: PeriodResult, scored: boolean): JournalWrite[] {
    const writes: JournalWrite[] = [];
    const lastHour = result.to - HOUR_MS;
    let hour = this.state.nextHour ?? Math.floor(result.from / DAY_MS) * DAY_MS;
    const byHour = groupByHour(result.hours);
    for (; hour <= lastHour; hour += HOUR_MS) {
      const airports = byHour.get(hour) ?? [];
      let flights = 0;
      for (const airport of airports) flights += airport.flights;
      const event: HourEvent = {
        type: 'hour',
        hour,
        flights,
        airports,
        ...(scored && hour === lastHour ? { calibration: result.calibration } : {}),
      };
      writes.push({
        persistenceId: `hours-${dayOf(hour)}`,
        seq: (hour - Math.floor(hour / DAY_MS) * DAY_MS) / HOUR_MS + 1,
        payload: storeHourEvent(event),
        tags: [HOUR_TAG],
      });
    }

    const day = dayOf(hourStart(lastHour));
    let { alertDay, alertSeq } = this.state;
    for (const alert of result.alerts) {
      if (day !== alertDay) {
        alertDay = day;
        alertSeq = 0;
      }
      alertSeq += 1;
      writes.push({
        persistenceId: `alerts-${day}`,
        seq: alertSeq,
        payload: { ...alert, type: 'alert' },
        tags: [ALERT_TAG],
      });
    }
    const hours = this.state.hours + writes.length - result.alerts.length;
    this.state = {
      nextHour: Math.max(hour, this.state.nextHour ?? hour),
      hours,
      alertDay,
      alertSeq,
    };
    return writes;
  }

  /** Returns the layout's state as plain data for a checkpoint. */
  snapshot(): LayoutSnapshot {
    return this.state;
  }

  /** Continues from a snapshot that {@link snapshot} returned. */
  restore(snapshot: LayoutSnapshot): void {
    this.state = { ...snapshot };
  }
}

function groupByHour(hours: readonly AirportHour[]): Map<number, AirportHour[]> {
  const byHour = new Map<number, AirportHour[]>();
  for (const entry of hours) {
    const list = byHour.get(entry.hour);
    if (list === undefined) byHour.set(entry.hour, [entry]);
    else list.push(entry);
  }
  return byHour;
}
