/**
 * A flight record as the monitor uses it: numbers instead of BigInts, and the scheduled time as
 * epoch milliseconds (the source data carries no time zone; the monitor treats it as UTC).
 */

/** One flight of the Bureau of Transportation Statistics data set. */
export interface Flight {
  /** Position in the file, from 0; the source's offset for checkpoints. */
  offset: number;
  /** Departure time in epoch milliseconds. */
  time: number;
  /** Arrival delay in minutes; negative when early. */
  delay: number;
  /** Distance in miles. */
  distance: number;
  origin: string;
  destination: string;
}

/** Parses the `YYYY/MM/DD HH:MM` dates of the JSON slices as UTC epoch milliseconds. */
export function parseSliceDate(text: string): number {
  const match = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (match === null) {
    throw new RangeError(`invalid flight date ${JSON.stringify(text)}: expected YYYY/MM/DD HH:MM`);
  }
  const [, year, month, day, hour, minute] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
}

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;

/** Returns the start of the hour that contains `time` (epoch milliseconds, UTC). */
export function hourStart(time: number): number {
  return Math.floor(time / HOUR_MS) * HOUR_MS;
}

/** Returns the route of a flight as `ORIGIN-DESTINATION`. */
export function routeOf(flight: Flight): string {
  return `${flight.origin}-${flight.destination}`;
}

/** Returns the UTC calendar day of `time` as `YYYY-MM-DD`. */
export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * Returns an airport code (three letters) as one integer, the three character codes packed
 * in base 256, so the model can take airports as numbers with no shared code table.
 */
export function airportNumber(code: string): number {
  return (code.charCodeAt(0) << 16) | (code.charCodeAt(1) << 8) | code.charCodeAt(2);
}
