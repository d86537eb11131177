/**
 * WorkerPool: several Python workers under one supervisor, with least-loaded routing, a
 * weighted traffic split over model versions, drain on shutdown and rolling restarts.
 */
import {
  type Caller,
  callerContext,
  type Dest,
  describe,
  invalidArgument,
  type Pid,
  type ProcessContext,
  StarweaveError,
} from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import type { PythonWorkerOptions } from '../worker/options.js';
import * as PythonWorker from '../worker/python-worker.js';
import { findTarget, registerTarget, unregisterTarget } from '../worker/targets.js';
import { WorkerCore } from '../worker/worker-core.js';
import { PoolCore } from './pool-core.js';

/** One model version of a pool: its workers and its share of the traffic. */
export interface PoolVersion {
  /** The version label, such as `'v1'`; requests may name it to bypass the split. */
  version: string;
  /** The share of traffic, relative to the other versions' weights. Default 1. */
  weight?: number;
  /** The number of workers. Default 1. */
  size?: number;
  /** The options of this version's workers (handlers, interpreter, batching, ...). */
  worker: PythonWorkerOptions;
}

/** Options of {@link startLink}. */
export interface WorkerPoolOptions {
  /** Registers the pool (its supervisor) under this name; also prefixes worker names. */
  name?: string;
  /** The workers of a pool with one version, as `{ version: 'default', size, worker }`. */
  size?: number;
  /** The options of every worker of a pool with one version. */
  worker?: PythonWorkerOptions;
  /** Versions with a weighted traffic split, in place of `size` and `worker`. */
  versions?: PoolVersion[];
  /** Restart intensity of the pool's supervisor. Default 10 restarts... */
  maxRestarts?: number;
  /** ...within this many seconds. Default 10. */
  maxSeconds?: number;
  /** Requests that may wait while no worker of their version runs. Default 1024. */
  maxWaiting?: number;
  /** Timeout of a request that waits for a worker and names none, in ms. Default 5000. */
  defaultTimeoutMs?: number | 'infinity';
}

/** A pool's state, as {@link info} reports it. */
export interface PoolInfo {
  name: string;
  versions: Array<{ version: string; weight: number; workers: PythonWorker.WorkerInfo[] }>;
  /** Requests waiting for a running worker. */
  waiting: number;
}

/** Options of {@link rollingRestart}. */
export interface RollingRestartOptions {
  /** Restarts only the workers of this version. Default: every worker. */
  version?: string;
}

let unnamedPools = 0;

function resolveVersions(options: WorkerPoolOptions): PoolVersion[] {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', '{ size, worker } or { versions }', options);
  }
  if (options.versions !== undefined) {
    if (options.worker !== undefined || options.size !== undefined) {
      invalidArgument('options', 'either versions or size and worker, not both', options);
    }
    if (!Array.isArray(options.versions) || options.versions.length === 0) {
      invalidArgument(
        'options.versions',
        'a non-empty array of { version, weight, size, worker }',
        options.versions,
      );
    }
    const seen = new Set<string>();
    for (const [index, entry] of options.versions.entries()) {
      if (
        typeof entry?.version !== 'string' ||
        entry.version.length === 0 ||
        seen.has(entry.version)
      ) {
        invalidArgument(
          `options.versions[${index}].version`,
          'a unique non-empty string',
          entry?.version,
        );
      }
      seen.add(entry.version);
      checkCount(`options.versions[${index}].size`, entry.size);
      const weight = entry.weight ?? 1;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
        invalidArgument(
          `options.versions[${index}].weight`,
          'a finite number of 0 or more',
          weight,
        );
      }
      if (entry.worker === null || typeof entry.worker !== 'object') {
        invalidArgument(`options.versions[${index}].worker`, 'worker options', entry.worker);
      }
    }
    return options.versions;
  }
  if (options.worker === null || typeof options.worker !== 'object') {
    invalidArgument(
      'options.worker',
      "worker options such as { handlers: ['my_models'] }",
      options.worker,
    );
  }
  checkCount('options.size', options.size);
  return [{ version: 'default', weight: 1, size: options.size ?? 1, worker: options.worker }];
}

