/**
 * Supervision tree introspection: a supervisor, its children and, for children that are
 * supervisors themselves, their subtrees, asked of each supervisor in turn.
 */
import { type Caller, callerContext, isStarweaveError, type Pid } from '@starweave/actors';
import type { ChildType, RestartType } from './child-spec.js';
import { type ChildInfo, callSupervisor, type SupervisorDescription } from './protocol.js';

/** Whether a child runs, waits for a restart, or is stopped. */
export type ChildStatus = 'running' | 'restarting' | 'stopped';

/** A supervisor and its subtree. */
export interface SupervisorTree {
  readonly pid: Pid;
  /** The name the supervisor was started with, if any. */
  readonly name: string | undefined;
  readonly kind: 'supervisor' | 'dynamicSupervisor';
  readonly strategy: string;
  readonly children: TreeNode[];
}

/** One child in a supervision tree. */
export interface TreeNode {
  /** The child's id; undefined under a dynamic supervisor. */
  readonly id: string | undefined;
  /** The child's pid while it runs. */
  readonly pid: Pid | undefined;
  readonly type: ChildType;
  readonly restart: RestartType;
  readonly status: ChildStatus;
  /** The subtree of a running child of type `'supervisor'` that replied to the request. */
  readonly supervisor?: SupervisorTree;
}

/**
 * Returns the tree under `sup`: each child with its id, pid, type, restart type and status,
 * and the subtree of every running child supervisor. Each supervisor is asked in turn, with
 * `timeoutMs` per request (default 5000). A child of type `'supervisor'` that does not reply
 * (it is not a Starweave supervisor, or it exited meanwhile) is listed without a subtree.
 * Fails with ERR_NOPROC when `sup` is not alive.
 */
export async function tree(
  caller: Caller,
  sup: Pid | string,
  timeoutMs: number | 'infinity' = 5000,
): Promise<SupervisorTree> {
  const ctx = callerContext(caller);
  const description = await callSupervisor<SupervisorDescription>(
    ctx,
    sup,
    { type: 'describe' },
    timeoutMs,
  );
  const pid = typeof sup === 'string' ? ctx.system.whereis(sup) : sup;
  const children: TreeNode[] = [];
  for (const child of description.children) children.push(await node(ctx, child, timeoutMs));
  return {
    pid: pid!,
    name: description.name,
    kind: description.kind,
    strategy: description.strategy,
    children,
  };
}

async function node(
  caller: Caller,
  child: ChildInfo,
  timeoutMs: number | 'infinity',
): Promise<TreeNode> {
  let status: ChildStatus = 'running';
  if (child.pid === 'restarting') status = 'restarting';
  else if (child.pid === undefined) status = 'stopped';
  const pid = child.pid === 'restarting' ? undefined : child.pid;
  const base = { id: child.id, pid, type: child.type, restart: child.restart, status };
  if (child.type !== 'supervisor' || pid === undefined) return base;
  try {
    return { ...base, supervisor: await tree(caller, pid, timeoutMs) };
  } catch (error) {
    if (isStarweaveError(error)) return base;
    throw error;
  }
}
