/**
 * The child management requests of a supervisor (OTP's start_child, terminate_child,
 * restart_child, delete_child, which_children, count_children, get_childspec). Each reply is a
 * value or OTP's error.
 */
import { IGNORE, isStarweaveError, type Pid } from '@starweave/actors';
import { checkSignificant, type ResolvedChildSpec } from './child-spec.js';
import { newRecord } from './child-table.js';
import {
  childAlreadyPresent,
  childAlreadyStarted,
  childNotFound,
  childRestarting,
  childRunning,
  childStartFailed,
} from './errors.js';
import {
  type ChildCounts,
  type ChildSpecInfo,
  failed,
  ok,
  type SupervisorDescription,
  type SupervisorReply,
} from './protocol.js';
import { childInfo, type SupervisorState, startRecord, stopRecord } from './supervisor-state.js';

/** Adds a child spec and starts its child (OTP's start_child). */
export async function startNewChild(
  state: SupervisorState,
  spec: ResolvedChildSpec,
): Promise<SupervisorReply<Pid>> {
  const sup = state.self.pid;
  const existing = state.children.findById(spec.id);
  if (existing !== undefined) {
    return failed(
      existing.pid === undefined
        ? childAlreadyPresent(sup, spec.id)
        : childAlreadyStarted(sup, spec.id, existing.pid),
    );
  }
  try {
    checkSignificant(spec, state.options.autoShutdown, 'spec');
  } catch (error) {
    if (isStarweaveError(error)) return failed(error);
    throw error;
  }

  const record = newRecord(spec);
  state.children.add(record);
  const outcome = await startRecord(state, record, false);
  if ('error' in outcome) {
    state.children.remove(record);
    return failed(childStartFailed(sup, spec.id, outcome.error));
  }
  if ('ignored' in outcome) {
    // OTP keeps the spec of an ignored child, except a temporary one.
    if (spec.restart === 'temporary') state.children.remove(record);
    return ok(IGNORE);
  }
  return ok(outcome.pid);
}

/**
 * Stops a child by its shutdown policy and keeps its spec (OTP's terminate_child); a temporary
 * child's spec is removed. A pending restart of the child is cancelled.
 */
export async function terminateChildById(
  state: SupervisorState,
  id: string,
): Promise<SupervisorReply<void>> {
  const record = state.children.findById(id);
  if (record === undefined) return failed(childNotFound(state.self.pid, id));
  record.generation++;
  record.restarting = false;
  await stopRecord(state, record);
  if (record.spec.restart === 'temporary') state.children.remove(record);
  return ok(undefined);
}

/** Starts the child of a kept spec that is not running (OTP's restart_child). */
export async function restartChildById(
  state: SupervisorState,
  id: string,
): Promise<SupervisorReply<Pid>> {
  const sup = state.self.pid;
  const record = state.children.findById(id);
  if (record === undefined) return failed(childNotFound(sup, id));
  if (record.restarting) return failed(childRestarting(sup, id));
  if (record.pid !== undefined) return failed(childRunning(sup, id, record.pid));

  const outcome = await startRecord(state, record, false);
  if ('error' in outcome) return failed(childStartFailed(sup, id, outcome.error));
  return ok('pid' in outcome ? outcome.pid : IGNORE);
}

/** Removes the spec of a child that is not running (OTP's delete_child). */
export function deleteChildById(state: SupervisorState, id: string): SupervisorReply<void> {
  const sup = state.self.pid;
  const record = state.children.findById(id);
  if (record === undefined) return failed(childNotFound(sup, id));
  if (record.restarting) return failed(childRestarting(sup, id));
  if (record.pid !== undefined) return failed(childRunning(sup, id, record.pid));
  state.children.remove(record);
  return ok(undefined);
}

/** Returns a kept child spec with its defaults (OTP's get_childspec). */
export function childSpecById(state: SupervisorState, id: string): SupervisorReply<ChildSpecInfo> {
  const record = state.children.findById(id);
  if (record === undefined) return failed(childNotFound(state.self.pid, id));
  const { restart, shutdown, type, significant } = record.spec;
  return ok({ id, restart, shutdown, type, significant });
}

/** Counts the children as OTP's count_children does. */
export function countChildren(state: SupervisorState): ChildCounts {
  const system = state.self.system;
  let active = 0;
  let supervisors = 0;
  for (const record of state.children.list) {
    if (record.pid !== undefined && system.isAlive(record.pid)) active++;
    if (record.spec.type === 'supervisor') supervisors++;
  }
  const specs = state.children.size;
  return { specs, active, supervisors, workers: specs - supervisors };
}

/** Describes the supervisor and its children, for `Supervisor.tree`. */
export function describeSupervisor(state: SupervisorState): SupervisorDescription {
  return {
    kind: 'supervisor',
    name: state.options.name,
    strategy: state.options.strategy,
    children: state.children.list.map(childInfo),
  };
}
