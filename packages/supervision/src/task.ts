/**
 * Supervised tasks: the task process, the handle its owner keeps, and awaiting its result. A
 * task waits for its owner's go (which carries the ref of the owner's monitor), runs its
 * function, and sends `{ type: 'task_reply', ref, value }` to the owner, as Elixir's tasks do.
 */
import {
  type Caller,
  type DownMessage,
  type Pid,
  type ProcessContext,
  type ProcessFunction,
  type Reason,
  Ref,
  StarweaveError,
  callerContext,
  checkTimeout,
  formatReason,
} from '@starweave/actors';

/** A task started by `TaskSupervisor.async` or `asyncNolink`; `T` is its result type. */
export interface SupervisedTask<T = unknown> {
  /** The task process. */
  readonly pid: Pid;
  /** The owner's monitor on the task; it also tags the task's reply. */
  readonly ref: Ref;
  /** The process that started the task and may await it. */
  readonly owner: Pid;
  /** Carries the result type; never set. */
  readonly result?: T;
}

/** The message a task sends its owner when its function returns. */
export interface TaskReply<T = unknown> {
  readonly type: 'task_reply';
  readonly ref: Ref;
  readonly value: T;
}

/** The owner's go: the monitor ref the task tags its reply with. */
export class TaskGo {
  constructor(readonly ref: Ref) {}
}

/** What a task runs; it gets the task's own context. */
export type TaskFunction<T> = (self: ProcessContext) => T | Promise<T>;

function isDown(message: unknown, ref: Ref): boolean {
  const down = message as DownMessage | null;
  return down?.type === 'DOWN' && down.ref instanceof Ref && down.ref.equals(ref);
}

/**
 * Returns the body of a task process. `'link'` links the task to its owner (`async`), so either
 * one's crash takes the other down; `'nolink'` does not (`asyncNolink`); both wait for the
 * owner's go and reply. `'none'` runs `fn` at once and replies to no one (`startChild`).
 */
export function taskBody<T>(
  owner: Pid,
  fn: TaskFunction<T>,
  mode: 'link' | 'nolink' | 'none',
): ProcessFunction {
  if (mode === 'none') return async (self) => void (await fn(self));
  return async (self) => {
    if (mode === 'link') self.link(owner);
    // An owner that ends before sending its go will never want the result.
    const ownerRef = self.monitor(owner);
    const go: unknown = await self.receive(
      (m: unknown): boolean => m instanceof TaskGo || isDown(m, ownerRef),
    );
    if (!(go instanceof TaskGo)) return;
    self.demonitor(ownerRef, { flush: true });

    const value = await fn(self);
    const reply: TaskReply<T> = { type: 'task_reply', ref: go.ref, value };
    self.send(owner, reply);
    // A trapping owner would otherwise get an EXIT message for this normal exit.
    if (mode === 'link') self.unlink(owner);
  };
}

/** Monitors the task `pid` from its owner, sends it the go, and returns its handle. */
export function handOver<T>(owner: ProcessContext, pid: Pid): SupervisedTask<T> {
  const ref = owner.monitor(pid);
  owner.send(pid, new TaskGo(ref));
  return { pid, ref, owner: owner.pid };
}

function ownerContext(caller: Caller, task: SupervisedTask<unknown>): ProcessContext {
  const ctx = callerContext(caller);
  if (task === null || typeof task !== 'object' || !(task.ref instanceof Ref)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      'invalid task: expected the handle that TaskSupervisor.async or asyncNolink returned.',
      { details: { argument: 'task', received: task } },
    );
  }
  if (!ctx.pid.equals(task.owner)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `task ${task.pid} is owned by ${task.owner}, not by ${ctx.pid}; only the owner receives its reply.`,
      { details: { task: task.pid, owner: task.owner, caller: ctx.pid } },
    );
  }
  return ctx;
}

