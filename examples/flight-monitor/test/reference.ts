/**
 * A straightforward re-implementation of the delay wave rule, written from its statement and
 * not from the CEP engine. Per origin airport, it scans the departures in time order for three
 * late flights in a row within an hour, with no on-time flight in the 30 minutes after the
 * third. A wave's flights start no other wave.
 */
import type { Flight } from '../src/data/flight.js';

const MINUTE = 60_000;

/** One delay wave: the airport and the offsets of its three late flights. */
export interface ReferenceWave {
  airport: string;
  offsets: number[];
}

/** Returns every delay wave in `flights`, which must be sorted by time (ties in file order). */
export function referenceDelayWaves(flights: readonly Flight[]): ReferenceWave[] {
  const byOrigin = new Map<string, Flight[]>();
  for (const flight of flights) {
    const list = byOrigin.get(flight.origin);
    if (list === undefined) byOrigin.set(flight.origin, [flight]);
    else list.push(flight);
  }

  const waves: ReferenceWave[] = [];
  for (const [airport, departures] of byOrigin) {
    let i = 0;
    while (i + 2 < departures.length) {
      const run = departures.slice(i, i + 3);
      const late = run.every((flight) => flight.delay > 45);
      const withinHour = run[2]!.time - run[0]!.time < 60 * MINUTE;
      if (late && withinHour && quietAfter(departures, i + 2)) {
        waves.push({ airport, offsets: run.map((flight) => flight.offset) });
        i += 3;
      } else {
        i += 1;
      }
    }
  }
  return waves;
}

/** True when no departure after `last` within 30 minutes of it arrived on time (< 15 min). */
function quietAfter(departures: readonly Flight[], last: number): boolean {
  const end = departures[last]!.time + 30 * MINUTE;
  for (let j = last + 1; j < departures.length && departures[j]!.time < end; j++) {
    if (departures[j]!.delay < 15) return false;
  }
  return true;
}

/** Returns waves as sorted strings `AIRPORT:o1,o2,o3`, for comparing sets. */
export function waveKeys(
  waves: ReadonlyArray<{ airport: string; offsets: readonly number[] }>,
): string[] {
  return waves.map((wave) => `${wave.airport}:${wave.offsets.join(',')}`).sort();
}
