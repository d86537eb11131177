/**
 * Synchronous requests to a process: a monitor on the callee, a ref-addressed reply, and a
 * timeout. A reply after the timeout is discarded; a callee that dies fails the caller with
 * its reason.
 */
import { type Caller, callerContext } from '../caller.js';
import type { Dest } from '../context.js';
import { StarweaveError, checkTimeout, describe } from '../errors.js';
import type { Pid } from '../pid.js';
import type { Proc } from '../process.js';
import type { Deadline } from '../deadline-queue.js';
import { formatReason } from '../reason.js';
import type { CallReply } from '../reply-router.js';
import type { From } from './types.js';

/**
 * @internal Sends the envelope that `build` makes for a fresh `from`, and waits for the reply.
 * `label` names the operation in errors.
 */
export function request(
  caller: Caller,
  server: Dest,
  build: (from: From) => unknown,
  timeoutMs: number | 'infinity',
  label: string,
): Promise<unknown> {
  const ctx = callerContext(caller) as Proc;
  const system = ctx.system;
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const target = system.lookup(server);
  if (target === undefined) {
    return Promise.reject(
      new StarweaveError('ERR_NOPROC', `${label} to ${describe(server)} failed: no such process (noproc).`, {
        details: { server, reason: 'noproc' },
      }),
    );
  }
  const pid = target.pid;
  if (pid.equals(ctx.pid)) {
    return Promise.reject(
      new StarweaveError(
        'ERR_CALLING_SELF',
        `${label} from ${ctx.pid} to itself would wait forever; handle the request directly or use cast.`,
        { details: { server } },
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const ref = system.makeRef();
    let settled = false;
    let timer: Deadline | null = null;
    // Ends the call once, whichever of reply, callee exit, timeout or shutdown comes first;
    // returns false for the ones that come later.
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer !== null) system.deadlines.cancel(timer);
      system.unwatchForCall(target, ref);
      system.replies.forget(ref);
      return true;
    };
    system.replies.expect(
      ref,
      (reply: CallReply) => {
        if (settle()) resolve(reply.value);
      },
      (error) => {
        if (settle()) reject(error);
      },
    );
    // The watch on the callee shares the call's ref, as OTP's monitor does.
    system.watchForCall(target, ref, (down) => {
      if (settle()) reject(calleeExited(label, server, pid, down.reason));
    });
    if (timeout !== 'infinity') {
      timer = system.deadlines.schedule(timeout, () => {
        timer = null;
        if (!settle()) return;
        reject(
          new StarweaveError(
            'ERR_CALL_TIMEOUT',
            `${label} to ${describe(server)} got no reply within ${timeout} ms; raise timeoutMs or check that the server replies.`,
            { details: { server, timeoutMs: timeout, reason: 'timeout' } },
          ),
        );
      });
    }
    system.sendFrom(ctx, pid, build({ pid: ctx.pid, ref }));
  });
}

function calleeExited(label: string, server: Dest, pid: Pid, reason: unknown): StarweaveError {
  if (reason === 'noproc') {
    return new StarweaveError('ERR_NOPROC', `${label} to ${describe(server)} failed: no such process (noproc).`, {
      details: { server, pid, reason },
    });
  }
  return new StarweaveError(
    'ERR_CALL_EXIT',
    `${label} to ${describe(server)} failed: the process exited with ${formatReason(reason)}.`,
    { cause: reason, details: { server, pid, reason } },
  );
}
