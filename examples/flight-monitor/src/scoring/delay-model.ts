/**
 * The delay model on the Node side: the Python workers that serve it, the GenServer that
 * trains it at start on January's flights, and the scorer that the airport stages call.
 */
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Caller, GenServer, isStarweaveError, type ProcessContext } from '@starweave/actors';
import { call, type PythonWorkerOptions, WorkerPool } from '@starweave/ml-bridge';
import type { ChildSpec } from '@starweave/supervision';
import type { Flight } from '../data/flight.js';
import type { FlightSource } from '../data/flight-source.js';
import { DELAYED_OVER_MINUTES, TRAINING_END } from '../detect/calibration.js';
import type { Scorer } from '../pipeline/airport-stage.js';
import { featureColumns } from './features.js';

/** The folder that contains `flight_model.py`. */
export const HANDLER_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'python');

/** The registered name of the model GenServer. */
export const DELAY_MODEL = 'delay-model';

/** The registered name of the pool of Python workers. */
export const WORKER_POOL = 'python-workers';

/**
 * The label of the pool's one model version; the pool names its workers' child ids after it
 * (`python-0`, `python-1`, ...).
 */
const POOL_VERSION = 'python';

/** The statistics that training returns. */
export interface TrainingReport {
  rows: number;
  delayedShare: number;
  logLoss: number;
  auc: number;
  seconds: number;
}

/** Options of the scoring part of the tree. */
export interface ScoringOptions {
  /** Python worker processes. */
  readonly workers: number;
  /** The file where the trained model's parameters are saved. */
  readonly modelPath: string;
  /** The records to train on: those of January (before {@link TRAINING_END}). */
  readonly source: FlightSource;
  /** The interpreter; default: the bridge's (`/usr/bin/python3` when present). */
  readonly python?: string;
  /** Requests a worker collects into one batch call, at most. */
  readonly maxBatchSize: number;
  /** Time a request waits for others to join its batch, in milliseconds. */
  readonly maxWaitMs: number;
}

/**
 * Returns the child spec of the worker pool: `workers` Python workers under the pool's
 * supervisor, each request routed to the least loaded one.
 */
export function workersChildSpec(options: ScoringOptions): ChildSpec {
  const worker: PythonWorkerOptions = {
    handlers: ['flight_model'],
    handlerPaths: [HANDLER_PATH],
    ...(options.python === undefined ? {} : { python: options.python }),
    threads: 2,
    maxInFlight: 16,
    batchByHandler: {
      predict_delay: { maxBatchSize: options.maxBatchSize, maxWaitMs: options.maxWaitMs },
    },
    // Training on half a million flights takes seconds; scoring a batch much less.
    defaultTimeoutMs: 120_000,
  };
  return WorkerPool.childSpec(
    {
      name: WORKER_POOL,
      versions: [{ version: POOL_VERSION, size: options.workers, worker }],
      maxRestarts: 10,
      maxSeconds: 10,
      // Requests wait this long for a worker while the pool restarts one.
      defaultTimeoutMs: 60_000,
    },
    WORKER_POOL,
  );
}

type ReportRequest = { type: 'report' };

type ModelProtocol = { calls: { request: ReportRequest; reply: TrainingReport } };

const DelayModel: GenServer.Spec<TrainingReport, ScoringOptions, ModelProtocol> = {
  init: async (options, self) => ({ state: await train(self, options) }),
  handleCall: (_request, _from, report) => ({ reply: report, state: report }),
};

/** Returns the child spec of the GenServer that trains the model when it starts. */
export function modelChildSpec(options: ScoringOptions): ChildSpec {
  return {
    id: DELAY_MODEL,
    start: (ctx) => GenServer.startLink(ctx, DelayModel, options, { name: DELAY_MODEL }),
  };
}

/** Returns what training reported, from the model GenServer. */
export function trainingReport(caller: Caller): Promise<TrainingReport> {
  const request: ReportRequest = { type: 'report' };
  return GenServer.call<ModelProtocol, ReportRequest>(caller, DELAY_MODEL, request);
}

/** Reads January's flights and trains the model on the first worker. */
async function train(self: ProcessContext, options: ScoringOptions): Promise<TrainingReport> {
  const flights: Flight[] = [];
  read: for await (const chunk of options.source.readChunks()) {
    for (let i = 0; i < chunk.length; i++) {
      const flight = chunk.flight(i);
      if (flight.time >= TRAINING_END) break read;
      flights.push(flight);
    }
  }
  // Int8Array, not Uint8Array: the codec sends a Uint8Array as bytes, not as a numpy array.
  const delayed = new Int8Array(flights.length);
  flights.forEach((flight, i) => {
    delayed[i] = flight.delay > DELAYED_OVER_MINUTES ? 1 : 0;
  });
  const payload = { ...featureColumns(flights), delayed, path: options.modelPath };
  return call<TrainingReport>(self, WORKER_POOL, 'train_delay_model', payload, {
    timeoutMs: 300_000,
  });
}

/** Errors after which a scoring request is sent again: the worker is down or restarting. */
const RETRYABLE = new Set(['ERR_NOPROC', 'ERR_NOCONNECTION', 'ERR_OVERLOADED']);

/** How long a scoring request keeps retrying while its worker restarts, in milliseconds. */
const RETRY_FOR_MS = 60_000;

/**
 * Returns a scorer for the airport stages: it sends a batch's flights to the pool, where
 * requests that reach one worker together join one batch call. A request that fails because
 * its worker died is sent again with back-off, because scoring is a pure function and a
 * Python restart takes seconds. `onRetry` counts the retries.
 */
export function poolScorer(
  caller: Caller,
  options: Pick<ScoringOptions, 'modelPath'>,
  onRetry: () => void = () => {},
): Scorer {
  return async (flights) => {
    const payload = { ...featureColumns(flights), path: options.modelPath };
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call<Float64Array>(caller, WORKER_POOL, 'predict_delay', payload, {
          timeoutMs: 60_000,
        });
      } catch (error) {
        const retryable = isStarweaveError(error) && RETRYABLE.has(error.code);
        if (!retryable || Date.now() >= giveUpAt) throw error;
        onRetry();
        await sleep(Math.min(50 * 2 ** attempt, 1000));
      }
    }
  };
}
