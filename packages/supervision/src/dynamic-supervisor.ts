/**
 * DynamicSupervisor: a supervisor that starts with no children and supervises children started
 * on demand, one for one, with an optional cap on their number (Elixir's DynamicSupervisor).
 */
import {
  type Caller,
  describe,
  GenServer,
  isPid,
  isStarweaveError,
  type Pid,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { resolveChildSpec } from './child-spec.js';
import {
  type DynamicChildSpec,
  type DynamicSupervisorOptions,
  resolveDynamicOptions,
} from './dynamic-supervisor-options.js';
import { DynamicSupervisorServer } from './dynamic-supervisor-server.js';
import { type ChildCounts, type ChildInfo, callSupervisor } from './protocol.js';
import type { SupervisorRef } from './supervisor.js';

/**
 * Starts a dynamic supervisor linked to the caller, with no children, and resolves with its
 * pid. Fails with ERR_ALREADY_STARTED when `options.name` is taken.
 */
export async function startLink(
  caller: Caller,
  options: DynamicSupervisorOptions = {},
): Promise<Pid> {
  const resolved = resolveDynamicOptions(options);
  try {
    return await GenServer.startLink(caller, DynamicSupervisorServer, resolved, {
      name: resolved.name,
    });
  } catch (error) {
    if (!isStarweaveError(error, 'ERR_ALREADY_REGISTERED')) throw error;
    const pid = error.details?.pid;
    throw new StarweaveError(
      'ERR_ALREADY_STARTED',
      `a process is already registered as ${describe(resolved.name)}${pid ? ` (${pid})` : ''}; pick another name for the dynamic supervisor.`,
      { cause: error, details: { name: resolved.name, pid } },
    );
  }
}

/**
 * Starts a child by `spec.start(ctx, ...extraArguments)` and resolves with its pid, or with
 * IGNORE (no child is added). Fails with ERR_OVERLOADED (`details.reason: 'maxChildren'`) when
 * `maxChildren` children already run, and with ERR_START_FAILED (reason in `cause`) when the
 * start fails.
 */
export async function startChild(
  caller: Caller,
  sup: SupervisorRef,
  spec: DynamicChildSpec,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<Pid> {
  const resolved = resolveChildSpec(spec, 'spec', false);
  return callSupervisor(caller, sup, { type: 'startChild', spec: resolved }, timeoutMs);
}

/**
 * Stops the child `pid` by its shutdown policy and removes it. Fails with ERR_NOT_FOUND when
 * `pid` is not a child of `sup`.
 */
export async function terminateChild(
  caller: Caller,
  sup: SupervisorRef,
  pid: Pid,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  if (!isPid(pid)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid pid: expected the pid of a child, received ${describe(pid)}.`,
      { details: { argument: 'pid', received: pid } },
    );
  }
  await callSupervisor(caller, sup, { type: 'terminateChild', child: pid }, timeoutMs);
}

/**
 * Returns the children in start order, each with id undefined, its pid (`'restarting'` while a
 * restart is pending), type and restart type.
 */
export function whichChildren(
  caller: Caller,
  sup: SupervisorRef,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<ChildInfo[]> {
  return callSupervisor(caller, sup, { type: 'whichChildren' }, timeoutMs);
}

/** Counts the children: all of them (`specs`), the running ones, supervisors and workers. */
export function countChildren(
  caller: Caller,
  sup: SupervisorRef,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<ChildCounts> {
  return callSupervisor(caller, sup, { type: 'countChildren' }, timeoutMs);
}

/** Stops the supervisor and, all at once, its children; resolves once it has exited. */
export function stop(
  caller: Caller,
  sup: SupervisorRef,
  reason: Reason = 'normal',
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  return GenServer.stop(caller, sup, reason, timeoutMs);
}

export type {
  DynamicChildSpec as Spec,
  DynamicSupervisorOptions as Options,
} from './dynamic-supervisor-options.js';
