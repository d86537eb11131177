/**
 * fast-check arbitraries for failure tests: fault schedules and supervision trees as plain
 * data, so a failing case prints, shrinks and replays without any live process in it.
 */

import { invalidArgument, type Reason } from '@starweave/actors';
import fc from 'fast-check';
import { checkReason } from './kill.js';

/** One fault of a schedule: at `atMs` after the schedule starts, `target` ends with `reason`. */
export interface ScheduledFault<Id = string> {
  atMs: number;
  target: Id;
  reason: Reason;
}

/** Faults ordered by `atMs`. */
export type FaultSchedule<Id = string> = ScheduledFault<Id>[];

/** The default exit reasons of a fault schedule. */
export const DEFAULT_FAULT_REASONS: readonly Reason[] = ['kill', new Error('injected fault')];

/** Options of {@link arbFaultSchedule}. */
export interface FaultScheduleOptions<Id> {
  /** The targets to choose from, such as child ids; an empty list gives empty schedules. */
  ids: readonly Id[];
  /** Faults at most. Default 5. */
  maxFaults?: number;
  /** Faults at least. Default 0. */
  minFaults?: number;
  /** The latest `atMs`. Default 1000. */
  maxAtMs?: number;
  /** The exit reasons to choose from. Default {@link DEFAULT_FAULT_REASONS}. */
  reasons?: readonly Reason[];
}

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalidArgument(name, `an integer of at least ${min}`, value);
  }
  return value;
}

/**
 * Returns an arbitrary of fault schedules over `ids`: up to `maxFaults` faults, each at a
 * whole millisecond in [0, maxAtMs] with a reason from `reasons`, sorted by time.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import fc from 'fast-check';
 * import { arbFaultSchedule } from '@starweave/testing';
 *
 * const [schedule] = fc.sample(arbFaultSchedule({ ids: ['a', 'b'], minFaults: 2, maxFaults: 4 }), { seed: 42, numRuns: 1 });
 * assert.ok(schedule!.length >= 2);
 * assert.ok(schedule!.every((fault, i) => i === 0 || schedule![i - 1]!.atMs <= fault.atMs));
 * ```
 */
export function arbFaultSchedule<Id>(
  options: FaultScheduleOptions<Id>,
): fc.Arbitrary<FaultSchedule<Id>> {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.ids)) {
    invalidArgument('options.ids', 'an array of target ids', options?.ids);
  }
  const maxFaults = checkCount('maxFaults', options.maxFaults ?? 5, 0);
  const minFaults = checkCount('minFaults', options.minFaults ?? 0, 0);
  if (minFaults > maxFaults) {
    invalidArgument('minFaults', `at most maxFaults (${maxFaults})`, minFaults);
  }
  const maxAtMs = checkCount('maxAtMs', options.maxAtMs ?? 1000, 0);
  const reasons = options.reasons ?? DEFAULT_FAULT_REASONS;
  if (!Array.isArray(reasons) || reasons.length === 0) {
    invalidArgument('reasons', 'a non-empty array of exit reasons', reasons);
  }
  for (const reason of reasons) checkReason(reason);
  if (options.ids.length === 0) return fc.constant([]);

  const fault = fc.record({
    atMs: fc.integer({ min: 0, max: maxAtMs }),
    target: fc.constantFrom(...options.ids),
    reason: fc.constantFrom(...reasons),
  });
  return fc
    .array(fault, { minLength: minFaults, maxLength: maxFaults })
    .map((faults) => [...faults].sort((a, b) => a.atMs - b.atMs));
}

/** A child's restart type, as in OTP. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** A supervisor's restart strategy. */
export type RestartStrategy = 'oneForOne' | 'oneForAll' | 'restForOne';

/** A worker of a generated tree. */
export interface TreeWorker {
  id: string;
  type: 'worker';
  restart: RestartType;
}

/** A supervisor of a generated tree, with its own strategy and children. */
export interface TreeSupervisor {
  id: string;
  type: 'supervisor';
  restart: RestartType;
  strategy: RestartStrategy;
  children: TreeChild[];
}

/** A child of a generated tree. */
export type TreeChild = TreeWorker | TreeSupervisor;

/** A supervision tree as plain data: the root's strategy and its children. */
export interface ProcessTree {
  strategy: RestartStrategy;
  children: TreeChild[];
}

/** Options of {@link arbProcessTree}. */
export interface ProcessTreeOptions {
  /** Supervisor levels, the root included: 1 gives a root with workers only. Default 2. */
  depth?: number;
  /** Children per supervisor at most. Default 3. */
  width?: number;
  /** Children per supervisor at least. Default 1. */
  minWidth?: number;
  /** The strategies to choose from. Default all three. */
  strategies?: readonly RestartStrategy[];
  /** The restart types to choose from. Default all three. */
  restarts?: readonly RestartType[];
}

type ShapeChild =
  | { type: 'worker'; restart: RestartType }
  | { type: 'supervisor'; restart: RestartType; strategy: RestartStrategy; children: ShapeChild[] };

