/**
 * The Parquet source with its decoding on a worker thread: the main thread, which runs every
 * stage, only builds flight objects from decoded columns, while the next row group is decoded
 * beside it on the machine's other core.
 */
import { Worker } from 'node:worker_threads';
import type { FlightChunkView, FlightSource } from './flight-source.js';
import {
  type ChunkMessage,
  FlightChunk,
  flightsParquetPath,
  openParquetFlights,
} from './parquet-source.js';
import type { WorkerStart } from './parquet-worker.js';

type WorkerMessage = { type: 'chunk'; chunk: ChunkMessage } | { type: 'end' };

/** Row groups decoded ahead of the reader. */
const AHEAD = 1;

/** Opens the flights file, to be decoded on a worker thread for each read. */
export async function openParquetFlightsInWorker(
  path = flightsParquetPath(),
): Promise<FlightSource> {
  // The metadata is read here too, for the row count; decoding happens in the worker.
  const { rows } = await openParquetFlights(path);
  return {
    rows,
    readChunks: (options = {}) =>
      readInWorker({
        path,
        fromOffset: options.fromOffset ?? 0,
        limit: options.limit ?? rows,
        ahead: AHEAD,
      }),
  };
}

async function* readInWorker(start: WorkerStart): AsyncGenerator<FlightChunkView> {
  const worker = new Worker(new URL('./parquet-worker-entry.mjs', import.meta.url), {
    workerData: start,
  });
  const messages: WorkerMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (message: WorkerMessage) => {
    messages.push(message);
    notify();
  });
  worker.on('error', (error) => {
    failure = error;
    notify();
  });
  worker.on('exit', (code) => {
    if (code !== 0) failure ??= new Error(`the Parquet worker thread exited with code ${code}`);
    notify();
  });
  try {
    for (;;) {
      while (messages.length === 0 && failure === null)
        await new Promise<void>((resolve) => (wake = resolve));
      const message = messages.shift();
      if (message === undefined) throw failure!;
      if (message.type === 'end') return;
      worker.postMessage({ type: 'more' });
      yield FlightChunk.fromMessage(message.chunk);
    }
  } finally {
    await worker.terminate();
  }
}
