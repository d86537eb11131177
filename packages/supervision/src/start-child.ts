/**
 * Running a child's start function inside its supervisor: the pid it resolves to, IGNORE, or
 * the reason it failed, as OTP's `do_start_child` sorts the results of a start function.
 */
import {
  describe,
  isIgnored,
  isReason,
  isStarweaveError,
  Pid,
  type ProcessContext,
  type Reason,
  StarweaveError,
} from '@starweave/actors';

/** The result of a start function. */
export type StartOutcome =
  | { readonly pid: Pid }
  | { readonly ignored: true }
  | { readonly error: Reason };

/**
 * Turns what a start function threw into an exit reason: the `cause` of an ERR_START_FAILED
 * (the child's own exit reason, as `GenServer.startLink` reports it), otherwise the error.
 */
export function startFailureReason(thrown: unknown): Reason {
  if (isStarweaveError(thrown, 'ERR_START_FAILED') && isReason(thrown.cause)) return thrown.cause;
  if (thrown instanceof Error) return thrown;
  return new Error(`the start function threw a non-Error value: ${describe(thrown)}`);
}

/**
 * Runs `start(self, ...extra)` and sorts the result. The supervisor links the child even when
 * the start function did not. A child that is already dead by then reaches the supervisor as an
 * exit with reason `'noproc'`.
 */
export async function runStart(
  self: ProcessContext,
  start: (ctx: ProcessContext, ...extra: unknown[]) => Promise<Pid>,
  extra: readonly unknown[],
): Promise<StartOutcome> {
  let result: unknown;
  try {
    result = await start(self, ...extra);
  } catch (error) {
    return { error: startFailureReason(error) };
  }
  if (isIgnored(result)) return { ignored: true };
  if (!(result instanceof Pid)) {
    return {
      error: new StarweaveError(
        'ERR_BAD_RETURN',
        `a child's start function resolved to ${describe(result)}; expected the pid of a process linked to the supervisor, or IGNORE.`,
        { details: { value: result } },
      ),
    };
  }
  self.link(result);
  return { pid: result };
}
