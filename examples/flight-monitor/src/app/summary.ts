/**
 * The summary the demo prints at the end: records, alerts by kind, restarts, times, and where
 * the report and the store are.
 */
import { ALERT_KINDS } from '../detect/alert.js';
import { alertCount } from '../pipeline/run-totals.js';
import { type CheckOutcome, describeRestarts, type ReportFiles } from '../report/build-report.js';
import type { RunResult } from './run-monitor.js';

/** Prints the run's summary to `out`. */
export function printSummary(
  out: NodeJS.WritableStream,
  result: RunResult,
  check: CheckOutcome | null,
  report: ReportFiles | null,
  logFile: string,
): void {
  const { totals } = result;
  const n = (value: number) => value.toLocaleString('en-US');
  const seconds = result.pipelineMs / 1000;

  const lines = [
    '',
    'Summary',
    `  records          ${n(totals.flights)} (${n(totals.airportHours)} airport-hours, ${n(totals.hours)} hours journaled)`,
    `  alerts           ${n(alertCount(totals))}: ${ALERT_KINDS.map((kind) => `${kind} ${n(totals.alerts[kind])}`).join(', ')}`,
    `  restarts         ${describeRestarts(result.restarts)}`,
  ];

  if (result.kills.length > 0) {
    lines.push(`  chaos kills      ${result.victims.join(', ')}`);
    lines.push(
      `  replayed writes  ${n(result.skippedWrites)} skipped (already journaled before a restart)`,
    );
  }
  lines.push(
    `  pipeline time    ${seconds.toFixed(1)} s, ${n(Math.round(totals.flights / seconds))} records/s (main thread busy ${(result.pipelineCpuMs / 1000).toFixed(1)} s)`,
    `  wall time        ${(result.wallMs / 1000).toFixed(1)} s from start (model training included)`,
    `  peak memory      ${Math.round(result.peakRssBytes / 2 ** 20)} MiB resident`,
  );

  if (result.training !== null) {
    const t = result.training;
    lines.push(
      `  delay model      trained on ${n(t.rows)} January flights in ${t.seconds.toFixed(1)} s, AUC ${t.auc.toFixed(3)}`,
    );
  }
  if (result.droppedEvents > 0) {
    lines.push(
      `  DROPPED EVENTS   ${n(result.droppedEvents)}: a stage buffer overflowed; results are incomplete`,
    );
  }

  if (check !== null) {
    lines.push(
      `  check            ${check.passed ? 'passed' : 'FAILED'}: same counts and alerts as a plain second pass`,
    );
    for (const line of check.lines) lines.push(`                   ${line}`);
  }

  lines.push(`  store            ${result.storeLocation}`, `  log              ${logFile}`);
  if (report !== null) lines.push(`  report           ${report.html}`);
  out.write(`${lines.join('\n')}\n`);
}
