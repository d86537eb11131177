/**
 * Compares a run's journaled results with the check pass: the same counts, and the same alerts
 * field for field.
 */
import type { RunResult } from '../app/run-monitor.js';
import { ALERT_KINDS, type Alert } from '../detect/alert.js';
import type { CheckOutcome } from '../report/build-report.js';
import type { PlainPassResult } from './plain-pass.js';

/** Returns whether the run matches the check pass, with one line per comparison. */
export function compareWithPlainPass(result: RunResult, plain: PlainPassResult): CheckOutcome {
  const lines: string[] = [];
  let passed = true;
  const compare = (what: string, run: number, expected: number) => {
    const same = run === expected;
    passed &&= same;
    lines.push(`${same ? 'same' : 'DIFFERENT'}  ${what}: run ${run}, check pass ${expected}`);
  };
  compare('records', result.totals.flights, plain.totals.flights);
  compare('airport-hours', result.totals.airportHours, plain.totals.airportHours);
  compare('hour events journaled', result.stored.hours.length, plain.totals.hours);
  for (const kind of ALERT_KINDS) {
    compare(`${kind} alerts`, result.totals.alerts[kind], plain.totals.alerts[kind]);
  }
  compare('alerts journaled', result.stored.alerts.length, plain.alerts.length);

  const expected = new Map(plain.alerts.map((alert) => [alert.id, canonical(alert)]));
  let different = 0;
  const missing = new Set(expected.keys());
  for (const alert of result.stored.alerts) {
    missing.delete(alert.id);
    if (expected.get(alert.id) !== canonical(alert)) different += 1;
  }
  const same = different === 0 && missing.size === 0;
  passed &&= same;
  lines.push(
    same
      ? `same  every alert, field for field (${plain.alerts.length})`
      : `DIFFERENT  alerts: ${different} not in the check pass or changed, ${missing.size} missing`,
  );
  return { passed, lines };
}

/** Returns an alert as JSON with its fields in a fixed order, without the journal's type. */
function canonical(alert: Alert): string {
  const { kind, id, airport, route, at, start, offsets, delays, score, expected } = alert;
  return JSON.stringify({ kind, id, airport, route, at, start, offsets, delays, score, expected });
}
