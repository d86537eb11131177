/**
 * Reads the 3-million-record Parquet file one row group at a time, in file order (which is
 * time order), as typed-array columns, so the whole file is never decoded at once.
 */
import { readFile } from 'node:fs/promises';
import { StarweaveError } from '@starweave/actors';
import { type FileMetaData, parquetMetadataAsync } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { datasetPath } from './dataset-path.js';
import type { Flight } from './flight.js';
import {
  bytesToString,
  type DictionaryColumn,
  int64ToNumber,
  readDictionaryColumn,
} from './parquet-columns.js';

/** Returns the path of `flights-3m.parquet` in the installed `vega-datasets` package. */
export function flightsParquetPath(): string {
  return datasetPath('flights-3m.parquet');
}

/** Options of {@link ParquetFlights.readChunks}. */
export interface ParquetReadOptions {
  /** The first record to read. Default 0. */
  fromOffset?: number;
  /** Stops before this offset (a record count from the start of the file). Default: all. */
  limit?: number;
}

/**
 * A run of consecutive records as columns: record `i` of the chunk is the file's record
 * `start + i`. Strings are interned per chunk, so equal airports share one string.
 */
export class FlightChunk {
  constructor(
    readonly start: number,
    readonly length: number,
    private readonly times: DictionaryColumn<number>,
    private readonly delays: DictionaryColumn<number>,
    private readonly distances: DictionaryColumn<number>,
    private readonly origins: DictionaryColumn<string>,
    private readonly destinations: DictionaryColumn<string>,
    // Index of the chunk's first row within the decoded row group.
    private readonly base: number,
  ) {}

  /** Returns the departure time of record `i` of the chunk, in epoch milliseconds. */
  time(i: number): number {
    return this.times.dictionary[this.times.indices[this.base + i]!]!;
  }

  /** Builds the flight object of record `i` of the chunk. */
  flight(i: number): Flight {
    const row = this.base + i;
    return {
      offset: this.start + i,
      time: this.times.dictionary[this.times.indices[row]!]!,
      delay: this.delays.dictionary[this.delays.indices[row]!]!,
      distance: this.distances.dictionary[this.distances.indices[row]!]!,
      origin: this.origins.dictionary[this.origins.indices[row]!]!,
      destination: this.destinations.dictionary[this.destinations.indices[row]!]!,
    };
  }

  /**
   * Returns the chunk's columns as plain data for `postMessage`, with the buffers to transfer
   * (numeric dictionaries become Float64Arrays, which transfer too).
   */
  toMessage(): { message: ChunkMessage; transfer: ArrayBuffer[] } {
    const numeric = (column: DictionaryColumn<number>) => ({
      dictionary: Float64Array.from(column.dictionary),
      indices: column.indices,
    });
    const message: ChunkMessage = {
      start: this.start,
      length: this.length,
      base: this.base,
      times: numeric(this.times),
      delays: numeric(this.delays),
      distances: numeric(this.distances),
      origins: { dictionary: Array.from(this.origins.dictionary), indices: this.origins.indices },
      destinations: {
        dictionary: Array.from(this.destinations.dictionary),
        indices: this.destinations.indices,
      },
    };
    const columns = [
      message.times,
      message.delays,
      message.distances,
      message.origins,
      message.destinations,
    ];
    const transfer = new Set<ArrayBuffer>();
    for (const column of columns) {
      transfer.add(column.indices.buffer as ArrayBuffer);
      if (column.dictionary instanceof Float64Array)
        transfer.add(column.dictionary.buffer as ArrayBuffer);
    }
    return { message, transfer: [...transfer] };
  }

  /** Rebuilds a chunk from the data {@link toMessage} returned. */
  static fromMessage(message: ChunkMessage): FlightChunk {
    return new FlightChunk(
      message.start,
      message.length,
      message.times,
      message.delays,
      message.distances,
      message.origins,
      message.destinations,
      message.base,
    );
  }

  /** Builds every flight of the chunk. */
  flights(): Flight[] {
    const flights: Flight[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) flights[i] = this.flight(i);
    return flights;
  }
}

/** A {@link FlightChunk} as plain data, sent from a worker thread. */
export interface ChunkMessage {
  readonly start: number;
  readonly length: number;
  readonly base: number;
  readonly times: DictionaryColumn<number>;
  readonly delays: DictionaryColumn<number>;
  readonly distances: DictionaryColumn<number>;
  readonly origins: DictionaryColumn<string>;
  readonly destinations: DictionaryColumn<string>;
}

/** An open Parquet file of flights with its metadata. */
export interface ParquetFlights {
  readonly rows: number;
  /** Yields the records from `fromOffset` to `limit`, one row group per chunk. */
  readChunks(options?: ParquetReadOptions): AsyncGenerator<FlightChunk>;
  /** Yields the records as flight objects, one array per row group. */
  read(options?: ParquetReadOptions): AsyncGenerator<Flight[]>;
}

const COLUMNS = ['date', 'delay', 'distance', 'origin', 'destination'] as const;

/** Microseconds (the file's timestamp unit) to milliseconds. */
function microsToMillis(raw: unknown): number {
  return Number(raw as bigint) / 1000;
}

/** Opens the flights Parquet file (by default the one `vega-datasets` ships). */
export async function openParquetFlights(path = flightsParquetPath()): Promise<ParquetFlights> {
  const buffer = await readFile(path);
  const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const metadata: FileMetaData = await parquetMetadataAsync(file);
  const rows = Number(metadata.num_rows);

  const decodeGroup = (groupIndex: number, groupStart: number, from: number, to: number) => {
    const group = metadata.row_groups[groupIndex]!;
    const groupRows = Number(group.num_rows);
    const chunkOf = (name: (typeof COLUMNS)[number]) => {
      const chunk = group.columns.find((column) => column.meta_data?.path_in_schema[0] === name);
      if (chunk === undefined) {
        throw new StarweaveError(
          'ERR_NOT_FOUND',
          `Parquet file ${path} has no column ${name}; expected the columns ${COLUMNS.join(', ')}.`,
        );
      }
      return chunk;
    };
    const read = <T>(name: (typeof COLUMNS)[number], convert: (raw: unknown) => T) =>
      readDictionaryColumn(file, metadata, chunkOf(name), groupRows, compressors, convert);
    return new FlightChunk(
      from,
      to - from,
      read('date', microsToMillis),
      read('delay', int64ToNumber),
      read('distance', int64ToNumber),
      read('origin', bytesToString),
      read('destination', bytesToString),
      from - groupStart,
    );
  };

  async function* readChunks(options: ParquetReadOptions = {}): AsyncGenerator<FlightChunk> {
    const start = options.fromOffset ?? 0;
    const end = Math.min(rows, options.limit ?? rows);
    let groupStart = 0;
    for (let index = 0; index < metadata.row_groups.length; index++) {
      const groupEnd = groupStart + Number(metadata.row_groups[index]!.num_rows);
      const from = Math.max(start, groupStart);
      const to = Math.min(end, groupEnd);
      if (from < to) yield decodeGroup(index, groupStart, from, to);
      groupStart = groupEnd;
      if (groupStart >= end) return;
    }
  }

  return {
    rows,
    readChunks,
    async *read(options: ParquetReadOptions = {}) {
      for await (const chunk of readChunks(options)) yield chunk.flights();
    },
  };
}
