/**
 * Shared test data: the JSON slice, the first Parquet records, and temporary output folders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flight } from '../src/data/flight.js';
import { arraySource, type FlightSource } from '../src/data/flight-source.js';
import { readJsonFlights } from '../src/data/json-source.js';
import { openParquetFlights } from '../src/data/parquet-source.js';

/** Reads the 20,000 flights of `flights-20k.json`, sorted by time, as an array and a source. */
export async function jsonSlice(): Promise<{ flights: Flight[]; source: FlightSource }> {
  const flights = await readJsonFlights('flights-20k.json');
  return { flights, source: arraySource(flights, 4000) };
}

/** Reads the first `count` records of the Parquet file, as an array and a source. */
export async function parquetHead(
  count: number,
): Promise<{ flights: Flight[]; source: FlightSource }> {
  const source = await openParquetFlights();
  const flights: Flight[] = [];
  for await (const chunk of source.read({ limit: count })) {
    for (const flight of chunk) flights.push(flight);
  }
  return { flights, source };
}

/** Creates a temporary output folder; the returned function deletes it. */
export function tempOut(): { out: string; remove: () => void } {
  const out = mkdtempSync(join(tmpdir(), 'flight-monitor-'));
  return { out, remove: () => rmSync(out, { recursive: true, force: true }) };
}
