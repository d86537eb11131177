/**
 * Stopping children by their shutdown policy: an exit signal `'shutdown'`, a wait watched by a
 * monitor, then `'kill'` when the child's shutdown time has passed. Timers run on the system
 * clock, so a VirtualClock drives them in tests.
 */
import {
  isShutdownTuple,
  type Pid,
  type ProcessContext,
  type Reason,
  type Ref,
} from '@starweave/actors';
import type { RestartType, ShutdownPolicy } from './child-spec.js';

/** One child to stop. */
export interface ShutdownEntry {
  readonly pid: Pid;
  readonly shutdown: ShutdownPolicy;
}

/**
 * Stops the child `pid` on behalf of the supervisor `self` and resolves with the reason it
 * exited with. A child that is already dead resolves at once with `'noproc'`.
 */
export function shutdownChild(
  self: ProcessContext,
  pid: Pid,
  shutdown: ShutdownPolicy,
): Promise<Reason> {
  // The one-child case of shutdownChildren, kept apart because restarts and terminateChild
  // stop one child at a time, and the general case allocates per group.
  const system = self.system;
  return new Promise((resolve) => {
    let done = false;
    let timer: Ref | null = null;
    system.addMonitor(null, pid, (down) => {
      done = true;
      if (timer !== null) system.cancelTimer(timer);
      resolve(down.reason);
    });
    if (done) return;
    self.unlink(pid);
    if (shutdown === 'brutalKill') {
      system.exit(pid, 'kill', self.pid);
      return;
    }
    system.exit(pid, 'shutdown', self.pid);
    if (done || shutdown === 'infinity') return;
    timer = system.trackTimer(() => system.exit(pid, 'kill', self.pid), shutdown);
  });
}

/**
 * Stops every child in `entries` at the same time, as a dynamic supervisor does, and resolves
 * with their exit reasons in the order of `entries`. Children with the same shutdown time share
 * one kill timer.
 */
export function shutdownChildren(
  self: ProcessContext,
  entries: readonly ShutdownEntry[],
): Promise<Reason[]> {
  const system = self.system;
  const reasons: Reason[] = new Array(entries.length);
  if (entries.length === 0) return Promise.resolve(reasons);

  return new Promise((resolve) => {
    let remaining = entries.length;
    const done = new Array<boolean>(entries.length).fill(false);
    // Children waiting for a kill, grouped by their shutdown time.
    const groups = new Map<number, number[]>();
    const timers: Ref[] = [];

    const finish = (index: number, reason: Reason) => {
      if (done[index]) return;
      done[index] = true;
      reasons[index] = reason;
      remaining--;
      if (remaining > 0) return;
      for (const timer of timers) system.cancelTimer(timer);
      resolve(reasons);
    };

    for (let index = 0; index < entries.length; index++) {
      const { pid, shutdown } = entries[index]!;
      // A monitor on a dead process fires at once with 'noproc'.
      system.addMonitor(null, pid, (down) => finish(index, down.reason));
      // The monitor reports the exit, so the link would only add an EXIT message for the
      // supervisor to drop (OTP unlinks and flushes that message after the DOWN instead).
      self.unlink(pid);
      if (done[index]) continue;
      if (shutdown === 'brutalKill') {
        system.exit(pid, 'kill', self.pid);
        continue;
      }
      system.exit(pid, 'shutdown', self.pid);
      if (shutdown === 'infinity' || done[index]) continue;
      const group = groups.get(shutdown);
      if (group === undefined) groups.set(shutdown, [index]);
      else group.push(index);
    }

    for (const [timeMs, indexes] of groups) {
      timers.push(
        system.trackTimer(() => {
          for (const index of indexes) {
            if (!done[index]) system.exit(entries[index]!.pid, 'kill', self.pid);
          }
        }, timeMs),
      );
    }
  });
}

/**
 * Returns true when `reason` is what a child stopped by its supervisor is expected to exit with,
 * as OTP checks: `'killed'` for `'brutalKill'`, `'shutdown'` otherwise, and also `'normal'` or
 * `{ shutdown: x }` for a child that is not permanent. Any other reason, such as `'killed'` after
 * a shutdown time ran out, is logged as a shutdown error.
 */
export function isExpectedShutdownReason(
  reason: Reason,
  shutdown: ShutdownPolicy,
  restart: RestartType,
): boolean {
  if (reason === 'noproc') return true;
  if (shutdown === 'brutalKill' && reason === 'killed') return true;
  if (reason === 'shutdown') return true;
  if (restart === 'permanent') return false;
  return reason === 'normal' || isShutdownTuple(reason);
}
