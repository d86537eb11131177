/**
 * The Node side of one worker's requests: admission under the in-flight cap with a bounded
 * queue, deadlines and cancellation, batching, final frames matched to callers by id, heartbeats,
 * drain, and the failure of everything in flight when the worker process ends.
 */
import { type ActorSystem, isStarweaveError, type Logger, StarweaveError } from '@starweave/actors';
import type { RequestCompleted } from '../telemetry.js';
import type {
  HandlerInfo,
  NodeFrame,
  WorkerErrorFrame,
  WorkerExit,
  WorkerFrame,
  WorkerTransport,
} from '../transport/index.js';
import { Batcher } from './batcher.js';
import { ChunkStream } from './chunk-stream.js';
import { checkRequestTimeout, type ResolvedWorkerOptions } from './options.js';
import { PendingRequest } from './pending-request.js';
import { remoteError } from './remote-error.js';
import type { RequestTarget } from './targets.js';

/** Options of one request. */
export interface RequestOptions {
  /**
   * Time until the deadline, in ms, or 'infinity'. The deadline travels to the worker; when it
   * passes, the caller fails with ERR_DEADLINE and the worker gets a cancel frame. Default: the
   * worker's `defaultTimeoutMs` (5000).
   */
  timeoutMs?: number | 'infinity';
  /** Cancels the request: the caller fails with ERR_CANCELLED and the worker gets a cancel. */
  signal?: AbortSignal;
}

/** Whether a worker takes requests: running, draining (finishing what it has) or stopped. */
export type WorkerStatus = 'running' | 'draining' | 'stopped';

/** Counters of one worker since it started. */
export interface WorkerCounters {
  /** Requests that completed with a result. */
  completed: number;
  /** Requests that failed, for any reason. */
  failed: number;
  /** Requests rejected with ERR_OVERLOADED. */
  overloaded: number;
  /** Final frames that arrived after their request had timed out or been cancelled. */
  discarded: number;
  /** Batch frames sent. */
  batches: number;
}

// Ids come from one counter per Node process, so they never repeat, not even across sessions
// with a remote worker that may still run requests of an earlier session.
let nextRequestId = 1;

const OVERLOAD_LOG_INTERVAL_MS = 1000;

/** The requests of one worker process, between the callers and its transport. */
export class WorkerCore implements RequestTarget {
  readonly kind = 'worker';
  status: WorkerStatus = 'running';
  /** The worker's name, from its hello. */
  readonly name: string;
  /** The handlers the worker offers, by name. */
  readonly handlers: ReadonlyMap<string, HandlerInfo>;
  readonly counters: WorkerCounters = {
    completed: 0,
    failed: 0,
    overloaded: 0,
    discarded: 0,
    batches: 0,
  };
  /** Runs once when the worker ends without having been asked to stop. */
  onLost: ((error: StarweaveError) => void) | undefined;

  private readonly logger: Logger;
  private readonly requests = new Map<number, PendingRequest>();
  private waiting: PendingRequest[] = [];
  private waitingHead = 0;
  private queued = 0;
  private inFlight = 0;
  private readonly batchers = new Map<string, Batcher | null>();
  private pingSeq = 0;
  private pingSentAt: number | undefined;
  private killReason: string | undefined;
  private stopRequested = false;
  private idleWaiters: Array<() => void> = [];
  private lastOverloadLog = Number.NEGATIVE_INFINITY;
  private overloadsSinceLog = 0;

  constructor(
    readonly transport: WorkerTransport,
    readonly options: ResolvedWorkerOptions,
    private readonly system: ActorSystem,
  ) {
    this.logger = options.logger ?? system.logger;
    this.name = transport.workerName;
    this.handlers = new Map((transport.hello?.handlers ?? []).map((info) => [info.name, info]));
    transport.on('frame', (frame) => this.onFrame(frame));
    transport.on('channelError', (error) => this.onChannelError(error));
    transport.on('exit', (exit) => this.onExit(exit));
  }

  /** Returns the requests in flight plus those waiting for a slot: the routing load. */
  get load(): number {
    return this.inFlight + this.queued;
  }

  /** Returns the requests admitted (collected into a batch or sent) and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Returns the requests waiting for an in-flight slot. */
  get queuedCount(): number {
    return this.queued;
  }

