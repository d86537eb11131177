/**
 * The table from a worker's or pool's pid to the object that sends its requests. Requests do
 * not pass through the worker's mailbox: the worker process owns the transport and its life,
 * and callers write frames through this object, as any Erlang process may write to a port
 * that another process owns.
 */
import { type ActorSystem, type Dest, describe, StarweaveError } from '@starweave/actors';
import type { ChunkStream } from './chunk-stream.js';
import type { RequestOptions } from './worker-core.js';

/** Options of a request to a worker or a pool. */
export interface CallOptions extends RequestOptions {
  /** For a pool: the model version to use, bypassing the traffic split. */
  version?: string;
}

/** Something requests can be sent to: a worker or a pool. */
export interface RequestTarget {
  /** `'worker'` or `'pool'`, for error messages. */
  readonly kind: 'worker' | 'pool';
  call(handler: string, payload: unknown, options: CallOptions): Promise<unknown>;
  stream(handler: string, payload: unknown, options: CallOptions): ChunkStream;
}

const tables = new WeakMap<ActorSystem, Map<number, RequestTarget>>();

/** Makes `target` the request target of the process `pid`. */
export function registerTarget(
  system: ActorSystem,
  pid: { id: number },
  target: RequestTarget,
): void {
  let table = tables.get(system);
  if (table === undefined) {
    table = new Map();
    tables.set(system, table);
  }
  table.set(pid.id, target);
}

/** Removes the request target of `pid`, if it is still `target`. */
export function unregisterTarget(
  system: ActorSystem,
  pid: { id: number },
  target: RequestTarget,
): void {
  const table = tables.get(system);
  if (table?.get(pid.id) === target) table.delete(pid.id);
}

/**
 * Returns the request target of a worker or pool given by pid or name. Fails with ERR_NOPROC
 * when no such process is alive, and with ERR_INVALID_ARGUMENT when the process is neither.
 */
export function lookupTarget(system: ActorSystem, dest: Dest): RequestTarget {
  const pid = system.resolve(dest);
  if (pid === undefined) {
    throw new StarweaveError(
      'ERR_NOPROC',
      `no Python worker or pool ${describe(dest)} is alive (noproc); check the name or pid, or ` +
        'wait for its supervisor to restart it.',
      { details: { target: dest, reason: 'noproc' } },
    );
  }
  const target = tables.get(system)?.get(pid.id);
  if (target === undefined) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid target: ${describe(dest)} is a process but not a Python worker or pool. Pass ` +
        'the pid or name from PythonWorker.startLink or WorkerPool.startLink.',
      { details: { target: dest } },
    );
  }
  return target;
}

/** Returns the target registered for `dest`, or undefined. */
export function findTarget(system: ActorSystem, dest: Dest): RequestTarget | undefined {
  const pid = system.resolve(dest);
  return pid === undefined ? undefined : tables.get(system)?.get(pid.id);
}
