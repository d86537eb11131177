/**
 * Supervisor: start a supervisor with its child specs, and manage its children by id, with
 * OTP's strategies, restart types, restart intensity, shutdown order and errors.
 */
import {
  type Caller,
  describe,
  formatReason,
  GenServer,
  isStarweaveError,
  type Pid,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { type ChildSpec, resolveChildSpec, resolveChildSpecs } from './child-spec.js';
import {
  type ChildCounts,
  type ChildInfo,
  type ChildSpecInfo,
  callSupervisor,
} from './protocol.js';
import { resolveSupervisorOptions, type SupervisorOptions } from './supervisor-options.js';
import { failedToStartChild, SupervisorServer } from './supervisor-server.js';

/** A supervisor to address: its pid or its registered name. */
export type SupervisorRef = Pid | string;

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid id: expected a child id (a non-empty string), received ${describe(id)}.`,
      { details: { argument: 'id', received: id } },
    );
  }
  return id;
}

/** Turns a failed start of the supervisor process into the error `startLink` raises. */
function startError(error: unknown, name: string | undefined): unknown {
  if (isStarweaveError(error, 'ERR_START_FAILED')) {
    const failure = failedToStartChild(error.cause);
    if (failure !== undefined) {
      return new StarweaveError(
        'ERR_START_FAILED',
        `supervisor failed to start: child ${describe(failure.failedToStartChild)} failed to start: ${formatReason(failure.reason)}`,
        {
          cause: failure.reason,
          details: { id: failure.failedToStartChild, reason: error.cause as Reason },
        },
      );
    }
  }
  if (isStarweaveError(error, 'ERR_ALREADY_REGISTERED')) {
    const pid = error.details?.pid;
    return new StarweaveError(
      'ERR_ALREADY_STARTED',
      `a process is already registered as ${describe(name)}${pid ? ` (${pid})` : ''}; pick another name for the supervisor.`,
      { cause: error, details: { name, pid } },
    );
  }
  return error;
}

/**
 * Starts a supervisor linked to the caller and resolves with its pid once every child has
 * started, in order. When a child fails to start, the children already started are stopped
 * in reverse order and the promise rejects with ERR_START_FAILED, whose `cause` is that
 * child's reason and `details.id` its id. Fails with ERR_ALREADY_STARTED when `options.name`
 * is taken, and with ERR_INVALID_ARGUMENT for a bad child spec or option.
 *
 * @example
 * ```ts
 * import { ActorSystem, GenServer, type Pid, silentLogger } from '@starweave/actors';
 * import { Supervisor } from '@starweave/supervision';
 *
 * type CounterProtocol = { calls: { request: { type: 'get' }; reply: number } };
 * const Counter: GenServer.Spec<number, number, CounterProtocol> = {
 *   init: (start) => ({ state: start }),
 *   handleCall: (_request, _from, count) => ({ reply: count, state: count }),
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const sup = await Supervisor.startLink(
 *   system,
 *   [{ id: 'counter', start: (ctx) => GenServer.startLink(ctx, Counter, 0, { name: 'counter' }) }],
 *   { strategy: 'oneForOne', maxRestarts: 3, maxSeconds: 5 },
 * );
 *
 * const first = system.whereis('counter')!;
 * system.exit(first, 'kill');
 * // The supervisor handles the exit before this request, so the reply shows the new child.
 * const [child] = await Supervisor.whichChildren(system, sup);
 * console.assert(child!.id === 'counter' && !(child!.pid as Pid).equals(first));
 * console.assert((await GenServer.call(system, 'counter', { type: 'get' })) === 0);
 *
 * await Supervisor.stop(system, sup);
 * await system.shutdown();
 * ```
 */
export async function startLink(
  caller: Caller,
  children: readonly ChildSpec[],
  options: SupervisorOptions = {},
): Promise<Pid> {
  const resolved = resolveSupervisorOptions(options);
  const specs = resolveChildSpecs(children, resolved.autoShutdown);
  try {
    return await GenServer.startLink(
      caller,
      SupervisorServer,
      { specs, options: resolved },
      { name: resolved.name, timeoutMs: resolved.timeoutMs },
    );
  } catch (error) {
    throw startError(error, resolved.name);
  }
}

/**
 * Returns the children in start order: id, pid (`'restarting'` while a restart is pending,
 * undefined when not running), type and restart type.
 */
export function whichChildren(
  caller: Caller,
  sup: SupervisorRef,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<ChildInfo[]> {
  return callSupervisor(caller, sup, { type: 'whichChildren' }, timeoutMs);
}

/** Counts the child specs, the running children, the supervisors and the workers. */
export function countChildren(
  caller: Caller,
  sup: SupervisorRef,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<ChildCounts> {
  return callSupervisor(caller, sup, { type: 'countChildren' }, timeoutMs);
}

/**
 * Adds a child spec and starts its child after the others. Resolves with the pid, or with
 * IGNORE when the start function ignored (the spec is kept unless temporary). Fails with
 * ERR_ALREADY_STARTED when the id is in use, with `details.present` when its child is not
 * running. Fails with ERR_START_FAILED (reason in `cause`) when the start fails, and the spec is
 * then dropped.
 */
export async function startChild(
  caller: Caller,
  sup: SupervisorRef,
  spec: ChildSpec,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<Pid> {
  const resolved = resolveChildSpec(spec, 'spec');
  return callSupervisor(caller, sup, { type: 'startChild', spec: resolved }, timeoutMs);
}

/**
 * Stops the child with `id` by its shutdown policy and keeps its spec, so restartChild can
 * start it again (a temporary child's spec is removed). Fails with ERR_NOT_FOUND.
 */
export async function terminateChild(
  caller: Caller,
  sup: SupervisorRef,
  id: string,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  const child = checkId(id);
  await callSupervisor(caller, sup, { type: 'terminateChild', child }, timeoutMs);
}

/**
 * Starts the child of a kept spec that is not running. Fails with ERR_NOT_FOUND, with
 * ERR_RUNNING when it runs (`details.restarting` when a restart is pending), and with
 * ERR_START_FAILED when the start fails.
 */
export async function restartChild(
  caller: Caller,
  sup: SupervisorRef,
  id: string,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<Pid> {
  return callSupervisor(caller, sup, { type: 'restartChild', id: checkId(id) }, timeoutMs);
}

/**
 * Removes the spec of a child that is not running. Fails with ERR_NOT_FOUND, and with
 * ERR_RUNNING when it runs or waits for a restart.
 */
export async function deleteChild(
  caller: Caller,
  sup: SupervisorRef,
  id: string,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  await callSupervisor(caller, sup, { type: 'deleteChild', id: checkId(id) }, timeoutMs);
}

/** Returns the spec of the child `id` with its defaults filled in. Fails with ERR_NOT_FOUND. */
export async function getChildSpec(
  caller: Caller,
  sup: SupervisorRef,
  id: string,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<ChildSpecInfo> {
  return callSupervisor(caller, sup, { type: 'getChildSpec', id: checkId(id) }, timeoutMs);
}

/**
 * Stops a supervisor with `reason` (default `'normal'`): it stops its children in reverse
 * start order by their shutdown policies, then exits. Resolves once it has exited.
 */
export function stop(
  caller: Caller,
  sup: SupervisorRef,
  reason: Reason = 'normal',
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  return GenServer.stop(caller, sup, reason, timeoutMs);
}

export type {
  AutoShutdown,
  ChildSpec as Spec,
  ChildType,
  RestartType,
  ShutdownPolicy,
} from './child-spec.js';
export type { Strategy, SupervisorOptions } from './supervisor-options.js';
export { tree } from './tree.js';
