/**
 * Task: run one async computation in its own process and await its result, as Elixir's Task.
 * `Task.async` links the task to its caller, so a crash on either side reaches the other.
 */
import { type Caller, callerContext } from './caller.js';
import type { ProcessContext } from './context.js';
import { StarweaveError, checkTimeout, invalidArgument } from './errors.js';
import type { Pid } from './pid.js';
import type { Proc } from './process.js';
import { type Reason, formatReason } from './reason.js';

/** How a task ended: with a value, or with an exit reason. */
export type TaskOutcome<T> = { ok: true; value: T } | { ok: false; reason: Reason };

/** A running or finished task, owned by the process that started it. */
export interface Task<T> {
  /** The task's process. */
  readonly pid: Pid;
  /** The pid of the owner, the only process that may await the task. */
  readonly owner: Pid;
  /** @internal Settles once when the task's process ends. */
  readonly outcome: Promise<TaskOutcome<T>>;
}

interface TaskState<T> extends Task<T> {
  done: TaskOutcome<T> | undefined;
}

/** @internal Spawns the process of a task; used by TaskSupervisor too. */
export function spawnTask<T>(
  owner: ProcessContext,
  fn: (self: ProcessContext) => T | Promise<T>,
  link: boolean,
  spawnWith?: (body: (self: ProcessContext) => Promise<void>) => Pid,
): Task<T> {
  if (typeof fn !== 'function') invalidArgument('fn', 'a function (self) => value', fn);
  const proc = owner as Proc;
  const system = proc.system;
  let value: { v: T } | undefined;
  let resolveOutcome!: (outcome: TaskOutcome<T>) => void;
  const outcome = new Promise<TaskOutcome<T>>((resolve) => {
    resolveOutcome = resolve;
  });
  const body = async (self: ProcessContext) => {
    value = { v: await fn(self) };
  };
  const pid = spawnWith ? spawnWith(body) : system.spawnProc(body, undefined, link ? proc : null).pid;
  const task: TaskState<T> = { pid, owner: owner.pid, outcome, done: undefined };
  system.addMonitor(null, pid, (down) => {
    const done: TaskOutcome<T> =
      down.reason === 'normal' && value !== undefined ? { ok: true, value: value.v } : { ok: false, reason: down.reason };
    task.done = done;
    resolveOutcome(done);
  });
  return task;
}

/**
 * Starts `fn` in a new process linked to the caller. Await it with {@link await_}.
 *
 * @example
 * ```ts
 * import { ActorSystem, Task, silentLogger } from '@starweave/actors';
 * const system = new ActorSystem({ logger: silentLogger });
 * const task = Task.async(system, async () => 6 * 7);
 * console.assert((await Task.await(system, task)) === 42);
 * await system.shutdown();
 * ```
 */
export function async<T>(caller: Caller, fn: (self: ProcessContext) => T | Promise<T>): Task<T> {
  return spawnTask(callerContext(caller), fn, true);
}

/** Starts `fn` in a new process with no link, for work whose result nobody awaits. */
export function start(caller: Caller, fn: (self: ProcessContext) => unknown): Pid {
  return spawnTask(callerContext(caller), fn, false).pid;
}

function checkOwner(caller: Caller, task: Task<unknown>, operation: string): ProcessContext {
  const ctx = callerContext(caller);
  if (task === null || typeof task !== 'object' || !(task.outcome instanceof Promise)) {
    invalidArgument('task', 'a Task returned by Task.async', task);
  }
  if (!task.owner.equals(ctx.pid)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `${operation} was called by ${ctx.pid}, but task ${task.pid} is owned by ${task.owner}; only the owner may await a task.`,
      { details: { task: task.pid, owner: task.owner, caller: ctx.pid } },
    );
  }
  return ctx;
}

