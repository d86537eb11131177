/**
 * The worker thread that decodes Parquet row groups for {@link openParquetFlightsInWorker}: it
 * reads the file itself and posts each decoded chunk, keeping one chunk ahead of the reader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openParquetFlights } from './parquet-source.js';

/** A request from the main thread: one `more` per chunk it has taken. */
export type WorkerRequest = { type: 'more' };

/** The start data of the worker. */
export interface WorkerStart {
  readonly path: string;
  readonly fromOffset: number;
  readonly limit: number;
  /** Chunks decoded before the reader takes any. */
  readonly ahead: number;
}

const port = parentPort!;
const start = workerData as WorkerStart;
const parquet = await openParquetFlights(start.path);
let credits = start.ahead;
let wake: (() => void) | null = null;

port.on('message', (request: WorkerRequest) => {
  if (request.type !== 'more') return;
  credits += 1;
  wake?.();
  wake = null;
});

for await (const chunk of parquet.readChunks({
  fromOffset: start.fromOffset,
  limit: start.limit,
})) {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits -= 1;
  const { message, transfer } = chunk.toMessage();
  port.postMessage({ type: 'chunk', chunk: message }, transfer);
}
port.postMessage({ type: 'end' });
port.close();
