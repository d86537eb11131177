/**
 * Writes the run's report: PNG plots rendered without a browser and an HTML page that shows
 * them with the run's figures, the supervision tree and the first alerts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../app/run-monitor.js';
import { ALERT_KINDS } from '../detect/alert.js';
import { alertCount } from '../pipeline/run-totals.js';
import type { AlertEvent } from '../store/journal-layout.js';
import {
  alertsPerDayChart,
  busiestAirports,
  calibrationChart,
  calibrationRows,
  delayByHourChart,
  totalCalibration,
} from './charts.js';
import { chartToPng } from './render-chart.js';

/** The files of a written report. */
export interface ReportFiles {
  readonly folder: string;
  readonly html: string;
  /** The PNG plots, first the delay-by-hour plot. */
  readonly plots: readonly string[];
}

/** A check of the run against a plain second pass over the records. */
export interface CheckOutcome {
  readonly passed: boolean;
  readonly lines: readonly string[];
}

/** Renders the plots and the HTML page into `folder`. */
export async function buildReport(
  result: RunResult,
  folder: string,
  check: CheckOutcome | null,
): Promise<ReportFiles> {
  mkdirSync(folder, { recursive: true });
  const { hours, alerts } = result.stored;
  const airports = busiestAirports(hours, 6);
  const calibration = totalCalibration(hours);

  const charts: Array<[string, string, TopLevelSpec]> = [
    [
      'delay-by-hour.png',
      'Hourly delay at the busiest airports',
      delayByHourChart(hours, alerts, airports),
    ],
    ['alerts-per-day.png', 'Alerts per day', alertsPerDayChart(alerts)],
  ];
  if (calibration !== null) {
    charts.push(['calibration.png', 'Delay model calibration', calibrationChart(calibration)]);
  }
  const plots: string[] = [];
  for (const [file, , spec] of charts) {
    const path = join(folder, file);
    writeFileSync(path, await chartToPng(spec));
    plots.push(path);
  }

  const html = join(folder, 'index.html');
  writeFileSync(
    html,
    page(result, charts, check, calibration === null ? null : calibrationRows(calibration)),
  );
  return { folder, html, plots };
}

function page(
  result: RunResult,
  charts: ReadonlyArray<[string, string, TopLevelSpec]>,
  check: CheckOutcome | null,
  calibration: ReturnType<typeof calibrationRows> | null,
): string {
  const { totals } = result;
  const seconds = result.pipelineMs / 1000;
  const figures: Array<[string, string]> = [
    ['records', totals.flights.toLocaleString('en-US')],
    ['airport-hours with statistics', totals.airportHours.toLocaleString('en-US')],
    ...ALERT_KINDS.map((kind): [string, string] => [
      `alerts: ${kind}`,
      totals.alerts[kind].toLocaleString('en-US'),
    ]),
    ['alerts in all', alertCount(totals).toLocaleString('en-US')],
    [
      'pipeline time',
      `${seconds.toFixed(1)} s (${Math.round(totals.flights / seconds).toLocaleString('en-US')} records/s)`,
    ],
    ['wall time from start', `${(result.wallMs / 1000).toFixed(1)} s`],
    ['peak resident memory', `${Math.round(result.peakRssBytes / 2 ** 20)} MiB`],
    ['restarts', describeRestarts(result.restarts)],
    ['chaos kills', result.kills.length === 0 ? 'none' : result.victims.join(', ')],
    ['journal writes skipped on replay', String(result.skippedWrites)],
    ['store', result.storeLocation],
  ];
  if (result.training !== null) {
    const t = result.training;
    figures.push([
      'delay model',
      `logistic regression on ${t.rows.toLocaleString('en-US')} January flights, ${(t.delayedShare * 100).toFixed(1)} % delayed; training AUC ${t.auc.toFixed(3)}, log loss ${t.logLoss.toFixed(3)}, ${t.seconds.toFixed(1)} s`,
    ]);
  }
  const rows = figures.map(
    ([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  const images = charts.map(
    ([file, alt]) => `<figure><img src="${file}" alt="${escapeHtml(alt)}" width="100%"></figure>`,
  );
  const checkHtml =
    check === null
      ? ''
      : `<h2>Check against a plain second pass</h2><p class="${check.passed ? 'ok' : 'bad'}">${check.passed ? 'Passed' : 'FAILED'}</p><pre>${escapeHtml(check.lines.join('\n'))}</pre>`;
  const calibrationHtml =
    calibration === null
      ? '<p>The run scored no flights (<code>--workers 0</code>).</p>'
      : table(
          ['flights', 'bin', 'count', 'mean predicted', 'observed delayed'],
          calibration.map((row) => [
            row.group,
            `${row.bin / 10}–${(row.bin + 1) / 10}`,
            row.flights.toLocaleString('en-US'),
            row.predicted.toFixed(3),
            row.observed.toFixed(3),
          ]),
        );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flight monitor report</title>
<style>
body { font-family: 'DejaVu Sans', sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
th { text-align: left; padding-right: 1.5em; font-weight: 600; }
td, th { padding: 0.15em 0.5em; vertical-align: top; }
table.data { border-collapse: collapse; font-size: 0.9em; }
table.data td, table.data th { border-bottom: 1px solid #ddd; }
figure { margin: 1.5em 0; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #c62828; font-weight: 600; }
</style></head><body>
<h1>Flight monitor report</h1>
<p>${totals.flights.toLocaleString('en-US')} U.S. flights (Bureau of Transportation Statistics, 2001) streamed through a supervised Starweave pipeline.</p>
<table>${rows.join('\n')}</table>
${checkHtml}
<h2>Plots</h2>
${images.join('\n')}
<h2>Calibration</h2>
${calibrationHtml}
<h2>First delay waves</h2>
${alertTable(result.stored.alerts.filter((alert) => alert.kind === 'delay-wave').slice(0, 25))}
<h2>First rising routes</h2>
${alertTable(result.stored.alerts.filter((alert) => alert.kind === 'route-rise').slice(0, 25))}
<h2>Supervision tree</h2>
<pre>${escapeHtml(result.tree)}</pre>
</body></html>
`;
}

function alertTable(alerts: readonly AlertEvent[]): string {
  if (alerts.length === 0) return '<p>None.</p>';
  return table(
    ['certain at', 'airport or route', 'first flight', 'delays (min)', 'record offsets'],
    alerts.map((alert) => [
      new Date(alert.at).toISOString().slice(0, 16).replace('T', ' '),
      alert.route ?? alert.airport,
      new Date(alert.start).toISOString().slice(0, 16).replace('T', ' '),
      alert.delays.join(', '),
      alert.offsets.join(', '),
    ]),
  );
}

function table(head: readonly string[], body: ReadonlyArray<readonly string[]>): string {
  const header = `<tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`;
  const rows = body.map(
    (row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`,
  );
  return `<table class="data">${header}${rows.join('')}</table>`;
}

/** Describes restart counts by child, such as `source 3, store-writer 1`. */
export function describeRestarts(restarts: Record<string, number>): string {
  const entries = Object.entries(restarts);
  if (entries.length === 0) return 'none';
  return entries.map(([id, count]) => `${id} ${count}`).join(', ');
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
}
