/**
 * The rising route: three consecutive flights of one route (origin to destination), the first
 * more than 15 minutes late and each of the next two at least 15 minutes later than the one
 * before it, within six hours. Once a rise matches, its flights start no other rise.
 */
import { AfterMatchSkip, type CepMatch, Pattern } from '@starweave/patterns';
import { type Flight, HOUR_MS } from '../data/flight.js';
import type { Alert } from './alert.js';

/** The thresholds of the rising route rule. */
export const ROUTE_RISE = {
  /** The first flight's arrival delay exceeds this many minutes. */
  firstLateMinutes: 15,
  /** Each later flight's delay exceeds the one before it by at least this many minutes. */
  stepMinutes: 15,
  /** Flights after the first, each consecutive on its route. */
  rises: 2,
  /** The last flight departs less than this long after the first. */
  withinMs: 6 * HOUR_MS,
} as const;

/** Returns the rising route pattern, keyed by route. */
export function routeRisePattern() {
  return Pattern.begin('first', (flight: Flight) => flight.delay > ROUTE_RISE.firstLateMinutes)
    .next('rising', (flight, context) => {
      // The flight before this one in the partial match: the last rise so far, or the first.
      const rising = context.events('rising');
      const previous = rising.length > 0 ? rising[rising.length - 1]! : context.events('first')[0]!;
      return flight.delay >= previous.delay + ROUTE_RISE.stepMinutes;
    })
    .times(ROUTE_RISE.rises)
    .consecutive()
    .within(ROUTE_RISE.withinMs)
    .skip(AfterMatchSkip.skipPastLastEvent());
}

/** Turns a rising route match into an alert. */
export function routeRiseAlert(match: CepMatch<{ first: Flight; rising: Flight }>): Alert {
  const flights = [...match.events.first, ...match.events.rising];
  const first = flights[0]!;
  const route = `${first.origin}-${first.destination}`;
  return {
    kind: 'route-rise',
    id: `route-rise:${route}:${first.offset}`,
    airport: first.origin,
    route,
    at: match.completedAt,
    start: match.startTime,
    offsets: flights.map((flight) => flight.offset),
    delays: flights.map((flight) => flight.delay),
  };
}
