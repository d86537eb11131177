/**
 * Worker-thread offload: CPU-heavy functions run in a piscina pool, never on the scheduler's
 * thread, so timers and messages keep flowing. A call is cancelled when the calling process
 * ends or its timeout passes; a full queue is an error the caller sees, not a hidden buffer.
 */
import { Piscina } from 'piscina';
import { type Caller, callerContext } from './caller.js';
import { StarweaveError, checkTimeout, invalidArgument } from './errors.js';
import type { Proc } from './process.js';

/** Options of {@link OffloadPool}. */
export interface OffloadPoolOptions {
  /** Path or file URL of the worker module; its exports are the functions to run. */
  filename: string | URL;
  /** Worker threads. Default: piscina's default (the number of cores). */
  maxThreads?: number;
  /** Tasks that may wait for a thread before `run` fails with ERR_OVERLOADED. Default 1000. */
  maxQueue?: number;
}

/** Options of {@link OffloadPool.run}. */
export interface OffloadRunOptions {
  /** The exported function to call. Default: the module's default export. */
  name?: string;
  /** Cancels the task when it aborts. */
  signal?: AbortSignal;
  /** Cancels the task after this time. Default `'infinity'`. */
  timeoutMs?: number | 'infinity';
  /** Buffers to move to the worker instead of copying. */
  transferList?: ArrayBuffer[];
}

/**
 * A pool of worker threads for CPU-heavy functions.
 *
 * @example
 * ```ts no-run
 * import { ActorSystem, OffloadPool } from '@starweave/actors';
 * const system = new ActorSystem();
 * const pool = new OffloadPool({ filename: new URL('./hash-worker.mjs', import.meta.url) });
 * const digest = await pool.run(system, { text: 'abc' }, { name: 'sha256', timeoutMs: 1000 });
 * await pool.close();
 * ```
 */
export class OffloadPool {
  private readonly pool: Piscina;
  private readonly maxQueue: number;

  constructor(options: OffloadPoolOptions) {
    if (options === null || typeof options !== 'object') invalidArgument('options', 'an options object', options);
    const filename = options.filename instanceof URL ? options.filename.href : options.filename;
    if (typeof filename !== 'string' || filename.length === 0) {
      invalidArgument('options.filename', 'the path or file URL of a worker module', options.filename);
    }
    this.maxQueue = options.maxQueue ?? 1000;
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) {
      invalidArgument('options.maxQueue', 'a non-negative integer', options.maxQueue);
    }
    this.pool = new Piscina({
      filename,
      maxQueue: this.maxQueue,
      ...(options.maxThreads === undefined ? {} : { maxThreads: options.maxThreads, minThreads: Math.min(1, options.maxThreads) }),
    });
  }

  /** Returns the number of tasks waiting for a thread. */
  get queueSize(): number {
    return this.pool.queueSize;
  }

  /**
   * Runs `task` in a worker and resolves with the worker's result. Fails with ERR_OVERLOADED
   * when the queue is full, ERR_CANCELLED when the caller ends or the signal aborts,
   * ERR_DEADLINE on timeout, and with the worker's own error (message and stack) when it throws.
   */
  async run<T = unknown>(caller: Caller, task: unknown, options: OffloadRunOptions = {}): Promise<T> {
    const ctx = callerContext(caller) as Proc;
    const system = ctx.system;
    const timeout = checkTimeout('options.timeoutMs', options.timeoutMs ?? 'infinity');
    if (this.pool.queueSize >= this.maxQueue && this.pool.threads.length > 0) {
      throw this.overloaded();
    }
    const controller = new AbortController();
    let why: StarweaveError | null = null;
    const abort = (error: StarweaveError) => {
      if (why !== null) return;
      why = error;
      controller.abort(error);
    };
    const onSignal = () =>
      abort(new StarweaveError('ERR_CANCELLED', 'offloaded task was cancelled by its AbortSignal'));
    options.signal?.addEventListener('abort', onSignal, { once: true });
    if (options.signal?.aborted) onSignal();
    // The caller's end cancels the task: a dead process has nobody to take the result.
    const monitor =
      ctx === (system.rootContext as Proc)
        ? null
        : system.addMonitor(null, ctx.pid, () =>
            abort(new StarweaveError('ERR_CANCELLED', `offloaded task was cancelled because ${ctx.pid} ended`)),
          );
    const timer =
      timeout === 'infinity'
        ? null
        : system.trackTimer(
            () =>
              abort(
                new StarweaveError('ERR_DEADLINE', `offloaded task did not finish within ${timeout} ms`, {
                  details: { timeoutMs: timeout },
                }),
              ),
            timeout,
          );
    try {
      return (await this.pool.run(task, {
        name: options.name,
        signal: controller.signal,
        transferList: options.transferList,
      })) as T;
    } catch (error) {
      if (why !== null) throw why;
      if (error instanceof Error && error.message === 'Task queue is at limit') throw this.overloaded();
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onSignal);
      if (monitor !== null) system.removeMonitor(monitor);
      if (timer !== null) system.cancelTimer(timer);
    }
  }

  private overloaded(): StarweaveError {
    return new StarweaveError(
      'ERR_OVERLOADED',
      `offload queue is full (maxQueue ${this.maxQueue}); retry later or raise maxQueue.`,
      { details: { maxQueue: this.maxQueue } },
    );
  }

  /** Stops every worker thread; pending tasks fail. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
