/**
 * A model of OTP's supervisor rules over plain-data trees (from @starweave/testing's
 * arbitraries): what a fault does to a tree, which faults stay within the restart intensity,
 * and the state a live tree must converge to. The property tests compare live trees with it.
 */
import type { Reason } from '@starweave/actors';
import type { ProcessTree, RestartStrategy, TreeChild } from '@starweave/testing';

/** One child in the model. */
export interface ModelChild {
  readonly spec: TreeChild;
  status: 'running' | 'stopped';
  /** The state of a child supervisor while it runs. */
  sup: ModelSupervisor | undefined;
}

/** One supervisor in the model: its children in start order and its recent restart times. */
export interface ModelSupervisor {
  readonly strategy: RestartStrategy;
  readonly children: ModelChild[];
  readonly restartTimes: number[];
}

/** What a fault did to the model. */
export type FaultEffect = 'applied' | 'absent' | 'past-intensity';

/** Builds the model of a freshly started supervisor with `children`. */
export function startModel(
  strategy: RestartStrategy,
  children: readonly TreeChild[],
): ModelSupervisor {
  return {
    strategy,
    children: children.map((spec) => ({
      spec,
      status: 'running',
      sup: spec.type === 'supervisor' ? startModel(spec.strategy, spec.children) : undefined,
    })),
    restartTimes: [],
  };
}

/** Builds the model of a started tree. */
export function treeModel(tree: ProcessTree): ModelSupervisor {
  return startModel(tree.strategy, tree.children);
}

/** Finds the running supervisor that contains child `id`, with the child. */
export function locate(
  model: ModelSupervisor,
  id: string,
): { parent: ModelSupervisor; child: ModelChild } | undefined {
  for (const child of model.children) {
    if (child.spec.id === id) return { parent: model, child };
    if (child.sup !== undefined && child.status === 'running') {
      const found = locate(child.sup, id);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Applies the exit of child `id` with `reason` at `nowMs` to the model, as OTP's supervisor
 * handles it. Returns 'absent' when the child has no running process, and 'past-intensity',
 * changing nothing, when the restart would be more than `maxRestarts` within `maxSeconds`.
 */
export function applyExit(
  model: ModelSupervisor,
  id: string,
  reason: Reason,
  nowMs: number,
  maxRestarts: number,
  maxSeconds: number,
): FaultEffect {
  const found = locate(model, id);
  if (found === undefined || found.child.status !== 'running') return 'absent';
  const { parent, child } = found;
  const abnormal = !(reason === 'normal' || reason === 'shutdown');
  const restarts =
    child.spec.restart === 'permanent' || (child.spec.restart === 'transient' && abnormal);

  if (!restarts) {
    if (child.spec.restart === 'temporary')
      parent.children.splice(parent.children.indexOf(child), 1);
    else child.status = 'stopped';
    return 'applied';
  }

  const recent = parent.restartTimes.filter((time) => time >= nowMs - maxSeconds * 1000);
  if (recent.length + 1 > maxRestarts) return 'past-intensity';
  parent.restartTimes.splice(0, parent.restartTimes.length, ...recent, nowMs);

  const index = parent.children.indexOf(child);
  const affected =
    parent.strategy === 'oneForAll'
      ? [...parent.children]
      : parent.strategy === 'restForOne'
        ? parent.children.slice(index)
        : [child];
  for (const sibling of affected) {
    if (sibling !== child && sibling.spec.restart === 'temporary') {
      parent.children.splice(parent.children.indexOf(sibling), 1);
      continue;
    }
    // Stopped and started again: a child supervisor comes back with its initial children.
    sibling.status = 'running';
    if (sibling.spec.type === 'supervisor') {
      sibling.sup = startModel(sibling.spec.strategy, sibling.spec.children);
    }
  }
  return 'applied';
}

/** Counts a model supervisor's children as `countChildren` does. */
export function modelCounts(model: ModelSupervisor) {
  const supervisors = model.children.filter((child) => child.spec.type === 'supervisor').length;
  return {
    specs: model.children.length,
    active: model.children.filter((child) => child.status === 'running').length,
    supervisors,
    workers: model.children.length - supervisors,
  };
}
