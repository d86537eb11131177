/**
 * TaskSupervisor: a dynamic supervisor of temporary tasks, with `async` (a task linked to its
 * caller, awaited for its result), `asyncNolink` (not linked; the caller only monitors it) and
 * `startChild` (fire and forget), as Elixir's Task.Supervisor.
 */
import {
  type Caller,
  type Pid,
  type ProcessContext,
  callerContext,
  invalidArgument,
} from '@starweave/actors';
import { type RestartType, type ShutdownPolicy, checkShutdown } from './child-spec.js';
import * as DynamicSupervisor from './dynamic-supervisor.js';
import type { ChildInfo } from './protocol.js';
import type { SupervisorRef } from './supervisor.js';
import { type SupervisedTask, type TaskFunction, handOver, taskBody } from './task.js';

/** Options of `TaskSupervisor.startLink`. */
export interface TaskSupervisorOptions {
  /** Registers the supervisor under this name. */
  name?: string;
  /** Tasks that may run at once; more fail with ERR_OVERLOADED. Default `'infinity'`. */
  maxChildren?: number | 'infinity';
  /** Restart intensity for transient tasks of `startChild`. Default 3. */
  maxRestarts?: number;
  /** Default 5. */
  maxSeconds?: number;
}

/** Options of one task. */
export interface TaskOptions {
  /** How the task is stopped when its supervisor stops or terminates it. Default 5000 ms. */
  shutdown?: ShutdownPolicy;
}

/** Options of `TaskSupervisor.startChild`. */
export interface TaskChildOptions extends TaskOptions {
  /** `'transient'` runs the function again after a crash. Default `'temporary'`. */
  restart?: 'temporary' | 'transient';
}

function checkFunction(fn: unknown): void {
  if (typeof fn !== 'function') invalidArgument('fn', 'a function (self) => result', fn);
}

function taskSpec(
  body: ReturnType<typeof taskBody>,
  restart: RestartType,
  shutdown: ShutdownPolicy | undefined,
) {
  return {
    start: (ctx: ProcessContext) => Promise.resolve(ctx.spawnLink(body)),
    restart,
    shutdown: checkShutdown(shutdown ?? 5000, 'options.shutdown'),
  };
}

/** Starts a task supervisor linked to the caller and resolves with its pid. */
export function startLink(caller: Caller, options: TaskSupervisorOptions = {}): Promise<Pid> {
  return DynamicSupervisor.startLink(caller, options);
}

/**
 * Starts a task under `sup` that runs `fn`, linked to the caller (so a crash of either ends the
 * other, unless it traps exits), and returns its handle for `TaskSupervisor.await`.
 */
export async function async<T>(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<T>,
  options: TaskOptions = {},
): Promise<SupervisedTask<T>> {
  checkFunction(fn);
  const owner = callerContext(caller);
  const spec = taskSpec(taskBody(owner.pid, fn, 'link'), 'temporary', options.shutdown);
  const pid = await DynamicSupervisor.startChild(caller, sup, spec);
  return handOver<T>(owner, pid);
}

/**
 * Starts a task under `sup` that runs `fn`, not linked to the caller: a crash reaches the
 * caller only as the task's DOWN (and fails `await` with ERR_CALL_EXIT). A callback process
 * such as a GenServer gets `{ type: 'task_reply', ref, value }` or the DOWN in `handleInfo`.
 */
export async function asyncNolink<T>(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<T>,
  options: TaskOptions = {},
): Promise<SupervisedTask<T>> {
  checkFunction(fn);
  const owner = callerContext(caller);
  const spec = taskSpec(taskBody(owner.pid, fn, 'nolink'), 'temporary', options.shutdown);
  const pid = await DynamicSupervisor.startChild(caller, sup, spec);
  return handOver<T>(owner, pid);
}

/** Starts a task under `sup` that runs `fn` and replies to no one; resolves with its pid. */
export function startChild(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<unknown>,
  options: TaskChildOptions = {},
): Promise<Pid> {
  checkFunction(fn);
  const restart = options.restart ?? 'temporary';
  if (restart !== 'temporary' && restart !== 'transient') {
    invalidArgument('options.restart', "'temporary' or 'transient'", restart);
  }
  const owner = callerContext(caller);
  const spec = taskSpec(taskBody(owner.pid, fn, 'none'), restart, options.shutdown);
  return DynamicSupervisor.startChild(caller, sup, spec);
}

/** Returns the pids of the running tasks. */
export async function children(caller: Caller, sup: SupervisorRef): Promise<Pid[]> {
  const infos: ChildInfo[] = await DynamicSupervisor.whichChildren(caller, sup);
  const pids: Pid[] = [];
  for (const info of infos) if (typeof info.pid === 'object') pids.push(info.pid);
  return pids;
}

/** Stops the task `pid`. Fails with ERR_NOT_FOUND when it is not a task of `sup`. */
export function terminateChild(caller: Caller, sup: SupervisorRef, pid: Pid): Promise<void> {
  return DynamicSupervisor.terminateChild(caller, sup, pid);
}

export {
  awaitTask as await,
  awaitMany,
  yieldTask as yield,
  type SupervisedTask as Task,
  type TaskFunction,
  type TaskOutcome,
  type TaskReply,
} from './task.js';
