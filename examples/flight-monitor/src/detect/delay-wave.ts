/**
 * The delay wave: an origin airport with three flights in a row arriving more than 45 minutes
 * late within an hour, and no on-time flight from that airport in the 30 minutes after the
 * third. Once a wave matches, its flights start no other wave.
 */
import { AfterMatchSkip, type CepMatch, Pattern } from '@starweave/patterns';
import { type Flight, MINUTE_MS } from '../data/flight.js';
import type { Alert } from './alert.js';

/** The thresholds of the delay wave rule. */
export const DELAY_WAVE = {
  /** A flight is late when its arrival delay exceeds this many minutes. */
  lateMinutes: 45,
  /** Late flights in a row, with no other flight of the airport between them. */
  flights: 3,
  /** The last late flight departs less than this long after the first. */
  withinMs: 60 * MINUTE_MS,
  /** A flight is on time when its arrival delay is below this many minutes (the BTS rule). */
  onTimeBelowMinutes: 15,
  /** No on-time flight departs less than this long after the last late one. */
  quietMs: 30 * MINUTE_MS,
} as const;

/** Returns the delay wave pattern over one airport's departures, keyed by origin. */
export function delayWavePattern() {
  return Pattern.begin('late', (flight: Flight) => flight.delay > DELAY_WAVE.lateMinutes)
    .times(DELAY_WAVE.flights)
    .consecutive()
    .within(DELAY_WAVE.withinMs, 'step')
    .notFollowedBy('onTime', (flight: Flight) => flight.delay < DELAY_WAVE.onTimeBelowMinutes)
    .within(DELAY_WAVE.quietMs, 'step')
    .skip(AfterMatchSkip.skipPastLastEvent());
}

/** Turns a delay wave match into an alert. */
export function delayWaveAlert(match: CepMatch<{ late: Flight }>): Alert {
  const late = match.events.late;
  const airport = late[0]!.origin;
  return {
    kind: 'delay-wave',
    id: `delay-wave:${airport}:${late[0]!.offset}`,
    airport,
    at: match.completedAt,
    start: match.startTime,
    offsets: late.map((flight) => flight.offset),
    delays: late.map((flight) => flight.delay),
  };
}
