/**
 * Reads a run's results back from the journal: the hour events and the alerts, by their tags.
 */
import type { Journal } from '@starweave/persistence';
import { compareAlerts } from '../detect/alert.js';
import {
  ALERT_TAG,
  type AlertEvent,
  HOUR_TAG,
  type HourEvent,
  loadHourEvent,
  type StoredHourEvent,
} from './journal-layout.js';

/** Everything a run journaled. */
export interface StoredResults {
  /** Hour events in time order. */
  readonly hours: HourEvent[];
  /** Alerts in {@link compareAlerts} order. */
  readonly alerts: AlertEvent[];
}

/** Reads the hour events and alerts of the journal. */
export async function readResults(journal: Journal): Promise<StoredResults> {
  const hours: HourEvent[] = [];
  for await (const event of journal.eventsByTag<StoredHourEvent>(HOUR_TAG, 0)) {
    hours.push(loadHourEvent(event.payload));
  }
  hours.sort((a, b) => a.hour - b.hour);
  const alerts: AlertEvent[] = [];
  for await (const event of journal.eventsByTag<AlertEvent>(ALERT_TAG, 0))
    alerts.push(event.payload);
  alerts.sort(compareAlerts);
  return { hours, alerts };
}
