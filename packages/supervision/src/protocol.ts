/**
 * The requests that the Supervisor and DynamicSupervisor functions send to a supervisor
 * process, the replies (a value or an error to raise in the caller), and what they return.
 */
import {
  type AnyProtocol,
  type Caller,
  checkTimeout,
  describe,
  GenServer,
  type Pid,
  StarweaveError,
} from '@starweave/actors';
import type { ChildType, ResolvedChildSpec, RestartType, ShutdownPolicy } from './child-spec.js';

/** One child as `whichChildren` reports it. */
export interface ChildInfo {
  /** The child's id; undefined under a dynamic supervisor. */
  readonly id: string | undefined;
  /** The child's pid, `'restarting'` while it waits for a restart, undefined when stopped. */
  readonly pid: Pid | 'restarting' | undefined;
  readonly type: ChildType;
  readonly restart: RestartType;
}

/** The counts that `countChildren` returns, as OTP's `count_children`. */
export interface ChildCounts {
  /** Child specs, running or not. */
  readonly specs: number;
  /** Children whose process is alive. */
  readonly active: number;
  /** Children of type `'supervisor'`, running or not. */
  readonly supervisors: number;
  /** Children of type `'worker'`, running or not. */
  readonly workers: number;
}

/** A child spec as `getChildSpec` returns it, with every default filled in. */
export interface ChildSpecInfo {
  readonly id: string;
  readonly restart: RestartType;
  readonly shutdown: ShutdownPolicy;
  readonly type: ChildType;
  readonly significant: boolean;
}

/** A supervisor's description of itself and its children, for `Supervisor.tree`. */
export interface SupervisorDescription {
  readonly kind: 'supervisor' | 'dynamicSupervisor';
  readonly name: string | undefined;
  readonly strategy: string;
  readonly children: ChildInfo[];
}

/** The requests a supervisor process handles. */
export type SupervisorRequest =
  | { readonly type: 'whichChildren' }
  | { readonly type: 'countChildren' }
  | { readonly type: 'describe' }
  | { readonly type: 'startChild'; readonly spec: ResolvedChildSpec }
  | { readonly type: 'terminateChild'; readonly child: string | Pid }
  | { readonly type: 'restartChild'; readonly id: string }
  | { readonly type: 'deleteChild'; readonly id: string }
  | { readonly type: 'getChildSpec'; readonly id: string };

/** A supervisor's reply: a value, or an error that the calling function raises. */
export type SupervisorReply<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: StarweaveError };

/** Wraps a value as a successful reply. */
export function ok<T>(value: T): SupervisorReply<T> {
  return { ok: true, value };
}

/** Wraps an error as a failed reply. */
export function failed(error: StarweaveError): SupervisorReply<never> {
  return { ok: false, error };
}

/**
 * Sends `request` to the supervisor `sup` (a pid or name) and returns the value of its reply,
 * or raises its error. Fails with ERR_NOPROC when `sup` is not alive. The default timeout is
 * 'infinity', as OTP's supervisor calls, because a supervisor replies only once a start or
 * stop finishes.
 */
export async function callSupervisor<T>(
  caller: Caller,
  sup: Pid | string,
  request: SupervisorRequest,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<T> {
  checkTimeout('timeoutMs', timeoutMs);
  // GenServer.call has one overload for pids and one for names.
  const pending =
    typeof sup === 'string'
      ? GenServer.call<AnyProtocol, SupervisorRequest>(caller, sup, request, timeoutMs)
      : GenServer.call<AnyProtocol, SupervisorRequest>(caller, sup, request, timeoutMs);
  const reply = (await pending) as SupervisorReply<T>;
  if (reply === null || typeof reply !== 'object' || typeof reply.ok !== 'boolean') {
    throw new StarweaveError(
      'ERR_BAD_RETURN',
      `${describe(sup)} replied to the supervisor request ${request.type} with ${describe(reply)}; check that it is a Starweave supervisor.`,
      { details: { sup, request: request.type, reply } },
    );
  }
  if (!reply.ok) throw reply.error;
  return reply.value;
}
