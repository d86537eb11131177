/**
 * The typed-column Parquet reader against hyparquet's own row reader, reads from offsets, and
 * the same reader on a worker thread.
 */
import { readFile } from 'node:fs/promises';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlightSource } from '../src/data/flight-source.js';
import {
  flightsParquetPath,
  openParquetFlights,
  type ParquetFlights,
} from '../src/data/parquet-source.js';
import { openParquetFlightsInWorker } from '../src/data/parquet-worker-source.js';

let parquet: ParquetFlights;

beforeAll(async () => {
  parquet = await openParquetFlights();
});

async function hyparquetRows(rowStart: number, rowEnd: number) {
  const buffer = await readFile(flightsParquetPath());
  const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const rows = (await parquetReadObjects({ file, compressors, rowStart, rowEnd })) as Array<{
    date: Date;
    delay: bigint;
    distance: bigint;
    origin: string;
    destination: string;
  }>;
  return rows.map((row, i) => ({
    offset: rowStart + i,
    time: row.date.getTime(),
    delay: Number(row.delay),
    distance: Number(row.distance),
    origin: row.origin,
    destination: row.destination,
  }));
}

describe('openParquetFlights', () => {
  it('reports 3 million records', () => {
    expect(parquet.rows).toBe(3_000_000);
  });

  it('reads what hyparquet reads across row groups', async () => {
    // The first row group contains 272,727 records.
    const from = 272_000;
    const to = 273_500;
    const flights = [];
    for await (const chunk of parquet.read({ fromOffset: from, limit: to })) {
      for (const flight of chunk) flights.push(flight);
    }
    expect(flights).toEqual(await hyparquetRows(from, to));
  });

  it('yields one chunk per row group', async () => {
    const chunks = [];
    for await (const chunk of parquet.readChunks({ fromOffset: 100, limit: 300_000 })) {
      chunks.push({ start: chunk.start, length: chunk.length });
    }
    expect(chunks).toEqual([
      { start: 100, length: 272_627 },
      { start: 272_727, length: 27_273 },
    ]);
  });

  it('returns records in time order', async () => {
    let previous = Number.NEGATIVE_INFINITY;
    let unordered = 0;
    for await (const chunk of parquet.readChunks({ limit: 300_000 })) {
      for (let i = 0; i < chunk.length; i++) {
        const time = chunk.flight(i).time;
        if (time < previous) unordered += 1;
        previous = time;
      }
    }
    expect(unordered).toBe(0);
  });
});

describe('openParquetFlightsInWorker', () => {
  it('reads what the in-process reader reads', async () => {
    const inWorker = await openParquetFlightsInWorker();
    const options = { fromOffset: 270_000, limit: 280_000 };
    const read = async (source: FlightSource) => {
      const flights = [];
      for await (const chunk of source.readChunks(options)) {
        for (let i = 0; i < chunk.length; i++) flights.push(chunk.flight(i));
      }
      return flights;
    };
    expect(inWorker.rows).toBe(3_000_000);
    const expected = await read(parquet);
    expect(expected).toHaveLength(10_000);
    expect(await read(inWorker)).toEqual(expected);
  });

  it('stops its worker when the reader stops early', async () => {
    const inWorker = await openParquetFlightsInWorker();
    const chunks = inWorker.readChunks();
    const first = await chunks.next();
    expect(first.value?.start).toBe(0);
    expect((await chunks.return(undefined)).done).toBe(true);
  });
});
