/**
 * Child exits in a supervisor. By its restart type, a child stays down or is restarted, and the
 * strategy takes its siblings down and up with it. Each restart counts against the intensity, a
 * failed restart is retried, and the supervisor shuts down past the intensity or when its
 * significant children end.
 */
import { isNormalReason, type Pid, type Reason } from '@starweave/actors';
import type { ChildRecord } from './child-table.js';
import { exitLevel, report, SupervisorEvent } from './reports.js';
import { reported, type SupervisorState, startRecord, stopRecord } from './supervisor-state.js';

/** The result of a supervisor's message handler that keeps going. */
export type Continue = { noreply: true; state: SupervisorState };
/** The result of a supervisor's message handler that exits with 'shutdown'. */
export type Shutdown = { stop: 'shutdown'; state: SupervisorState };

/**
 * A message a supervisor sends itself to run a restart later: `'retry'` after a failed start
 * (counted again, as OTP's `try_again_restart`), `'start'` when a back-off delay has passed.
 */
export class RestartRequest {
  constructor(
    readonly id: string,
    readonly generation: number,
    readonly phase: 'retry' | 'start',
    /** The exit or start failure reason that led to this restart, for reports. */
    readonly reason: Reason,
  ) {}
}

/** Handles the exit of the child of `record`, which exited by itself with `reason`. */
export function childExited(
  state: SupervisorState,
  record: ChildRecord,
  reason: Reason,
): Continue | Shutdown | Promise<Continue | Shutdown> {
  const level = exitLevel(reason, record.spec.restart);
  report(state.reporter, level, SupervisorEvent.childExited, reported(record), { reason });
  const pid = record.pid;
  state.children.setPid(record, undefined);

  const restart = record.spec.restart;
  if (restart === 'permanent' || (restart === 'transient' && !isNormalReason(reason))) {
    return restartChild(state, record, reason, 'exit', pid);
  }
  if (restart === 'temporary') state.children.remove(record);
  return shutsDownAutomatically(state, record) ? autoShutdown(state, record) : continued(state);
}

/**
 * Restarts `record` after its exit (`cause` 'exit', with the `exited` pid), after a failed start
 * ('retry'), or with the back-off already waited ('waited'). Counts the restart, and past the
 * intensity returns a shutdown. Otherwise it stops the siblings the strategy takes along, in
 * reverse start order, and starts the affected children now or after the back-off delay.
 */
export async function restartChild(
  state: SupervisorState,
  record: ChildRecord,
  reason: Reason,
  cause: 'exit' | 'retry' | 'waited',
  exited?: Pid,
): Promise<Continue | Shutdown> {
  const clock = state.self.system.clock;
  if (!state.intensity.add(clock.now())) {
    record.restarting = false;
    record.generation++;
    const child = { ...reported(record), pid: exited };
    report(state.reporter, 'error', SupervisorEvent.shutdown, child, { reason });
    return { stop: 'shutdown', state };
  }

  const affected = affectedBy(state, record);
  for (let i = affected.length - 1; i >= 0; i--) {
    const sibling = affected[i]!;
    if (sibling === record) continue;
    await stopRecord(state, sibling);
    sibling.generation++;
    // Temporary children are never restarted, not even with their siblings (OTP).
    if (sibling.spec.restart === 'temporary') state.children.remove(sibling);
    else sibling.restarting = true;
  }
  record.restarting = true;

  const backoff = state.options.backoff;
  if (backoff !== null && cause !== 'waited') {
    const delayMs = backoff.next(record, clock.now(), cause === 'exit');
    report(state.reporter, 'info', SupervisorEvent.restartScheduled, reported(record), {
      reason,
      delayMs,
    });
    const request = new RestartRequest(record.spec.id, record.generation, 'start', reason);
    state.self.sendAfter(state.self.pid, request, delayMs);
    return continued(state);
  }
  return startAffected(state, record);
}

/**
 * Starts, in start order, every child of the range the strategy gives for `record` that is not
 * running. When a start fails, that child waits for a retry (sent to self, after the back-off
 * delay when one is set) and the children after it stay down until then.
 */
export async function startAffected(
  state: SupervisorState,
  record: ChildRecord,
): Promise<Continue | Shutdown> {
  const range = affectedBy(state, record);
  for (let i = 0; i < range.length; i++) {
    const child = range[i]!;
    if (child.pid !== undefined) continue;
    const outcome = await startRecord(state, child, true);
    if (!('error' in outcome)) continue;

    for (let j = i + 1; j < range.length; j++) range[j]!.restarting = false;
    child.restarting = true;
    const request = new RestartRequest(child.spec.id, child.generation, 'retry', outcome.error);
    const backoff = state.options.backoff;
    if (backoff === null) {
      state.self.send(state.self.pid, request);
    } else {
      const delayMs = backoff.next(child, state.self.system.clock.now(), false);
      state.self.sendAfter(state.self.pid, request, delayMs);
    }
    return continued(state);
  }
  return continued(state);
}

/** Runs a restart the supervisor scheduled for itself, unless something cancelled it since. */
export function runRestartRequest(
  state: SupervisorState,
  request: RestartRequest,
): Continue | Shutdown | Promise<Continue | Shutdown> {
  const record = state.children.findById(request.id);
  if (record === undefined || record.generation !== request.generation || !record.restarting) {
    return continued(state);
  }
  if (request.phase === 'start') return startAffected(state, record);
  const cause = state.options.backoff === null ? 'retry' : 'waited';
  return restartChild(state, record, request.reason, cause);
}

/** Returns the children the strategy restarts along with `record`, in start order. */
function affectedBy(state: SupervisorState, record: ChildRecord): ChildRecord[] {
  switch (state.options.strategy) {
    case 'oneForAll':
      return state.children.list.slice();
    case 'restForOne':
      return state.children.from(record);
    default:
      return [record];
  }
}

/**
 * Returns true when the exit of the significant child `record`, which will not be restarted,
 * shuts the supervisor down: at once under `'anySignificant'`, and under `'allSignificant'`
 * when no other significant child is running or waiting for a restart.
 */
function shutsDownAutomatically(state: SupervisorState, record: ChildRecord): boolean {
  const mode = state.options.autoShutdown;
  if (mode === 'never' || !record.spec.significant) return false;
  if (mode === 'anySignificant') return true;
  return !state.children.list.some(
    (child) => child.spec.significant && (child.pid !== undefined || child.restarting),
  );
}

function autoShutdown(state: SupervisorState, record: ChildRecord): Shutdown {
  report(state.reporter, 'info', SupervisorEvent.autoShutdown, reported(record));
  return { stop: 'shutdown', state };
}

function continued(state: SupervisorState): Continue {
  return { noreply: true, state };
}
