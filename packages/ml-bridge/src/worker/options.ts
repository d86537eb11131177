/**
 * Options of a Python worker process: the transport's options plus the in-flight cap, the
 * queue bound, batching, heartbeats and the drain time, checked and filled with defaults.
 */
import { invalidArgument, type Logger } from '@starweave/actors';
import type { WorkerTransportOptions } from '../transport/index.js';

/** Batching options: when requests to a batch handler go out as one `batch` frame. */
export interface BatchOptions {
  /** The largest batch; the handler's own `maxBatchSize` lowers it. Default 32. */
  maxBatchSize?: number;
  /** The longest time the first request of a batch waits for more, in ms. Default 2. */
  maxWaitMs?: number;
}

/** Options of `PythonWorker.startLink`. */
export interface PythonWorkerOptions extends Omit<WorkerTransportOptions, 'logger'> {
  /**
   * Registers the worker process under this name, which is also the Python worker's name in
   * its hello and logs.
   */
  name?: string;
  /** False to name the Python worker without registering the process. Default true. */
  register?: boolean;
  /** The most requests sent to the worker and still awaiting their final frame. Default 64. */
  maxInFlight?: number;
  /** Requests waiting for an in-flight slot, at most; more fail with ERR_OVERLOADED. Default 1024. */
  maxQueued?: number;
  /**
   * Batching of handlers that the worker declares batchable, or false to send each request in
   * its own frame. Default `{ maxBatchSize: 32, maxWaitMs: 2 }`.
   */
  batch?: BatchOptions | false;
  /** Batching per handler name, overriding `batch` for that handler. */
  batchByHandler?: Record<string, BatchOptions | false>;
  /** Handler threads in the worker (`--threads`). Default 4. */
  threads?: number;
  /** Time between heartbeat pings, in ms; 0 turns them off. Default 5000. */
  heartbeatMs?: number;
  /**
   * Time a ping may go unanswered before the worker counts as hung and is killed, in ms.
   * Default twice `heartbeatMs`.
   */
  heartbeatTimeoutMs?: number;
  /** How long shutdown waits for requests in flight before it cancels them, in ms. Default 5000. */
  drainTimeoutMs?: number;
  /** The timeout of a request that names none, in ms, or 'infinity'. Default 5000. */
  defaultTimeoutMs?: number | 'infinity';
  /** The logger of this worker. Default: the system's logger. */
  logger?: Logger;
}

/** Batching of one handler with its defaults filled in. */
export interface ResolvedBatch {
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
}

/** Worker options with defaults filled in. */
export interface ResolvedWorkerOptions {
  readonly transport: WorkerTransportOptions;
  readonly name: string | undefined;
  readonly maxInFlight: number;
  readonly maxQueued: number;
  readonly batch: ResolvedBatch | false;
  readonly batchByHandler: ReadonlyMap<string, ResolvedBatch | false>;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly defaultTimeoutMs: number | 'infinity';
  readonly logger: Logger | undefined;
}

// Options that belong to the Node side and are not passed on to the transport.
const WORKER_ONLY_OPTIONS = [
  'maxInFlight',
  'maxQueued',
  'batch',
  'batchByHandler',
  'threads',
  'heartbeatMs',
  'heartbeatTimeoutMs',
  'drainTimeoutMs',
  'defaultTimeoutMs',
  'logger',
  'register',
] as const;

const DEFAULT_BATCH: ResolvedBatch = { maxBatchSize: 32, maxWaitMs: 2 };

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalidArgument(name, 'a positive integer', value);
  }
  return value;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidArgument(name, 'a non-negative number of milliseconds', value);
  }
  return value;
}

/** Checks a timeout: a non-negative number of milliseconds or 'infinity'. */
export function checkRequestTimeout(name: string, value: unknown): number | 'infinity' {
  if (value === 'infinity') return value;
  return nonNegative(name, value, 0);
}

function resolveBatch(
  name: string,
  value: BatchOptions | false | undefined,
): ResolvedBatch | false {
  if (value === false) return false;
  if (value === undefined) return DEFAULT_BATCH;
  if (value === null || typeof value !== 'object') {
    invalidArgument(name, 'false or { maxBatchSize, maxWaitMs }', value);
  }
  return {
    maxBatchSize: positiveInteger(
      `${name}.maxBatchSize`,
      value.maxBatchSize,
      DEFAULT_BATCH.maxBatchSize,
    ),
    maxWaitMs: nonNegative(`${name}.maxWaitMs`, value.maxWaitMs, DEFAULT_BATCH.maxWaitMs),
  };
}

/** Checks worker options and fills in their defaults. */
export function resolveWorkerOptions(options: PythonWorkerOptions): ResolvedWorkerOptions {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', "an options object such as { handlers: ['my_models'] }", options);
  }

  const heartbeatMs = nonNegative('options.heartbeatMs', options.heartbeatMs, 5000);
  const heartbeatTimeoutMs = nonNegative(
    'options.heartbeatTimeoutMs',
    options.heartbeatTimeoutMs,
    heartbeatMs * 2,
  );
  if (heartbeatMs > 0 && heartbeatTimeoutMs < heartbeatMs) {
    invalidArgument(
      'options.heartbeatTimeoutMs',
      `at least heartbeatMs (${heartbeatMs})`,
      heartbeatTimeoutMs,
    );
  }

  const byHandler = new Map<string, ResolvedBatch | false>();
  for (const [handler, batch] of Object.entries(options.batchByHandler ?? {})) {
    byHandler.set(handler, resolveBatch(`options.batchByHandler.${handler}`, batch));
  }

  const threads = positiveInteger('options.threads', options.threads, 4);
  // Node sends its own pings, so the worker's unprompted heartbeats stay off.
  const args = ['--threads', String(threads), '--heartbeat-ms', '0', ...(options.args ?? [])];
  const transport: Record<string, unknown> = { ...options, args };
  for (const key of WORKER_ONLY_OPTIONS) delete transport[key];

  return {
    transport: transport as unknown as WorkerTransportOptions,
    name: options.name,
    maxInFlight: positiveInteger('options.maxInFlight', options.maxInFlight, 64),
    maxQueued: nonNegative('options.maxQueued', options.maxQueued, 1024),
    batch: resolveBatch('options.batch', options.batch),
    batchByHandler: byHandler,
    heartbeatMs,
    heartbeatTimeoutMs,
    drainTimeoutMs: nonNegative('options.drainTimeoutMs', options.drainTimeoutMs, 5000),
    defaultTimeoutMs: checkRequestTimeout(
      'options.defaultTimeoutMs',
      options.defaultTimeoutMs ?? 5000,
    ),
    logger: options.logger,
  };
}
