/**
 * Runs a fault schedule against live processes on virtual time: each fault's target id is
 * resolved to a pid when its time comes, and that process gets an exit signal.
 */
import {
  type ActorSystem,
  formatReason,
  invalidArgument,
  isPid,
  type Pid,
  StarweaveError,
} from '@starweave/actors';
import type { FaultSchedule, ScheduledFault } from './arbitraries.js';
import { formatValue } from './format-value.js';
import { checkReason, kill } from './kill.js';
import { notifyNote, timeDriver } from './kit-state.js';
import { toActorSystem } from './system-argument.js';
import type { TestSystem } from './test-system.js';

/** A fault of a schedule as it was applied. */
export interface AppliedFault<Id = string> extends ScheduledFault<Id> {
  /** The pid the target resolved to, or undefined when it resolved to none. */
  pid: Pid | undefined;
  /** False when the target had no live process at the fault's time, so nothing was sent. */
  applied: boolean;
}

/** Finds the live pid of a target id, for instance through `Supervisor.whichChildren`. */
export type TargetResolver<Id> = (id: Id) => Pid | undefined | Promise<Pid | undefined>;

/**
 * Applies `schedule` to a system on virtual time. For each fault in order of `atMs` (measured
 * from the call), it advances the clock to the fault's time, so timers fire and processes run
 * on the way. Then it resolves the target and sends the exit signal: `'kill'` is untrappable,
 * and other reasons follow the exit-signal rules. A target that resolves to no live process is
 * skipped and reported with `applied: false`. Ends with the system idle and returns what was
 * applied.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestSystem, applyFaultSchedule } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * const pids = new Map([['a', t.system.spawn({ handleMessage() {} })], ['b', t.system.spawn({ handleMessage() {} })]]);
 * const applied = await applyFaultSchedule(t, [{ atMs: 10, target: 'b', reason: 'kill' }], (id) => pids.get(id));
 * assert.equal(applied[0]!.applied, true);
 * assert.equal(t.system.isAlive(pids.get('b')!), false);
 * assert.equal(t.now(), 10);
 * await t.shutdown();
 * ```
 */
export async function applyFaultSchedule<Id>(
  system: ActorSystem | TestSystem,
  schedule: FaultSchedule<Id>,
  resolveTarget: TargetResolver<Id>,
): Promise<AppliedFault<Id>[]> {
  const actorSystem = toActorSystem(system);
  const driver = timeDriver(actorSystem);
  if (driver === undefined || !driver.virtualTime) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      'applyFaultSchedule needs a system on virtual time; create it with createTestSystem() and pass the test system or its system.',
    );
  }
  if (!Array.isArray(schedule)) {
    invalidArgument('schedule', 'an array of { atMs, target, reason }', schedule);
  }
  if (typeof resolveTarget !== 'function') {
    invalidArgument('resolveTarget', 'a function (id) => pid', resolveTarget);
  }
  for (const fault of schedule) {
    if (fault === null || typeof fault !== 'object') {
      invalidArgument('schedule entry', '{ atMs, target, reason }', fault);
    }
    if (typeof fault.atMs !== 'number' || !Number.isFinite(fault.atMs) || fault.atMs < 0) {
      invalidArgument(
        'schedule entry atMs',
        'a non-negative finite number of milliseconds',
        fault.atMs,
      );
    }
    checkReason(fault.reason);
  }

  const ordered = [...schedule].sort((a, b) => a.atMs - b.atMs);
  const start = actorSystem.clock.now();
  const applied: AppliedFault<Id>[] = [];
  for (const [index, fault] of ordered.entries()) {
    await driver.advance(Math.max(0, start + fault.atMs - actorSystem.clock.now()));
    const pid = await resolveTarget(fault.target);
    if (pid !== undefined && !isPid(pid)) {
      invalidArgument(
        'resolveTarget result',
        'a Pid or undefined',
        pid,
        `It was returned for target ${formatValue(fault.target)}.`,
      );
    }
    const live = pid !== undefined && actorSystem.isAlive(pid) && !pid.equals(actorSystem.pid);
    notifyNote(
      actorSystem,
      `fault ${index + 1}/${ordered.length}: ${formatValue(fault.target)} ${live ? String(pid) : '(no live process)'} reason ${formatReason(fault.reason)}`,
    );
    if (live) kill(actorSystem, pid, fault.reason);
    applied.push({ ...fault, pid, applied: live });
  }
  await driver.advance(0);
  return applied;
}