function checkCount(name: string, value: unknown): void {
  if (
    value !== undefined &&
    (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
  ) {
    invalidArgument(name, 'a positive integer', value);
  }
}

/**
 * Starts a pool linked to the caller and resolves with its pid (its supervisor's) once every
 * worker has completed its handshake. Send requests with `call(caller, pool, ...)`: each goes
 * to a version chosen by weight, then to that version's least-loaded running worker. A worker
 * that dies is restarted by the pool's supervisor; requests wait while no worker of their
 * version runs. Fails with ERR_START_FAILED when a worker cannot start.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { WorkerPool, call } from '@starweave/ml-bridge';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const pool = await WorkerPool.startLink(system, {
 *   size: 2,
 *   worker: { python: '/usr/bin/python3', handlers: ['starweave_bridge.examples'] },
 * });
 * const squares = await Promise.all([1, 2, 3].map((n) => call(system, pool, 'square_batch', n)));
 * console.assert(squares.join() === '1,4,9');
 * await WorkerPool.stop(system, pool);
 * await system.shutdown();
 * ```
 */
export async function startLink(caller: Caller, options: WorkerPoolOptions): Promise<Pid> {
  const versions = resolveVersions(options);
  const system = callerContext(caller).system;
  const poolName = options.name ?? `pool${++unnamedPools}`;
  const maxWaiting = options.maxWaiting ?? 1024;
  const core = new PoolCore(
    poolName,
    versions.map(({ version, weight }) => ({ version, weight: weight ?? 1 })),
    system,
    maxWaiting,
    options.defaultTimeoutMs ?? 5000,
  );

  const children = versions.flatMap(({ version, size, worker }) =>
    Array.from({ length: size ?? 1 }, (_, index) => {
      const id = `${version}-${index}`;
      const workerOptions: PythonWorkerOptions = {
        ...worker,
        name: `${poolName}-${id}`,
        register: false,
      };
      return {
        ...PythonWorker.childSpec(workerOptions, { id }),
        start: async (ctx: ProcessContext) => {
          const pid = await PythonWorker.startLink(ctx, workerOptions);
          const target = findTarget(ctx.system, pid);
          if (target instanceof WorkerCore) {
            core.add(version, pid, target);
            ctx.system.addMonitor(null, pid, () => core.remove(pid));
          }
          return pid;
        },
      };
    }),
  );

  const pid = await Supervisor.startLink(caller, children, {
    name: options.name,
    strategy: 'oneForOne',
    maxRestarts: options.maxRestarts ?? 10,
    maxSeconds: options.maxSeconds ?? 10,
  });
  registerTarget(system, pid, core);
  system.addMonitor(null, pid, () => {
    unregisterTarget(system, pid, core);
    core.close(
      new StarweaveError(
        'ERR_NOCONNECTION',
        `pool ${JSON.stringify(poolName)} stopped before a worker could take the request.`,
        {
          details: { pool: poolName },
        },
      ),
    );
  });
  return pid;
}

/** Returns a child spec that starts a pool under a supervisor (as a supervisor child). */
export function childSpec(options: WorkerPoolOptions, id = options.name ?? 'worker-pool') {
  return {
    id,
    start: (ctx: ProcessContext) => startLink(ctx, options),
    type: 'supervisor' as const,
    shutdown: 'infinity' as const,
  };
}

function poolCore(caller: Caller, pool: Dest): { core: PoolCore; pid: Pid } {
  const system = callerContext(caller).system;
  const pid = system.resolve(pool);
  const core = pid === undefined ? undefined : findTarget(system, pid);
  if (pid === undefined || !(core instanceof PoolCore)) {
    throw new StarweaveError(
      'ERR_NOPROC',
      `no worker pool ${describe(pool)} is alive; check the pid or name.`,
      {
        details: { pool, reason: 'noproc' },
      },
    );
  }
  return { core, pid };
}

/**
 * Sets the traffic split over versions, such as `{ v1: 90, v2: 10 }`; versions not named keep
 * their weight. Fails with ERR_INVALID_ARGUMENT for an unknown version or a bad weight.
 */
export function setWeights(caller: Caller, pool: Dest, weights: Record<string, number>): void {
  poolCore(caller, pool).core.setWeights(weights);
}

/** Returns the pool's versions with their weights and workers, and the waiting requests. */
export function info(caller: Caller, pool: Dest): PoolInfo {
  const { core } = poolCore(caller, pool);
  const weights = core.weights();
  return {
    name: core.name,
    waiting: core.waitingCount,
    versions: core.versions.map((version) => ({
      version,
      weight: weights[version]!,
      workers: core.members(version).map(({ pid }) => PythonWorker.info(caller, pid)),
    })),
  };
}

/**
 * Restarts the pool's workers one at a time: each stops taking requests, finishes those in
 * flight, stops, and is started again before the next one goes, so a pool with more than one
 * worker per version keeps serving. Resolves when the last worker is back.
 */
export async function rollingRestart(
  caller: Caller,
  pool: Dest,
  options: RollingRestartOptions = {},
): Promise<void> {
  const { core, pid } = poolCore(caller, pool);
  if (options.version !== undefined && !core.versions.includes(options.version)) {
    invalidArgument(
      'options.version',
      `one of the pool's versions (${core.versions.join(', ')})`,
      options.version,
    );
  }
  const children = await Supervisor.whichChildren(caller, pid);
  for (const child of children) {
    const id = child.id!;
    const version = id.slice(0, id.lastIndexOf('-'));
    if (options.version !== undefined && version !== options.version) continue;
    // Routing skips the worker from now on, before the supervisor's exit signal reaches it.
    const running = child.pid;
    const member = core
      .members(version)
      .find((entry) => typeof running === 'object' && entry.pid.equals(running));
    member?.core.stopAccepting();
    await Supervisor.terminateChild(caller, pid, id);
    await Supervisor.restartChild(caller, pid, id);
  }
}

/** Stops the pool: its workers drain in reverse start order, then the supervisor exits. */
export function stop(caller: Caller, pool: Dest): Promise<void> {
  return Supervisor.stop(caller, pool);
}
