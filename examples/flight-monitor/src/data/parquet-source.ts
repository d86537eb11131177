/**
 * Reads the 3-million-record Parquet file in bounded chunks, in file order (which is time
 * order), so the whole file is never in memory at once.
 */
import { readFile } from 'node:fs/promises';
import { type FileMetaData, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { datasetPath } from './dataset-path.js';
import type { Flight } from './flight.js';

/** The path of `flights-3m.parquet` in the installed `vega-datasets` package. */
export function flightsParquetPath(): string {
  return datasetPath('flights-3m.parquet');
}

/** Options of {@link readParquetFlights}. */
export interface ParquetReadOptions {
  /** The first record to read. Default 0. */
  fromOffset?: number;
  /** Stops after this many records in all. Default: the whole file. */
  limit?: number;
}

/** An open Parquet file with its metadata. */
export interface ParquetFlights {
  readonly rows: number;
  read(options?: ParquetReadOptions): AsyncGenerator<Flight[]>;
}

/** Opens the flights Parquet file (by default the one `vega-datasets` ships). */
export async function openParquetFlights(path = flightsParquetPath()): Promise<ParquetFlights> {
  const buffer = await readFile(path);
  const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const metadata: FileMetaData = await parquetMetadataAsync(file);
  const rows = Number(metadata.num_rows);
  return {
    rows,
    async *read(options: ParquetReadOptions = {}) {
      const start = options.fromOffset ?? 0;
      const end = Math.min(rows, options.limit === undefined ? rows : options.limit);
      // Reads whole row groups: hyparquet decodes a row group in full for any row range in it,
      // so smaller ranges would decode the same pages several times.
      let groupStart = 0;
      for (const group of metadata.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        const rowStart = Math.max(start, groupStart);
        const rowEnd = Math.min(end, groupEnd);
        groupStart = groupEnd;
        if (rowStart >= rowEnd) continue;
        const records = await parquetReadObjects({ file, metadata, compressors, rowStart, rowEnd });
        const flights: Flight[] = new Array(records.length);
        for (let i = 0; i < records.length; i++) {
          const record = records[i] as { date: Date; delay: bigint; distance: bigint; origin: string; destination: string };
          flights[i] = {
            offset: rowStart + i,
            time: record.date.getTime(),
            delay: Number(record.delay),
            distance: Number(record.distance),
            origin: record.origin,
            destination: record.destination,
          };
        }
        yield flights;
      }
    },
  };
}