/** Waits for the reply or the DOWN of `task`; undefined on timeout. */
function receiveOutcome(
  ctx: ProcessContext,
  task: SupervisedTask<unknown>,
  timeoutMs: number | 'infinity',
): Promise<TaskReply | DownMessage | undefined> {
  const selector = (message: unknown) =>
    isDown(message, task.ref) ||
    ((message as TaskReply | null)?.type === 'task_reply' &&
      (message as TaskReply).ref instanceof Ref &&
      (message as TaskReply).ref.equals(task.ref));
  return timeoutMs === 'infinity' ? ctx.receive(selector) : ctx.tryReceive(selector, timeoutMs);
}

function exitError(task: SupervisedTask<unknown>, reason: Reason): StarweaveError {
  if (reason === 'noproc') {
    return new StarweaveError('ERR_NOPROC', `task ${task.pid} was not alive (noproc).`, {
      details: { task: task.pid, reason },
    });
  }
  return new StarweaveError(
    'ERR_CALL_EXIT',
    `task ${task.pid} exited with ${formatReason(reason)} before replying.`,
    { cause: reason, details: { task: task.pid, reason } },
  );
}

/**
 * Waits for the result of `task` (default timeout 5000 ms). Must run in the task's owner, an
 * async process or the system. Fails with ERR_CALL_EXIT (reason in `cause`) when the task
 * exits without replying, ERR_NOPROC when it was already gone, and ERR_CALL_TIMEOUT on
 * timeout; the task keeps running then, and a later `await` or `yield` may still get its
 * result.
 */
export async function awaitTask<T>(
  caller: Caller,
  task: SupervisedTask<T>,
  timeoutMs: number | 'infinity' = 5000,
): Promise<T> {
  const ctx = ownerContext(caller, task);
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const message = await receiveOutcome(ctx, task, timeout);
  if (message === undefined) {
    throw new StarweaveError(
      'ERR_CALL_TIMEOUT',
      `task ${task.pid} did not reply within ${timeout} ms; raise timeoutMs, or use yield to poll.`,
      { details: { task: task.pid, timeoutMs: timeout } },
    );
  }
  if (message.type === 'DOWN') throw exitError(task, message.reason);
  ctx.demonitor(task.ref, { flush: true });
  return message.value as T;
}

/** What `yield` returns when the task has finished. */
export type TaskOutcome<T> = { readonly ok: T } | { readonly exit: Reason };

/**
 * Waits up to `timeoutMs` (default 5000) for `task` to finish: `{ ok: value }` when it
 * replied, `{ exit: reason }` when it exited without replying, undefined when it still runs.
 */
export async function yieldTask<T>(
  caller: Caller,
  task: SupervisedTask<T>,
  timeoutMs: number | 'infinity' = 5000,
): Promise<TaskOutcome<T> | undefined> {
  const ctx = ownerContext(caller, task);
  const message = await receiveOutcome(ctx, task, checkTimeout('timeoutMs', timeoutMs));
  if (message === undefined) return undefined;
  if (message.type === 'DOWN') return { exit: message.reason };
  ctx.demonitor(task.ref, { flush: true });
  return { ok: message.value as T };
}

/**
 * Waits for every task in turn and returns their results in order, within one overall
 * `timeoutMs` (default 5000). Fails as {@link awaitTask} does for the first task that fails.
 */
export async function awaitMany<T>(
  caller: Caller,
  tasks: ReadonlyArray<SupervisedTask<T>>,
  timeoutMs: number | 'infinity' = 5000,
): Promise<T[]> {
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const clock = callerContext(caller).system.clock;
  const deadline = timeout === 'infinity' ? Number.POSITIVE_INFINITY : clock.now() + timeout;
  const results: T[] = [];
  for (const task of tasks) {
    const left = timeout === 'infinity' ? 'infinity' : Math.max(0, deadline - clock.now());
    results.push(await awaitTask(caller, task, left));
  }
  return results;
}