function waitFor<T>(ctx: ProcessContext, task: Task<T>, timeout: number | 'infinity'): Promise<TaskOutcome<T> | undefined> {
  if (timeout === 'infinity') return task.outcome;
  const system = (ctx as Proc).system;
  return new Promise((resolve) => {
    const timer = system.trackTimer(() => resolve(undefined), timeout);
    task.outcome.then((outcome) => {
      system.cancelTimer(timer);
      resolve(outcome);
    });
  });
}

/**
 * Waits for a task's value (default timeout 5000 ms). Fails with ERR_CALL_EXIT when the task
 * exited abnormally and ERR_CALL_TIMEOUT on timeout; the task keeps running after a timeout,
 * so shut it down or let the caller's exit end it through the link.
 */
export async function await_<T>(caller: Caller, task: Task<T>, timeoutMs: number | 'infinity' = 5000): Promise<T> {
  const ctx = checkOwner(caller, task, 'Task.await');
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const outcome = await waitFor(ctx, task, timeout);
  if (outcome === undefined) {
    throw new StarweaveError('ERR_CALL_TIMEOUT', `task ${task.pid} did not finish within ${timeout} ms`, {
      details: { task: task.pid, timeoutMs: timeout, reason: 'timeout' },
    });
  }
  if (outcome.ok) return outcome.value;
  throw new StarweaveError('ERR_CALL_EXIT', `task ${task.pid} exited with ${formatReason(outcome.reason)}`, {
    cause: outcome.reason,
    details: { task: task.pid, reason: outcome.reason },
  });
}

/** Waits for several tasks with one timeout; fails as {@link await_} on the first failure. */
export async function awaitMany<T>(
  caller: Caller,
  tasks: Task<T>[],
  timeoutMs: number | 'infinity' = 5000,
): Promise<T[]> {
  if (!Array.isArray(tasks)) invalidArgument('tasks', 'an array of tasks', tasks);
  const ctx = callerContext(caller);
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const deadline = timeout === 'infinity' ? Number.POSITIVE_INFINITY : (ctx as Proc).system.clock.now() + timeout;
  const values: T[] = [];
  for (const task of tasks) {
    const left = deadline === Number.POSITIVE_INFINITY ? 'infinity' : Math.max(0, deadline - (ctx as Proc).system.clock.now());
    values.push(await await_(caller, task, left));
  }
  return values;
}

/**
 * Waits up to `timeoutMs` for a task and returns its outcome, or undefined when it is still
 * running; unlike {@link await_} it never fails for the task's exit.
 */
export async function yield_<T>(
  caller: Caller,
  task: Task<T>,
  timeoutMs: number | 'infinity' = 5000,
): Promise<TaskOutcome<T> | undefined> {
  const ctx = checkOwner(caller, task, 'Task.yield');
  return waitFor(ctx, task, checkTimeout('timeoutMs', timeoutMs));
}

/**
 * Stops a task: unlinks it, sends `'shutdown'`, and kills it after `timeoutMs` (or at once with
 * `'brutalKill'`). Returns its outcome when it finished before it was stopped, else undefined.
 */
export async function shutdown<T>(
  caller: Caller,
  task: Task<T>,
  timeoutMs: number | 'brutalKill' = 5000,
): Promise<TaskOutcome<T> | undefined> {
  const ctx = checkOwner(caller, task, 'Task.shutdown');
  const state = task as TaskState<T>;
  const system = (ctx as Proc).system;
  if (state.done !== undefined) return state.done.ok ? state.done : undefined;
  ctx.unlink(task.pid);
  if (timeoutMs === 'brutalKill') {
    system.exit(task.pid, 'kill');
  } else {
    const timeout = checkTimeout('timeoutMs', timeoutMs) as number;
    system.exit(task.pid, 'shutdown');
    const outcome = await waitFor(ctx, task, timeout);
    if (outcome === undefined) system.exit(task.pid, 'kill');
  }
  const outcome = await task.outcome;
  return outcome.ok ? outcome : undefined;
}

export { await_ as await, yield_ as yield };
