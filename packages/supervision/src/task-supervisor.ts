/**
 * TaskSupervisor: a dynamic supervisor of temporary tasks, with `async` (a task linked to its
 * caller, awaited for its result), `asyncNolink` (not linked) and `startChild` (fire and
 * forget), as Elixir's Task.Supervisor. Tasks are the actors package's Task processes, so
 * `Task.await`, `Task.yield` and `Task.shutdown` work on the handles returned here.
 */
import {
  type Caller,
  callerContext,
  invalidArgument,
  type Pid,
  type ProcessContext,
  spawnTask,
  type TaskHandle,
} from '@starweave/actors';
import { checkShutdown, type RestartType, type ShutdownPolicy } from './child-spec.js';
import * as DynamicSupervisor from './dynamic-supervisor.js';
import type { ChildInfo } from './protocol.js';
import type { SupervisorRef } from './supervisor.js';

/** A function a task runs, given the task's own context. */
export type TaskFunction<T> = (self: ProcessContext) => T | Promise<T>;

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
  /** The task's shutdown policy when its supervisor stops or terminates it. Default 5000 ms. */
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

/**
 * Starts a task of `owner` under `sup`. The supervisor spawns the task process linked to
 * itself. With `linkOwner`, the task links to its owner first thing, so a dead owner ends it at
 * once with `'noproc'`, as Elixir's linked tasks do.
 */
async function startTask<T>(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<T>,
  linkOwner: boolean,
  restart: RestartType,
  shutdown: ShutdownPolicy | undefined,
): Promise<TaskHandle<T>> {
  checkFunction(fn);
  const owner = callerContext(caller);
  let task: TaskHandle<T> | undefined;
  const start = (ctx: ProcessContext) => {
    task = spawnTask(owner, fn, false, (body) =>
      ctx.spawnLink(async (self) => {
        if (linkOwner) self.link(owner.pid);
        await body(self);
      }),
    );
    return Promise.resolve(task.pid);
  };
  const checked = checkShutdown(shutdown ?? 5000, 'options.shutdown');
  await DynamicSupervisor.startChild(caller, sup, { start, restart, shutdown: checked });
  return task!;
}

/** Starts a task supervisor linked to the caller and resolves with its pid. */
export function startLink(caller: Caller, options: TaskSupervisorOptions = {}): Promise<Pid> {
  return DynamicSupervisor.startLink(caller, options);
}

/**
 * Starts a task under `sup` that runs `fn`, linked to the caller (so a crash of either ends the
 * other, unless it traps exits), and returns its handle for `Task.await`.
 *
 * @example
 * ```ts
 * import { ActorSystem, Task, silentLogger } from '@starweave/actors';
 * import { TaskSupervisor } from '@starweave/supervision';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const tasks = await TaskSupervisor.startLink(system, { maxChildren: 100 });
 * const task = await TaskSupervisor.async(system, tasks, async () => 6 * 7);
 * console.assert((await Task.await(system, task)) === 42);
 * await system.shutdown();
 * ```
 */
export function async<T>(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<T>,
  options: TaskOptions = {},
): Promise<TaskHandle<T>> {
  return startTask(caller, sup, fn, true, 'temporary', options.shutdown);
}

/**
 * Starts a task under `sup` that runs `fn`, not linked to the caller: a crash reaches the
 * caller only through `Task.await`, which fails with ERR_CALL_EXIT and the reason.
 */
export function asyncNolink<T>(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<T>,
  options: TaskOptions = {},
): Promise<TaskHandle<T>> {
  return startTask(caller, sup, fn, false, 'temporary', options.shutdown);
}

/** Starts a task under `sup` that runs `fn`, linked to no caller; resolves with its pid. */
export async function startChild(
  caller: Caller,
  sup: SupervisorRef,
  fn: TaskFunction<unknown>,
  options: TaskChildOptions = {},
): Promise<Pid> {
  const restart = options.restart ?? 'temporary';
  if (restart !== 'temporary' && restart !== 'transient') {
    invalidArgument('options.restart', "'temporary' or 'transient'", restart);
  }
  const task = await startTask(caller, sup, fn, false, restart, options.shutdown);
  return task.pid;
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
