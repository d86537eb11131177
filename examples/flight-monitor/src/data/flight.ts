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
