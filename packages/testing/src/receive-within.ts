/**
 * Receives with a timeout on behalf of the kit's assertions. On a test system's virtual clock
 * the wait moves time: the system runs and its timers fire in order until a message matches
 * or the timeout's virtual milliseconds have passed. On the real clock it waits in real time.
 */
import {
  type Caller,
  callerContext,
  isStarweaveError,
  type ProcessContext,
} from '@starweave/actors';
import { notifyReceive, timeDriver } from './kit-state.js';

/** The outcome of {@link receiveWithin}. */
export type ReceiveOutcome = { received: true; message: unknown } | { received: false };

/**
 * Waits up to `timeoutMs` for a message that `predicate` accepts in the caller's mailbox and
 * takes it out. On virtual time, `'infinity'` waits until the system is idle with no timer
 * pending, because no message could arrive after that.
 */
export async function receiveWithin(
  ctx: ProcessContext,
  predicate: (message: unknown) => boolean,
  timeoutMs: number | 'infinity',
): Promise<ReceiveOutcome> {
  const system = ctx.system;
  const driver = timeDriver(system);
  const virtual = driver?.virtualTime === true;
  let settled = false;
  // The receive's own timeout runs on the system clock, so on virtual time it fires when the
  // driver reaches it, after any timer due earlier.
  const receiving = ctx.receive(predicate, timeoutMs).then(
    (message): ReceiveOutcome => {
      settled = true;
      return { received: true, message };
    },
    (error: unknown): ReceiveOutcome => {
      settled = true;
      if (isStarweaveError(error, 'ERR_RECEIVE_TIMEOUT')) return { received: false };
      throw error;
    },
  );
  if (virtual) {
    await driver!.driveUntil(() => settled, timeoutMs);
    if (!settled) {
      // Only a wait without a timeout ends here: nothing is left that could send a message.
      abandonReceive(ctx);
      return { received: false };
    }
  }
  const outcome = await receiving;
  if (outcome.received) notifyReceive(system, ctx.pid, outcome.message);
  return outcome;
}

// Ends a receive that the kit started and gave up on, so the caller may receive again.
function abandonReceive(ctx: ProcessContext): void {
  const proc = ctx.system.lookup(ctx.pid);
  proc?.dropWait();
}

/** Returns the caller's process context, checking the argument. */
export function contextOf(caller: Caller): ProcessContext {
  return callerContext(caller);
}

/** Returns a copy of the messages waiting in the mailbox of `ctx`, oldest first. */
export function mailboxOf(ctx: ProcessContext): unknown[] {
  return ctx.system.lookup(ctx.pid)?.mailbox?.toArray() ?? [];
}
