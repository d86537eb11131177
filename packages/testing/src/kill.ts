/**
 * Exit signals aimed at processes chosen by pid, registered name or a predicate over their
 * introspection facts.
 */
import {
  type ActorSystem,
  describe,
  invalidArgument,
  isPid,
  isReason,
  type Pid,
  type ProcessInfo,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { checkSystem } from './system-argument.js';

/** The processes to act on: a pid, a registered name, or a predicate over `processInfo`. */
export type ProcessTarget = Pid | string | ((info: ProcessInfo) => boolean);

/** @internal Fails with ERR_INVALID_ARGUMENT unless `reason` is an exit reason. */
export function checkReason(reason: unknown): asserts reason is Reason {
  if (!isReason(reason)) {
    invalidArgument(
      'reason',
      "'normal', 'shutdown', { shutdown: value }, 'kill', 'killed', 'noproc', 'noconnection', 'timeout' or an Error",
      reason,
    );
  }
}

/**
 * Returns the live pids that `target` names, ordered by pid, never the system's root. A pid or
 * name that names no live process fails with ERR_NOPROC; a predicate may match none.
 */
export function resolveTargets(system: ActorSystem, target: ProcessTarget): Pid[] {
  checkSystem(system);
  if (typeof target === 'function') {
    const pids: Pid[] = [];
    for (const pid of system.processes()) {
      if (pid.equals(system.pid)) continue;
      const info = system.processInfo(pid);
      if (info !== undefined && target(info)) pids.push(pid);
    }
    return pids.sort((a, b) => a.id - b.id);
  }
  if (!isPid(target) && typeof target !== 'string') {
    invalidArgument('target', 'a Pid, a registered name or a predicate (info) => boolean', target);
  }
  const pid = system.resolve(target);
  if (pid === undefined) {
    throw new StarweaveError(
      'ERR_NOPROC',
      `no live process is ${isPid(target) ? String(target) : `registered as ${describe(target)}`}; check that it started and has not already ended.`,
      { details: { target } },
    );
  }
  if (pid.equals(system.pid)) {
    invalidArgument(
      'target',
      "a process other than the system's root",
      target,
      'Shut the system down instead.',
    );
  }
  return [pid];
}

/**
 * Sends an exit signal with `reason` (default `'kill'`) to each process `target` names and
 * returns their pids. Exit-signal rules apply. `'kill'` cannot be trapped and ends the process
 * with `'killed'`. A process that traps exits gets any other reason as an `EXIT` message. A
 * `'normal'` signal to a process that does not trap exits is ignored.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { kill } from '@starweave/testing';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const worker = system.spawn({ handleMessage() {} }, { name: 'worker' });
 * assert.deepEqual(kill(system, 'worker', new Error('injected')), [worker]);
 * assert.equal(system.isAlive(worker), false);
 * await system.shutdown();
 * ```
 */
export function kill(system: ActorSystem, target: ProcessTarget, reason: Reason = 'kill'): Pid[] {
  checkSystem(system);
  checkReason(reason);
  const pids = resolveTargets(system, target);
  const signalled: Pid[] = [];
  for (const pid of pids) {
    // An earlier signal may have ended this one through a link.
    if (!system.isAlive(pid)) continue;
    system.exit(pid, reason);
    signalled.push(pid);
  }
  return signalled;
}
