/**
 * The check pass: the monitor's rules run over the records in one plain loop, with one
 * partition and no processes, checkpoints or store. A run with faults must arrive at the same
 * counts and alerts.
 */
import { HOUR_MS, hourStart } from '../data/flight.js';
import type { FlightSource } from '../data/flight-source.js';
import { AirportMonitor } from '../detect/airport-monitor.js';
import type { Alert } from '../detect/alert.js';
import { join } from '../detect/period-assembler.js';
import { countPeriod, emptyTotals, type RunTotals } from '../pipeline/run-totals.js';
import { JournalLayout } from '../store/journal-layout.js';

/** The findings of the check pass. */
export interface PlainPassResult {
  readonly totals: RunTotals;
  /** Every alert, in journal order. */
  readonly alerts: Alert[];
}

/** Runs the rules over records `[0, limit)` of `source`. */
export async function plainPass(source: FlightSource, limit: number): Promise<PlainPassResult> {
  const monitor = new AirportMonitor(0);
  const layout = new JournalLayout();
  const alerts: Alert[] = [];
  let totals = emptyTotals();
  let hour: number | null = null;

  const close = (from: number, to: number, final: boolean) => {
    const report = final ? monitor.finish(from, to) : monitor.tick(from, to);
    const result = join([report]);
    layout.writes(result, false);
    totals = countPeriod(totals, result, layout.snapshot().hours);
    alerts.push(...result.alerts);
  };

  for await (const chunk of source.readChunks({ limit })) {
    for (let i = 0; i < chunk.length; i++) {
      const flight = chunk.flight(i);
      const start = hourStart(flight.time);
      if (hour === null) {
        hour = start;
      } else if (start > hour) {
        close(hour, start, false);
        hour = start;
      }
      monitor.push(flight);
    }
  }
  const last = hour ?? 0;
  close(last, last + HOUR_MS, true);
  return { totals, alerts };
}
