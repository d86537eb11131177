/**
 * PythonWorker: a process that owns one Python worker. It starts the worker and runs the
 * handshake in `init`, pings it, stops with ERR_NOCONNECTION when the worker dies or hangs
 * (so its supervisor restarts it), and drains on shutdown.
 */
import {
  type Caller,
  callerContext,
  type Dest,
  formatReason,
  GenServer,
  isNormalReason,
  isStarweaveError,
  type Pid,
  type ProcessContext,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { type HandlerInfo, WorkerTransport } from '../transport/index.js';
import { DeferredTarget } from './deferred-target.js';
import {
  type PythonWorkerOptions,
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
} from './options.js';
import { findTarget, registerTarget, unregisterTarget } from './targets.js';
import { WorkerCore, type WorkerCounters, type WorkerStatus } from './worker-core.js';

/** A worker's state, as {@link info} reports it. */
export interface WorkerInfo {
  /** The worker's name, from its hello. */
  name: string;
  /** The Python process id (on its own machine for a remote worker). */
  osPid: number | undefined;
  status: WorkerStatus;
  /** The handlers the worker offers. */
  handlers: HandlerInfo[];
  /** Requests collected into a batch or sent, still awaiting their final frame. */
  inFlight: number;
  /** Requests waiting for an in-flight slot. */
  queued: number;
  /** The frame size limit agreed in the handshake, in bytes. */
  maxFrameBytes: number;
  /** The bound ZeroMQ endpoint, for a worker that uses ZeroMQ. */
  endpoint: string | undefined;
  counters: WorkerCounters;
}

/** The child-spec fields that {@link childSpec} lets a caller set. */
export interface WorkerChildOptions {
  /** The child's id. Default: the worker's name, else `'python-worker'`. */
  id?: string;
  /** Default `'permanent'`. */
  restart?: 'permanent' | 'transient' | 'temporary';
  /** Default: `drainTimeoutMs` plus 5 seconds, so a drain can finish before a kill. */
  shutdown?: 'brutalKill' | number | 'infinity';
}

interface WorkerState {
  readonly core: WorkerCore;
  readonly options: ResolvedWorkerOptions;
}

/** The message a worker process receives when its Python worker has died or hung. */
class WorkerLost {
  constructor(readonly error: StarweaveError) {}
}

/** The message that times the next heartbeat. */
class HeartbeatTick {}
const HEARTBEAT_TICK = new HeartbeatTick();

// The margin beyond drainTimeoutMs that a supervisor waits before it kills a worker process:
// the worker's own shutdown may take up to 2 seconds after the drain.
const SHUTDOWN_MARGIN_MS = 5000;

const WorkerServer: GenServer.Spec<WorkerState, ResolvedWorkerOptions> = {
  name: 'PythonWorker',

  async init(options, self) {
    self.trapExit(true);
    const system = self.system;
    const pid = self.pid;
    const logger = options.logger ?? system.logger;
    const starting = new DeferredTarget(
      'worker',
      options.name ?? `of process ${pid}`,
      system.clock,
      options.maxQueued,
      options.defaultTimeoutMs,
    );
    let core: WorkerCore | undefined;
    registerTarget(system, pid, starting);
    system.addMonitor(null, pid, (down) => {
      const how = `its process ${pid} ended with ${formatReason(down.reason)}`;
      unregisterTarget(system, pid, core ?? starting);
      if (core !== undefined) core.close(how);
      else
        starting.failed(
          new StarweaveError('ERR_NOCONNECTION', `the Python worker stopped: ${how}.`),
        );
    });

    let transport: WorkerTransport;
    try {
      transport = await WorkerTransport.start({ ...options.transport, logger });
    } catch (error) {
      starting.failed(
        new StarweaveError(
          'ERR_NOCONNECTION',
          `the Python worker failed to start: ${(error as Error).message}`,
          {
            cause: error,
          },
        ),
      );
      throw error;
    }
    if (!system.isAlive(pid)) {
      // The process was killed while the worker started; nothing else would stop the worker.
      transport.kill();
      return { stop: 'killed' };
    }
    core = new WorkerCore(transport, options, system);
    registerTarget(system, pid, core);
    starting.ready(core);
    core.onLost = (error) => system.send(pid, new WorkerLost(error));
    if (options.heartbeatMs > 0) self.sendAfter(pid, HEARTBEAT_TICK, options.heartbeatMs);
    return { state: { core, options } };
  },

  handleInfo(message, state, self) {
    if (message instanceof WorkerLost) return { stop: message.error, state };
    if (message === HEARTBEAT_TICK) {
      state.core.heartbeat();
      self.sendAfter(self.pid, HEARTBEAT_TICK, state.options.heartbeatMs);
      return { noreply: true, state };
    }
    if (message?.type === 'EXIT' && !isNormalReason(message.reason)) {
      // A linked process other than the parent died; without trapping this process would too.
      return { stop: message.reason as Reason, state };
    }
    return { noreply: true, state };
  },

  async terminate(_reason, state) {
    if (state.core.status !== 'stopped') await state.core.drain(state.options.drainTimeoutMs);
  },

  formatStatus(status) {
    return { ...status, state: describeWorker(status.state.core) };
  },
};

function describeWorker(core: WorkerCore): WorkerInfo {
  return {
    name: core.name,
    osPid: core.transport.osPid,
    status: core.status,
    handlers: [...core.handlers.values()],
    inFlight: core.inFlightCount,
    queued: core.queuedCount,
    maxFrameBytes: core.transport.maxFrameBytes,
    endpoint: core.transport.endpoint,
    counters: { ...core.counters },
  };
}

function startWorker(caller: Caller, options: PythonWorkerOptions, link: boolean): Promise<Pid> {
  let resolved: ResolvedWorkerOptions;
  try {
    resolved = resolveWorkerOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const start = link ? GenServer.startLink : GenServer.start;
  const name = options.register === false ? undefined : options.name;
  return start(caller, WorkerServer, resolved, { name }).catch((error: unknown) => {
    // The transport's error explains why the worker failed to start, so it replaces the wrapper.
    if (isStarweaveError(error, 'ERR_START_FAILED') && isStarweaveError(error.cause))
      throw error.cause;
    throw error;
  });
}

/**
 * Starts a worker process linked to the caller and resolves with its pid once the Python
 * worker has completed its handshake. Fails with ERR_START_FAILED when the interpreter is
 * missing or unfit, a handler module fails to import, or no hello comes in time. Fails with
 * ERR_PROTOCOL on another protocol version, and with ERR_INVALID_ARGUMENT for bad options.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { PythonWorker, call } from '@starweave/ml-bridge';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const worker = await PythonWorker.startLink(system, {
 *   python: '/usr/bin/python3',
 *   handlers: ['starweave_bridge.examples'],
 * });
 * const total = await call<number>(system, worker, 'sum', [1, 2, 3.5]);
 * console.assert(total === 6.5);
 * await PythonWorker.stop(system, worker);
 * await system.shutdown();
 * ```
 */
export function startLink(caller: Caller, options: PythonWorkerOptions): Promise<Pid> {
  return startWorker(caller, options, true);
}

/** Starts a worker process with no link to the caller; otherwise as {@link startLink}. */
export function start(caller: Caller, options: PythonWorkerOptions): Promise<Pid> {
  return startWorker(caller, options, false);
}

/**
 * Returns a child spec that starts a worker under a supervisor. The shutdown time covers the
 * drain, so a supervisor stopping the worker lets requests in flight finish.
 */
export function childSpec(options: PythonWorkerOptions, child: WorkerChildOptions = {}) {
  const drainMs = options.drainTimeoutMs ?? 5000;
  return {
    id: child.id ?? options.name ?? 'python-worker',
    start: (ctx: ProcessContext) => startLink(ctx, options),
    restart: child.restart ?? 'permanent',
    shutdown: child.shutdown ?? drainMs + SHUTDOWN_MARGIN_MS,
    type: 'worker' as const,
  };
}

/**
 * Stops a worker: it takes no new requests, finishes those in flight (up to `drainTimeoutMs`)
 * and shuts the Python worker down. Resolves once the process has exited.
 */
export function stop(caller: Caller, worker: Dest, reason: Reason = 'normal'): Promise<void> {
  return GenServer.stop(caller, worker, reason);
}

/** Returns a worker's name, Python pid, handlers, load and counters, or fails with ERR_NOPROC. */
export function info(caller: Caller, worker: Dest): WorkerInfo {
  const system = callerContext(caller).system;
  const target = findTarget(system, worker);
  if (!(target instanceof WorkerCore)) {
    throw new StarweaveError(
      'ERR_NOPROC',
      `no Python worker ${String(worker)} is alive; check the pid or name.`,
      { details: { worker, reason: 'noproc' } },
    );
  }
  return describeWorker(target);
}
