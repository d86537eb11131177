/**
 * The state of a supervisor process, and the two steps every path goes through: starting one
 * child's process and stopping it by its shutdown policy, each with its reports.
 */
import type { ProcessContext } from '@starweave/actors';
import { type ChildRecord, ChildTable } from './child-table.js';
import type { ChildInfo } from './protocol.js';
import { type Reporter, report, SupervisorEvent } from './reports.js';
import { RestartIntensity } from './restart-intensity.js';
import { isExpectedShutdownReason, shutdownChild } from './shutdown.js';
import { runStart, type StartOutcome } from './start-child.js';
import type { ResolvedSupervisorOptions } from './supervisor-options.js';

/** The state of one supervisor process. */
export interface SupervisorState {
  readonly self: ProcessContext;
  readonly reporter: Reporter;
  readonly options: ResolvedSupervisorOptions;
  readonly children: ChildTable;
  readonly intensity: RestartIntensity;
  /** Set once the supervisor is stopping its children to exit; it then ignores messages. */
  stopping: boolean;
}

/** Creates the state of the supervisor `self`. */
export function createState(
  self: ProcessContext,
  options: ResolvedSupervisorOptions,
): SupervisorState {
  return {
    self,
    reporter: { system: self.system, pid: self.pid, name: options.name },
    options,
    children: new ChildTable(),
    intensity: new RestartIntensity(options.maxRestarts, options.maxSeconds),
    stopping: false,
  };
}

/** Describes a record for reports. */
export function reported(record: ChildRecord) {
  return {
    id: record.spec.id,
    pid: record.pid,
    restart: record.spec.restart,
    type: record.spec.type,
  };
}

/** Describes a record for `whichChildren`. */
export function childInfo(record: ChildRecord): ChildInfo {
  return {
    id: record.spec.id,
    pid: record.restarting ? 'restarting' : record.pid,
    type: record.spec.type,
    restart: record.spec.restart,
  };
}

/**
 * Starts the process of `record` (which must be in the table) and records the outcome: the new
 * pid, no pid for IGNORE, or a start error report. `restart` marks a start that is part of a
 * restart, which is also reported as `supervisor.child_restarted`.
 */
export async function startRecord(
  state: SupervisorState,
  record: ChildRecord,
  restart: boolean,
): Promise<StartOutcome> {
  const outcome = await runStart(state.self, record.spec.start, []);
  if ('error' in outcome) {
    report(state.reporter, 'error', SupervisorEvent.startError, reported(record), {
      reason: outcome.error,
    });
    return outcome;
  }
  record.restarting = false;
  record.generation++;
  state.children.setPid(record, 'pid' in outcome ? outcome.pid : undefined);
  if ('pid' in outcome) {
    record.startedAt = state.self.system.clock.now();
    report(state.reporter, 'debug', SupervisorEvent.childStarted, reported(record));
    if (restart) report(state.reporter, 'info', SupervisorEvent.childRestarted, reported(record));
  }
  return outcome;
}

/**
 * Stops the running process of `record` by its shutdown policy and clears its pid. An exit
 * reason other than the expected one is reported as a shutdown error, as OTP does.
 */
export async function stopRecord(state: SupervisorState, record: ChildRecord): Promise<void> {
  const pid = record.pid;
  if (pid === undefined) return;
  const reason = await shutdownChild(state.self, pid, record.spec.shutdown);
  if (!isExpectedShutdownReason(reason, record.spec.shutdown, record.spec.restart)) {
    report(state.reporter, 'error', SupervisorEvent.shutdownError, reported(record), { reason });
  }
  state.children.setPid(record, undefined);
}

/** Stops every running child in reverse start order and cancels every pending restart. */
export async function stopAll(state: SupervisorState): Promise<void> {
  const list = state.children.list;
  for (let i = list.length - 1; i >= 0; i--) {
    const record = list[i]!;
    record.generation++;
    record.restarting = false;
    await stopRecord(state, record);
  }
}
