/**
 * Reads the small JSON slices (`flights-2k.json`, `flights-20k.json`) that tests use, with
 * their string dates turned into epoch milliseconds.
 */
import { readFile } from 'node:fs/promises';
import { datasetPath } from './dataset-path.js';
import { type Flight, parseSliceDate } from './flight.js';

/** Reads a JSON slice of `vega-datasets` by file name, such as `'flights-20k.json'`. */
export async function readJsonFlights(
  name: 'flights-2k.json' | 'flights-5k.json' | 'flights-10k.json' | 'flights-20k.json',
): Promise<Flight[]> {
  const path = datasetPath(name);
  const records = JSON.parse(await readFile(path, 'utf8')) as Array<{
    date: string;
    delay: number;
    distance: number;
    origin: string;
    destination: string;
  }>;
  const flights = records.map((record, offset) => ({
    offset,
    time: parseSliceDate(record.date),
    delay: record.delay,
    distance: record.distance,
    origin: record.origin,
    destination: record.destination,
  }));
  // The slices are samples in time order; a stable sort guards the monitor's event-time logic.
  flights.sort((a, b) => a.time - b.time || a.offset - b.offset);
  return flights.map((flight, offset) => ({ ...flight, offset }));
}
