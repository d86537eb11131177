/**
 * The Node side of one worker's requests: admission under the in-flight cap with a bounded
 * queue, deadlines and cancellation, batching, final frames matched to callers by id, heartbeats,
 * drain, and the failure of everything in flight when the worker process ends.
 */
import {
  type ActorSystem,
  isStarweaveError,
  type Logger,
  type StarweaveError,
} from '@starweave/actors';
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
import { HeartbeatMonitor } from './heartbeat-monitor.js';
import { checkRequestTimeout, type ResolvedWorkerOptions } from './options.js';
import { PendingRequest } from './pending-request.js';
import { remoteError } from './remote-error.js';
import {
  abortedBeforeError,
  abortedError,
  deadlineError,
  handlerNotFoundError,
  notRunningError,
  overloadedError,
  sendError,
  stoppedError,
  workerExitError,
  wrongModeError,
} from './request-errors.js';
import { RequestEvents } from './request-events.js';
import type { RequestTarget } from './targets.js';
import { WaitQueue } from './wait-queue.js';

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
  private readonly waiting = new WaitQueue();
  private queued = 0;
  private inFlight = 0;
  private readonly batchers = new Map<string, Batcher | null>();
  private readonly heartbeats: HeartbeatMonitor;
  private readonly events: RequestEvents;
  private killReason: string | undefined;
  private stopRequested = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly transport: WorkerTransport,
    readonly options: ResolvedWorkerOptions,
    private readonly system: ActorSystem,
  ) {
    this.logger = options.logger ?? system.logger;
    this.name = transport.workerName;
    this.handlers = new Map((transport.hello?.handlers ?? []).map((info) => [info.name, info]));
    this.heartbeats = new HeartbeatMonitor(options.heartbeatTimeoutMs);
    this.events = new RequestEvents(this.name, this.logger, system);
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
      this.events.overloaded(this.inFlight, this.queued);
      reject(overloadedError(this.name, handler, this.inFlight, this.queued));
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
    if (this.status !== 'running') return notRunningError(this.name, handler, this.status);
    const info = this.handlers.get(handler);
    if (info === undefined) {
      const error = handlerNotFoundError(this.name, handler, [...this.handlers.keys()]);
      this.events.failed(handler, undefined, error);
      return error;
    }
    if (info.stream !== streaming) return wrongModeError(this.name, handler, info.stream);
    if (options.signal?.aborted) {
      return abortedBeforeError(this.name, handler, options.signal.reason);
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
      const entry = this.waiting.shift();
      if (entry === undefined) return;
      this.queued--;
      this.admit(entry);
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
      // The frame holds its own copy, so a large payload need not live until the answer.
      entry.payload = undefined;
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
      for (const entry of batch) {
        entry.state = 'sent';
        entry.payload = undefined;
      }
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
    const failure = sendError(this.name, entry, error);
    this.events.failed(entry.handler, entry.id, failure);
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
        this.heartbeats.replied(frame.seq);
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
    this.events.failed(entry.handler, entry.id, error);
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
    this.events.completed(entry, undefined);
    if (entry.stream !== undefined) entry.stream.end();
    else entry.resolve(value);
  }

  private settleError(entry: PendingRequest, error: StarweaveError): void {
    if (!this.finish(entry)) return;
    this.counters.failed++;
    this.events.completed(entry, error);
    if (entry.stream !== undefined) entry.stream.fail(error);
    else entry.reject(error);
  }

  private expire(entry: PendingRequest, timeoutMs: number): void {
    entry.timer = undefined;
    const sent = entry.state === 'sent';
    const error = deadlineError(this.name, entry, timeoutMs);
    this.events.failed(entry.handler, entry.id, error);
    // NOTE: the in-flight slot is free from here on, although a handler that ignores the
    // cancel keeps its Python thread until it returns; the worker's --threads bounds those.
    this.settleError(entry, error);
    if (sent) this.sendQuietly({ type: 'cancel', id: entry.id });
  }

  private abort(entry: PendingRequest, reason: unknown): void {
    const sent = entry.state === 'sent';
    const error = abortedError(this.name, entry, reason);
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
    this.waiting.clear();
    return count;
  }

  // ---- heartbeats ----

  /**
   * Sends a ping, or kills the worker when the last ping has gone unanswered for
   * `heartbeatTimeoutMs`. Call it every `heartbeatMs`.
   */
  heartbeat(): void {
    if (this.status === 'stopped') return;
    const action = this.heartbeats.tick(this.system.clock.now());
    if (action === 'ping') {
      this.sendQuietly({ type: 'heartbeat', seq: this.heartbeats.seq });
    } else if (action === 'overdue') {
      // Input that waited while the event loop was busy is read first, so a long synchronous
      // task in Node does not make a healthy worker look hung.
      const sentAt = this.heartbeats.sentAt;
      setImmediate(() => {
        if (this.heartbeats.sentAt !== sentAt || this.status === 'stopped') return;
        this.killHung(this.system.clock.now() - sentAt!);
      });
    }
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
    const error = workerExitError(this.name, this.transport.osPid, exit, this.killReason);
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
    this.failAll(stoppedError(this.name, reason));
    this.transport.kill('SIGKILL');
  }
}

function noop(): void {}
