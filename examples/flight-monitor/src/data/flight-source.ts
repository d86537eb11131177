/**
 * The record source the pipeline reads: a count of records in time order and a way to read
 * them in chunks from any offset. The Parquet file and the JSON slices both provide one.
 */
import type { Flight } from './flight.js';

/** A run of consecutive records; record `i` is the source's record `start + i`. */
export interface FlightChunkView {
  readonly start: number;
  readonly length: number;
  /** Builds the flight object of record `i` of the chunk. */
  flight(i: number): Flight;
}

/** Records in time order, readable from any offset. */
export interface FlightSource {
  /** The number of records. */
  readonly rows: number;
  /** Yields the records from `fromOffset` (default 0) up to `limit` (default all) in chunks. */
  readChunks(options?: { fromOffset?: number; limit?: number }): AsyncGenerator<FlightChunkView>;
}

/** Serves flights held in memory (such as a JSON slice) as a source, in chunks of `chunkSize`. */
export function arraySource(flights: readonly Flight[], chunkSize = 10_000): FlightSource {
  return {
    rows: flights.length,
    async *readChunks(options = {}) {
      const end = Math.min(flights.length, options.limit ?? flights.length);
      for (let start = options.fromOffset ?? 0; start < end; start += chunkSize) {
        const length = Math.min(chunkSize, end - start);
        yield { start, length, flight: (i: number) => flights[start + i]! };
      }
    },
  };
}