const ALL_STRATEGIES: readonly RestartStrategy[] = ['oneForOne', 'oneForAll', 'restForOne'];
const ALL_RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

function checkChoices<T>(
  name: string,
  values: readonly T[] | undefined,
  all: readonly T[],
): readonly T[] {
  if (values === undefined) return all;
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.some((value) => !all.includes(value))
  ) {
    invalidArgument(
      name,
      `a non-empty array of ${all.map((value) => `'${value}'`).join(', ')}`,
      values,
    );
  }
  return values;
}

/**
 * Returns an arbitrary of supervision trees as plain data. Ids are paths, unique within the
 * tree: `w0`, `s1`, `s1.w0`, where `w` marks a worker and `s` a supervisor. Use
 * {@link treeIds} to list them, for instance as the `ids` of {@link arbFaultSchedule}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import fc from 'fast-check';
 * import { arbProcessTree, treeIds } from '@starweave/testing';
 *
 * fc.assert(
 *   fc.property(arbProcessTree({ depth: 3, width: 2 }), (tree) => {
 *     const ids = treeIds(tree);
 *     assert.equal(new Set(ids).size, ids.length);
 *   }),
 *   { seed: 42, numRuns: 50 },
 * );
 * ```
 */
export function arbProcessTree(options: ProcessTreeOptions = {}): fc.Arbitrary<ProcessTree> {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  const depth = checkCount('depth', options.depth ?? 2, 1);
  const width = checkCount('width', options.width ?? 3, 1);
  const minWidth = checkCount('minWidth', options.minWidth ?? 1, 0);
  if (minWidth > width) invalidArgument('minWidth', `at most width (${width})`, minWidth);
  const strategies = checkChoices('strategies', options.strategies, ALL_STRATEGIES);
  const restarts = checkChoices('restarts', options.restarts, ALL_RESTARTS);

  const restart = fc.constantFrom(...restarts);
  const strategy = fc.constantFrom(...strategies);
  const worker: fc.Arbitrary<ShapeChild> = fc.record({
    type: fc.constant('worker' as const),
    restart,
  });
  // `levels` counts the supervisor levels below the parent, the parent's own children included.
  const children = (levels: number): fc.Arbitrary<ShapeChild[]> => {
    const child =
      levels <= 1
        ? worker
        : fc.oneof(
            { arbitrary: worker, weight: 2 },
            {
              arbitrary: fc.record({
                type: fc.constant('supervisor' as const),
                restart,
                strategy,
                children: children(levels - 1),
              }),
              weight: 1,
            },
          );
    return fc.array(child, { minLength: minWidth, maxLength: width });
  };
  return fc
    .record({ strategy, children: children(depth) })
    .map((shape) => ({ strategy: shape.strategy, children: labelChildren(shape.children, '') }));
}

function labelChildren(shapes: ShapeChild[], prefix: string): TreeChild[] {
  return shapes.map((shape, index) => {
    const id = `${prefix}${shape.type === 'worker' ? 'w' : 's'}${index}`;
    if (shape.type === 'worker') return { id, type: 'worker', restart: shape.restart };
    return {
      id,
      type: 'supervisor',
      restart: shape.restart,
      strategy: shape.strategy,
      children: labelChildren(shape.children, `${id}.`),
    };
  });
}

/** Returns the ids of a tree's children, depth first, optionally only workers or supervisors. */
export function treeIds(
  tree: ProcessTree,
  options: { type?: 'worker' | 'supervisor' } = {},
): string[] {
  if (tree === null || typeof tree !== 'object' || !Array.isArray(tree.children)) {
    invalidArgument('tree', 'a ProcessTree { strategy, children }', tree);
  }
  const ids: string[] = [];
  const visit = (children: TreeChild[]) => {
    for (const child of children) {
      if (options.type === undefined || options.type === child.type) ids.push(child.id);
      if (child.type === 'supervisor') visit(child.children);
    }
  };
  visit(tree.children);
  return ids;
}

/** Returns the child with `id` in `tree`, or undefined. */
export function findTreeChild(tree: ProcessTree, id: string): TreeChild | undefined {
  const search = (children: TreeChild[]): TreeChild | undefined => {
    for (const child of children) {
      if (child.id === id) return child;
      if (child.type === 'supervisor') {
        const found = search(child.children);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return search(tree.children);
}

/**
 * Returns an arbitrary of a tree together with a fault schedule over its ids, for properties
 * such as "the tree converges after any schedule of faults".
 */
export function arbTreeWithFaults(
  treeOptions: ProcessTreeOptions = {},
  faultOptions: Omit<FaultScheduleOptions<string>, 'ids'> & {
    targets?: 'worker' | 'supervisor' | 'all';
  } = {},
): fc.Arbitrary<{ tree: ProcessTree; schedule: FaultSchedule<string> }> {
  const { targets = 'all', ...scheduleOptions } = faultOptions;
  return arbProcessTree(treeOptions).chain((tree) =>
    arbFaultSchedule({
      ...scheduleOptions,
      ids: treeIds(tree, targets === 'all' ? {} : { type: targets }),
    }).map((schedule) => ({ tree, schedule })),
  );
}
