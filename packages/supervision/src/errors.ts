/**
 * The errors of child management, with OTP's meanings: not found, running, restarting, already
 * started or present, a failed start, and a full dynamic supervisor.
 */
import { describe, formatReason, type Pid, type Reason, StarweaveError } from '@starweave/actors';

/** Names a child in messages: its id, or its pid for a dynamic supervisor. */
function childName(child: string | Pid): string {
  return typeof child === 'string' ? `child ${describe(child)}` : `child ${child}`;
}

/** ERR_NOT_FOUND: the supervisor has no child with this id (or pid). */
export function childNotFound(supervisor: Pid, child: string | Pid): StarweaveError {
  return new StarweaveError(
    'ERR_NOT_FOUND',
    `supervisor ${supervisor} has no ${childName(child)}; check it against whichChildren.`,
    { details: { supervisor, child } },
  );
}

/** ERR_RUNNING: the child runs where a stopped one is required (restartChild, deleteChild). */
export function childRunning(supervisor: Pid, id: string, pid: Pid): StarweaveError {
  return new StarweaveError(
    'ERR_RUNNING',
    `child ${describe(id)} of supervisor ${supervisor} is running as ${pid}; stop it with terminateChild first.`,
    { details: { supervisor, id, pid } },
  );
}

/** ERR_RUNNING with `restarting: true`: the child waits for a restart (OTP's `restarting`). */
export function childRestarting(supervisor: Pid, id: string): StarweaveError {
  return new StarweaveError(
    'ERR_RUNNING',
    `child ${describe(id)} of supervisor ${supervisor} is restarting; wait for the restart or stop it with terminateChild.`,
    { details: { supervisor, id, restarting: true } },
  );
}

/** ERR_ALREADY_STARTED: startChild with an id whose child is running. */
export function childAlreadyStarted(supervisor: Pid, id: string, pid: Pid): StarweaveError {
  return new StarweaveError(
    'ERR_ALREADY_STARTED',
    `child ${describe(id)} is already started as ${pid} under supervisor ${supervisor}; pick another id, or terminate and delete the child first.`,
    { details: { supervisor, id, pid } },
  );
}

/**
 * ERR_ALREADY_STARTED with `present: true`: startChild with an id whose spec is kept but not
 * running (OTP's `already_present`).
 */
export function childAlreadyPresent(supervisor: Pid, id: string): StarweaveError {
  return new StarweaveError(
    'ERR_ALREADY_STARTED',
    `a child spec with id ${describe(id)} is already present, not running, under supervisor ${supervisor}; start it with restartChild or remove it with deleteChild.`,
    { details: { supervisor, id, present: true } },
  );
}

/** ERR_START_FAILED: a child's start function failed; `cause` is the reason. */
export function childStartFailed(
  supervisor: Pid,
  child: string | undefined,
  reason: Reason,
): StarweaveError {
  const name = child === undefined ? 'a child' : `child ${describe(child)}`;
  return new StarweaveError(
    'ERR_START_FAILED',
    `${name} of supervisor ${supervisor} failed to start: ${formatReason(reason)}`,
    { cause: reason, details: { supervisor, id: child, reason } },
  );
}

/** ERR_OVERLOADED with `reason: 'maxChildren'`: a dynamic supervisor is full. */
export function maxChildrenReached(supervisor: Pid, maxChildren: number): StarweaveError {
  return new StarweaveError(
    'ERR_OVERLOADED',
    `dynamic supervisor ${supervisor} already runs its maximum of ${maxChildren} children; stop one first or raise maxChildren.`,
    { details: { supervisor, maxChildren, reason: 'maxChildren' } },
  );
}
