/**
 * The report's charts as vega-lite specs, built from the journaled results.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ALERT_KINDS } from '../detect/alert.js';
import { CALIBRATION_BINS, CALIBRATION_GROUPS, type Calibration } from '../detect/calibration.js';
import { HOURLY } from '../detect/hourly.js';
import type { AlertEvent, HourEvent } from '../store/journal-layout.js';

const FONT = 'DejaVu Sans';

/** Text sizes that stay readable when the PNG is shown at half its pixel size. */
const CONFIG = {
  font: FONT,
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 13 },
  header: { labelFontSize: 13, titleFontSize: 13 },
  title: { fontSize: 16, anchor: 'start' as const, subtitleFontSize: 12 },
  view: { stroke: null },
};

/** Returns the `count` origin airports with the most departures. */
export function busiestAirports(hours: readonly HourEvent[], count: number): string[] {
  const flights = new Map<string, number>();
  for (const hour of hours) {
    for (const airport of hour.airports) {
      flights.set(airport.airport, (flights.get(airport.airport) ?? 0) + airport.flights);
    }
  }
  return [...flights]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([airport]) => airport);
}

/**
 * Returns the chart of the hourly mean arrival delay of the busiest airports, one panel each,
 * with the hours that the anomaly detector flagged marked in red.
 */
export function delayByHourChart(
  hours: readonly HourEvent[],
  alerts: readonly AlertEvent[],
  airports: readonly string[],
): TopLevelSpec {
  const flagged = new Set(
    alerts
      .filter((alert) => alert.kind === 'delay-anomaly')
      .map((alert) => `${alert.airport}@${alert.start}`),
  );
  const wanted = new Set(airports);
  const values: Array<Record<string, unknown>> = [];
  for (const hour of hours) {
    for (const airport of hour.airports) {
      // Hours with few departures swing widely and the detector does not judge them.
      if (!wanted.has(airport.airport) || airport.flights < HOURLY.minFlights) continue;
      values.push({
        airport: airport.airport,
        hour: hour.hour,
        mean: airport.mean,
        flights: airport.flights,
        anomaly: flagged.has(`${airport.airport}@${hour.hour}`),
      });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Hourly mean arrival delay at the busiest origin airports',
      subtitle: [
        `Hours with at least ${HOURLY.minFlights} departures. Red points: hours that the EWMA z-score`,
        `detector flagged (z >= ${HOURLY.threshold} above the airport's moving mean of hourly means).`,
      ],
    },
    data: { values },
    facet: { row: { field: 'airport', type: 'nominal', sort: [...airports], title: null } },
    spec: {
      width: 1000,
      height: 110,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 0.8, color: '#4c78a8' },
          encoding: {
            x: { field: 'hour', type: 'temporal', title: 'hour (UTC as recorded)' },
            y: { field: 'mean', type: 'quantitative', title: 'mean delay (min)' },
          },
        },
        {
          transform: [{ filter: 'datum.anomaly' }],
          mark: { type: 'point', filled: true, size: 28, color: '#d62728' },
          encoding: {
            x: { field: 'hour', type: 'temporal' },
            y: { field: 'mean', type: 'quantitative' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Returns the chart of alerts per day, stacked by kind. */
export function alertsPerDayChart(alerts: readonly AlertEvent[]): TopLevelSpec {
  const counts = new Map<string, number>();
  for (const alert of alerts) {
    const day = new Date(alert.at).toISOString().slice(0, 10);
    const key = `${day}|${alert.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const values = [...counts].map(([key, count]) => {
    const [day, kind] = key.split('|');
    return { day, kind, count };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Alerts per day', subtitle: 'By the day the alert became certain' },
    data: { values },
    width: 1000,
    height: 260,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'day', type: 'temporal', timeUnit: 'utcyearmonthdate', title: 'day' },
      y: { field: 'count', type: 'quantitative', stack: 'zero', title: 'alerts' },
      color: {
        field: 'kind',
        type: 'nominal',
        scale: { domain: [...ALERT_KINDS], range: ['#d62728', '#ff7f0e', '#4c78a8'] },
        title: 'kind',
      },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Sums the calibration counts of every hour event that carries them. */
export function totalCalibration(hours: readonly HourEvent[]): Calibration | null {
  let total: Calibration | null = null;
  for (const hour of hours) {
    if (hour.calibration === undefined) continue;
    total ??= new Array(hour.calibration.length).fill(0);
    for (let i = 0; i < total.length; i++) total[i]! += hour.calibration[i] ?? 0;
  }
  return total;
}

/** Returns the rows of a calibration table: per group and bin, mean score and delayed share. */
export function calibrationRows(calibration: Calibration) {
  const rows = [];
  for (let group = 0; group < CALIBRATION_GROUPS.length; group++) {
    for (let bin = 0; bin < CALIBRATION_BINS; bin++) {
      const at = (group * CALIBRATION_BINS + bin) * 3;
      const flights = calibration[at]!;
      if (flights === 0) continue;
      rows.push({
        group: CALIBRATION_GROUPS[group]!,
        bin,
        flights,
        predicted: calibration[at + 1]! / flights,
        observed: calibration[at + 2]! / flights,
      });
    }
  }
  return rows;
}

/** Returns the calibration chart: the share of flights delayed per bin of predicted score. */
export function calibrationChart(calibration: Calibration): TopLevelSpec {
  const values = calibrationRows(calibration);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Delay model calibration',
      subtitle: 'Share of flights delayed over 15 minutes per bin of predicted probability',
    },
    width: 420,
    height: 420,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', color: '#999999', strokeDash: [4, 4] },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: 'predicted probability (bin mean)',
          },
          y: {
            field: 'y',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: 'observed share delayed',
          },
        },
      },
      {
        data: { values },
        mark: { type: 'line', point: { size: 60, filled: true } },
        encoding: {
          x: { field: 'predicted', type: 'quantitative' },
          y: { field: 'observed', type: 'quantitative' },
          color: {
            field: 'group',
            type: 'nominal',
            title: 'flights',
            sort: [...CALIBRATION_GROUPS],
          },
          tooltip: [{ field: 'flights', type: 'quantitative' }],
        },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}