  /** Sends a request and resolves with its result. */
  call(handler: string, payload: unknown, options: RequestOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.start(handler, payload, options, resolve, reject, undefined);
    });
  }

  /** Sends a request to a streaming handler and returns its chunks as an async iterable. */
  stream(handler: string, payload: unknown, options: RequestOptions = {}): ChunkStream {
    let entry: PendingRequest | undefined;
    const chunks = new ChunkStream(() => {
      if (entry !== undefined) this.cancelStream(entry);
    });
    entry = this.start(
      handler,
      payload,
      options,
      noop,
      (error) => chunks.fail(error as StarweaveError),
      chunks,
    );
    return chunks;
  }

  // ---- admission ----

  private start(
    handler: string,
    payload: unknown,
    options: RequestOptions,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    stream: ChunkStream | undefined,
  ): PendingRequest | undefined {
    const refusal = this.check(handler, options, stream !== undefined);
    if (refusal !== undefined) {
      this.counters.failed++;
      reject(refusal);
      return undefined;
    }
    const timeout = checkRequestTimeout(
      'options.timeoutMs',
      options.timeoutMs ?? this.options.defaultTimeoutMs,
    );
    const id = nextRequestId++;
    const deadline = timeout === 'infinity' ? null : Date.now() + timeout;
    const entry = new PendingRequest(
      id,
      handler,
      payload,
      deadline,
      resolve,
      reject,
      this.system.clock.now(),
    );
    entry.stream = stream;

    if (this.inFlight >= this.options.maxInFlight && this.queued >= this.options.maxQueued) {
      this.counters.failed++;
      this.counters.overloaded++;
      this.logOverload();
      reject(
        new StarweaveError(
          'ERR_OVERLOADED',
          `Python worker ${JSON.stringify(this.name)} is overloaded: ${this.inFlight} requests ` +
            `are in flight and ${this.queued} wait, the maximum of ${this.options.maxQueued}. ` +
            'Retry later, add workers or raise maxInFlight or maxQueued.',
          { details: { worker: this.name, handler, inFlight: this.inFlight, queued: this.queued } },
        ),
      );
      return undefined;
    }

    this.requests.set(id, entry);
    if (timeout !== 'infinity') {
      entry.timer = this.system.deadlines.schedule(timeout, () => this.expire(entry, timeout));
    }
    const signal = options.signal;
    if (signal !== undefined) {
      const onAbort = () => this.abort(entry, signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      entry.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    if (this.inFlight < this.options.maxInFlight) {
      this.admit(entry);
    } else {
      this.waiting.push(entry);
      this.queued++;
    }
    return entry;
  }

  private check(
    handler: string,
    options: RequestOptions,
    streaming: boolean,
  ): StarweaveError | undefined {
    if (this.status !== 'running') {
      return new StarweaveError(
        'ERR_NOCONNECTION',
        `Python worker ${JSON.stringify(this.name)} is ${this.status === 'draining' ? 'shutting down' : 'stopped'} ` +
          'and takes no new requests. Send to another worker or to a pool.',
        { details: { worker: this.name, handler, status: this.status } },
      );
    }
    const info = this.handlers.get(handler);
    if (info === undefined) {
      const offered = [...this.handlers.keys()].sort().join(', ') || 'no handlers';
      const error = new StarweaveError(
        'ERR_NOT_FOUND',
        `handler ${JSON.stringify(handler)} is not found on Python worker ${JSON.stringify(this.name)}, ` +
          `which offers ${offered}. Check the name, or add the module that defines it to handlers.`,
        { details: { worker: this.name, handler, offered: [...this.handlers.keys()] } },
      );
      this.logFailure(handler, undefined, error);
      return error;
    }
    if (info.stream !== streaming) {
      const use = info.stream ? 'stream()' : 'call()';
      return new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `handler ${JSON.stringify(handler)} ${info.stream ? 'streams its results' : 'returns one result'}; use ${use} for it.`,
        { details: { worker: this.name, handler } },
      );
    }
    if (options.signal?.aborted) {
      return new StarweaveError(
        'ERR_CANCELLED',
        `the request to ${JSON.stringify(handler)} was cancelled before it was sent.`,
        {
          cause: options.signal.reason,
          details: { worker: this.name, handler },
        },
      );
    }
    return undefined;
  }

  private admit(entry: PendingRequest): void {
    this.inFlight++;
    const batcher = this.batcherFor(entry.handler);
    if (batcher === null) this.sendOne(entry);
    else batcher.add(entry);
  }

  // Takes waiting requests into free slots, oldest first.
  private pump(): void {
    while (
      this.queued > 0 &&
      this.inFlight < this.options.maxInFlight &&
      this.status !== 'stopped'
    ) {
      const entry = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead] = undefined as unknown as PendingRequest;
      this.waitingHead++;
      if (entry.state !== 'queued') continue;
      this.queued--;
      this.admit(entry);
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private batcherFor(handler: string): Batcher | null {
    let batcher = this.batchers.get(handler);
    if (batcher !== undefined) return batcher;
    const info = this.handlers.get(handler);
    const configured = this.options.batchByHandler.get(handler) ?? this.options.batch;
    if (info === undefined || !info.batch || configured === false) {
      batcher = null;
    } else {
      const maxBatchSize = Math.min(
        configured.maxBatchSize,
        info.maxBatchSize ?? Number.POSITIVE_INFINITY,
      );
      batcher = new Batcher(
        handler,
        { ...configured, maxBatchSize },
        this.system.clock,
        (name, batch) => this.sendBatch(name, batch),
      );
    }
    this.batchers.set(handler, batcher);
    return batcher;
  }

  // ---- sending ----

  private sendOne(entry: PendingRequest): void {
    try {
      this.transport.send({
        type: 'request',
        id: entry.id,
        handler: entry.handler,
        payload: entry.payload,
        deadline: entry.deadline,
      });
      entry.state = 'sent';
    } catch (error) {
      this.failSend(entry, error);
    }
  }

  private sendBatch(handler: string, batch: PendingRequest[]): void {
    let deadline: number | null = null;
    for (const entry of batch) {
      if (entry.deadline !== null && (deadline === null || entry.deadline < deadline))
        deadline = entry.deadline;
    }
    try {
      this.transport.send({
        type: 'batch',
        ids: batch.map((entry) => entry.id),
        handler,
        payloads: batch.map((entry) => entry.payload),
        deadline,
      });
      this.counters.batches++;
      for (const entry of batch) entry.state = 'sent';
    } catch (error) {
      const encoding =
        isStarweaveError(error, 'ERR_ENCODE') || isStarweaveError(error, 'ERR_FRAME_TOO_LARGE');
      if (encoding && batch.length > 1) {
        // Halves until the payload that cannot be encoded (or the frame that fits) is found,
        // so one bad payload fails only its own caller.
        const middle = Math.ceil(batch.length / 2);
        this.sendBatch(handler, batch.slice(0, middle));
        this.sendBatch(handler, batch.slice(middle));
        return;
      }
      for (const entry of batch) this.failSend(entry, error);
    }
  }

  private failSend(entry: PendingRequest, error: unknown): void {
    if (!isStarweaveError(error)) throw error;
    const failure =
      error.code === 'ERR_NOCONNECTION'
        ? error
        : new StarweaveError(
            error.code,
            `cannot send the request to handler ${JSON.stringify(entry.handler)} on Python worker ` +
              `${JSON.stringify(this.name)}: ${error.message}`,
            {
              cause: error,
              details: { ...error.details, worker: this.name, handler: entry.handler },
            },
          );
    this.logFailure(entry.handler, entry.id, failure);
    this.settleError(entry, failure);
  }

  private sendQuietly(frame: NodeFrame): void {
    try {
      this.transport.send(frame);
    } catch (error) {
      if (!isStarweaveError(error, 'ERR_NOCONNECTION')) throw error;
    }
  }

  // ---- answers ----

  private onFrame(frame: WorkerFrame): void {
    switch (frame.type) {
      case 'response': {
        const entry = this.requests.get(frame.id);
        if (entry === undefined) {
          this.counters.discarded++;
        } else if (entry.stream !== undefined) {
          entry.stream.push(frame.result);
          this.settleValue(entry, undefined);
        } else {
          this.settleValue(entry, frame.result);
        }
        return;
      }
      case 'error':
        if (frame.id === null) this.onWorkerError(frame);
        else this.onRequestError(frame);
        return;
      case 'chunk':
        this.requests.get(frame.id)?.stream?.push(frame.data);
        return;
      case 'end': {
        const entry = this.requests.get(frame.id);
        if (entry === undefined) this.counters.discarded++;
        else this.settleValue(entry, undefined);
        return;
      }
      case 'heartbeat':
        if (frame.seq === this.pingSeq) this.pingSentAt = undefined;
        return;
      default:
        return;
    }
  }

  private onRequestError(frame: WorkerErrorFrame): void {
    const entry = this.requests.get(frame.id!);
    if (entry === undefined) {
      this.counters.discarded++;
      return;
    }
    const error = remoteError(frame, this.name, entry.handler);
    this.logFailure(entry.handler, entry.id, error);
    this.settleError(entry, error);
  }

  private onWorkerError(frame: WorkerErrorFrame): void {
    this.logger.log('warn', 'bridge.worker_error', {
      worker: this.name,
      code: frame.code,
      errorType: frame.errorType,
      message: frame.message,
    });
  }

  private onChannelError(error: StarweaveError): void {
    if (error.code === 'ERR_DECODE' && !this.transport.isRunning) {
      this.killReason = `it sent bytes that are not a frame (${error.message})`;
    }
  }

  // ---- settling ----

  // Marks a request settled exactly once, frees its slot and stops its timer and listener.
  private finish(entry: PendingRequest): boolean {
    const previous = entry.state;
    if (previous === 'settled') return false;
    entry.state = 'settled';
    this.requests.delete(entry.id);
    if (entry.timer !== undefined) this.system.deadlines.cancel(entry.timer);
    entry.timer = undefined;
    entry.detachSignal?.();
    if (previous === 'queued') {
      this.queued--;
    } else {
      if (previous === 'batched') this.batchers.get(entry.handler)?.remove(entry);
      this.inFlight--;
      this.pump();
    }
    if (this.requests.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
    return true;
  }

  private settleValue(entry: PendingRequest, value: unknown): void {
    if (!this.finish(entry)) return;
    this.counters.completed++;
    this.emitCompleted(entry, undefined);
    if (entry.stream !== undefined) entry.stream.end();
    else entry.resolve(value);
  }

  private settleError(entry: PendingRequest, error: StarweaveError): void {
    if (!this.finish(entry)) return;
    this.counters.failed++;
    this.emitCompleted(entry, error);
    if (entry.stream !== undefined) entry.stream.fail(error);
    else entry.reject(error);
  }

  private expire(entry: PendingRequest, timeoutMs: number): void {
    entry.timer = undefined;
    const sent = entry.state === 'sent';
    const where =
      entry.state === 'queued'
        ? 'waiting for an in-flight slot'
        : sent
          ? 'in flight'
          : 'waiting for its batch';
    const error = new StarweaveError(
      'ERR_DEADLINE',
      `request ${entry.id} to handler ${JSON.stringify(entry.handler)} on Python worker ` +
        `${JSON.stringify(this.name)} passed its deadline of ${timeoutMs} ms while ${where}. ` +
        'Raise timeoutMs or make the handler faster.',
      { details: { worker: this.name, handler: entry.handler, id: entry.id, timeoutMs } },
    );
    this.logFailure(entry.handler, entry.id, error);
    // NOTE: the in-flight slot is free from here on, although a handler that ignores the
    // cancel keeps its Python thread until it returns; the worker's --threads bounds those.
    this.settleError(entry, error);
    if (sent) this.sendQuietly({ type: 'cancel', id: entry.id });
  }

  private abort(entry: PendingRequest, reason: unknown): void {
    const sent = entry.state === 'sent';
    const error = new StarweaveError(
      'ERR_CANCELLED',
      `request ${entry.id} to handler ${JSON.stringify(entry.handler)} on Python worker ` +
        `${JSON.stringify(this.name)} was cancelled through its AbortSignal.`,
      { cause: reason, details: { worker: this.name, handler: entry.handler, id: entry.id } },
    );
    this.settleError(entry, error);
    if (sent) this.sendQuietly({ type: 'cancel', id: entry.id });
  }

  private cancelStream(entry: PendingRequest): void {
    const sent = entry.state === 'sent';
    if (!this.finish(entry)) return;
    if (sent) this.sendQuietly({ type: 'cancel', id: entry.id });
  }

  /** Fails every request that has not been answered with `error`; returns how many. */
  failAll(error: StarweaveError): number {
    let count = 0;
    for (const batcher of this.batchers.values()) batcher?.takeAll();
    for (const entry of [...this.requests.values()]) {
      this.settleError(entry, error);
      count++;
    }
    this.waiting = [];
    this.waitingHead = 0;
    return count;
  }

  // ---- heartbeats ----

  /**
   * Sends a ping, or kills the worker when the last ping has gone unanswered for
   * `heartbeatTimeoutMs`. Call it every `heartbeatMs`.
   */
  heartbeat(): void {
    if (this.status === 'stopped') return;
    const now = this.system.clock.now();
    const sentAt = this.pingSentAt;
    if (sentAt !== undefined && now - sentAt >= this.options.heartbeatTimeoutMs) {
      // Input that waited while the event loop was busy is read first, so a long synchronous
      // task in Node does not make a healthy worker look hung.
      setImmediate(() => {
        if (this.pingSentAt !== sentAt || this.status === 'stopped') return;
        this.killHung(this.system.clock.now() - sentAt);
      });
      return;
    }
    if (sentAt !== undefined) return;
    this.pingSeq++;
    this.pingSentAt = now;
    this.sendQuietly({ type: 'heartbeat', seq: this.pingSeq });
  }

  private killHung(silentMs: number): void {
    this.killReason = `it left a heartbeat unanswered for ${Math.round(silentMs)} ms`;
    this.logger.log('error', 'bridge.worker_hung', {
      worker: this.name,
      osPid: this.transport.osPid,
      silentMs: Math.round(silentMs),
      inFlight: this.inFlight,
    });
    this.transport.kill('SIGKILL');
  }

  // ---- stop ----

  private onExit(exit: WorkerExit): void {
    const requested = this.stopRequested;
    this.status = 'stopped';
    const how = exit.signal
      ? `was killed by ${exit.signal}`
      : exit.code === null
        ? 'lost its connection'
        : `exited with status ${exit.code}`;
    const why = this.killReason === undefined ? '' : ` after ${this.killReason}`;
    const error = new StarweaveError(
      'ERR_NOCONNECTION',
      `Python worker ${JSON.stringify(this.name)} ${how}${why}, so the requests in flight on it failed.`,
      {
        details: {
          worker: this.name,
          osPid: this.transport.osPid,
          code: exit.code,
          signal: exit.signal,
          reason: this.killReason,
        },
      },
    );
    const failed = this.failAll(error);
    if (requested) return;
    this.logger.log('error', 'bridge.worker_lost', {
      worker: this.name,
      osPid: this.transport.osPid,
      code: exit.code,
      signal: exit.signal,
      reason: this.killReason,
      failedRequests: failed,
    });
    this.onLost?.(error);
  }

  /** Stops taking new requests; those in flight and waiting go on. */
  stopAccepting(): void {
    if (this.status === 'running') this.status = 'draining';
  }

  /**
   * Stops taking new requests and waits up to `graceMs` for those in flight and waiting. Then
   * it shuts the worker down, and requests still running fail with ERR_CANCELLED.
   */
  async drain(graceMs: number): Promise<WorkerExit> {
    if (this.status === 'stopped') return this.transport.exited;
    this.status = 'draining';
    this.stopRequested = true;
    for (const batcher of this.batchers.values()) batcher?.flush();
    if (this.requests.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const left = this.requests.size;
    if (left > 0) {
      this.logger.log('warn', 'bridge.drain_timed_out', { worker: this.name, graceMs, left });
    }
    this.logger.log('info', 'bridge.worker_stopping', { worker: this.name, left });
    return this.transport.close(0);
  }

  /**
   * Stops at once: kills the worker and fails everything in flight with ERR_NOCONNECTION. For
   * a worker process that ended without a drain (killed, or its system shut down).
   */
  close(reason: string): void {
    if (this.status === 'stopped') return;
    this.stopRequested = true;
    this.status = 'stopped';
    this.failAll(
      new StarweaveError(
        'ERR_NOCONNECTION',
        `Python worker ${JSON.stringify(this.name)} stopped (${reason}) before it answered.`,
        { details: { worker: this.name, reason } },
      ),
    );
    this.transport.kill('SIGKILL');
  }

  // ---- logs and telemetry ----

  private logFailure(handler: string, id: number | undefined, error: StarweaveError): void {
    this.logger.log('warn', 'bridge.request_failed', {
      worker: this.name,
      handler,
      id,
      code: error.code,
      errorType: error.details?.errorType,
      message: error.message,
    });
  }

  private logOverload(): void {
    this.overloadsSinceLog++;
    const now = this.system.clock.now();
    if (now - this.lastOverloadLog < OVERLOAD_LOG_INTERVAL_MS) return;
    this.logger.log('warn', 'bridge.overloaded', {
      worker: this.name,
      rejected: this.overloadsSinceLog,
      inFlight: this.inFlight,
      queued: this.queued,
    });
    this.lastOverloadLog = now;
    this.overloadsSinceLog = 0;
  }

  private emitCompleted(entry: PendingRequest, error: StarweaveError | undefined): void {
    if (this.system.telemetry.listenerCount('bridge.request_completed') === 0) return;
    const event: RequestCompleted = {
      worker: this.name,
      handler: entry.handler,
      id: entry.id,
      durationMs: this.system.clock.now() - entry.startedAt,
      code: error?.code,
    };
    this.system.emitEvent('bridge.request_completed', event);
  }
}

function noop(): void {}
