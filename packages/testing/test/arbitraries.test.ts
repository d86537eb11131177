/**
 * The fast-check arbitraries: fault schedules and process trees as plain data, within the
 * bounds their options set.
 */

import { isStarweaveError } from '@starweave/actors';
import {
  arbFaultSchedule,
  arbProcessTree,
  arbTreeWithFaults,
  findTreeChild,
  type ProcessTree,
  type TreeChild,
  treeIds,
} from '@starweave/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// A failing property prints this seed; rerun with it to reproduce.
const PROPERTY = { seed: 42, numRuns: 200 } as const;

function depthOf(children: TreeChild[]): number {
  let deepest = 1;
  for (const child of children) {
    if (child.type === 'supervisor') deepest = Math.max(deepest, 1 + depthOf(child.children));
  }
  return deepest;
}

function everySupervisor(
  tree: ProcessTree,
  check: (children: TreeChild[], strategy: string) => void,
): void {
  check(tree.children, tree.strategy);
  const visit = (children: TreeChild[]) => {
    for (const child of children) {
      if (child.type === 'supervisor') {
        check(child.children, child.strategy);
        visit(child.children);
      }
    }
  };
  visit(tree.children);
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('arbFaultSchedule', () => {
  it('makes schedules sorted by time within the bounds it is given', () => {
    const ids = ['a', 'b', 'c'];
    const reasons = ['kill', 'shutdown'] as const;
    fc.assert(
      fc.property(
        arbFaultSchedule({ ids, maxFaults: 4, minFaults: 1, maxAtMs: 500, reasons: [...reasons] }),
        (schedule) => {
          expect(schedule.length).toBeGreaterThanOrEqual(1);
          expect(schedule.length).toBeLessThanOrEqual(4);
          for (const [index, fault] of schedule.entries()) {
            expect(ids).toContain(fault.target);
            expect(reasons).toContain(fault.reason);
            expect(Number.isInteger(fault.atMs)).toBe(true);
            expect(fault.atMs).toBeGreaterThanOrEqual(0);
            expect(fault.atMs).toBeLessThanOrEqual(500);
            if (index > 0) expect(schedule[index - 1]!.atMs).toBeLessThanOrEqual(fault.atMs);
          }
        },
      ),
      PROPERTY,
    );
  });

  it('takes any kind of id', () => {
    const [schedule] = fc.sample(arbFaultSchedule({ ids: [1, 2], minFaults: 3 }), {
      seed: 1,
      numRuns: 1,
    });

    expect(schedule!.every((fault) => fault.target === 1 || fault.target === 2)).toBe(true);
  });

  it('makes only empty schedules without ids', () => {
    fc.assert(
      fc.property(arbFaultSchedule({ ids: [] }), (schedule) => schedule.length === 0),
      PROPERTY,
    );
  });

  it('draws from kill and an error by default', () => {
    const reasons = fc
      .sample(arbFaultSchedule({ ids: ['a'], minFaults: 5 }), { seed: 3, numRuns: 20 })
      .flat()
      .map((fault) => (fault.reason instanceof Error ? 'error' : fault.reason));

    expect(new Set(reasons)).toEqual(new Set(['kill', 'error']));
  });

  it('fails with ERR_INVALID_ARGUMENT for minFaults above maxFaults', () => {
    const error = thrown(() => arbFaultSchedule({ ids: ['a'], minFaults: 3, maxFaults: 2 }));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for a reason that is not an exit reason', () => {
    const error = thrown(() => arbFaultSchedule({ ids: ['a'], reasons: ['crash' as never] }));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('arbProcessTree', () => {
  it('makes trees no deeper and no wider than asked, with unique path ids', () => {
    fc.assert(
      fc.property(arbProcessTree({ depth: 3, width: 3 }), (tree) => {
        expect(depthOf(tree.children)).toBeLessThanOrEqual(3);
        everySupervisor(tree, (children, strategy) => {
          expect(children.length).toBeGreaterThanOrEqual(1);
          expect(children.length).toBeLessThanOrEqual(3);
          expect(['oneForOne', 'oneForAll', 'restForOne']).toContain(strategy);
        });
        const ids = treeIds(tree);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) {
          const child = findTreeChild(tree, id)!;
          expect(
            id
              .split('.')
              .at(-1)!
              .startsWith(child.type === 'worker' ? 'w' : 's'),
          ).toBe(true);
          expect(['permanent', 'transient', 'temporary']).toContain(child.restart);
        }
      }),
      PROPERTY,
    );
  });

  it('reaches the depth it allows', () => {
    const depths = fc
      .sample(arbProcessTree({ depth: 3, width: 3 }), { seed: 7, numRuns: 200 })
      .map((tree) => depthOf(tree.children));

    expect(Math.max(...depths)).toBe(3);
  });

  it('makes workers only at depth 1', () => {
    fc.assert(
      fc.property(arbProcessTree({ depth: 1, width: 4 }), (tree) =>
        tree.children.every((child) => child.type === 'worker'),
      ),
      PROPERTY,
    );
  });

  it('draws only the strategies and restart types it is given', () => {
    fc.assert(
      fc.property(
        arbProcessTree({ depth: 3, strategies: ['restForOne'], restarts: ['transient'] }),
        (tree) => {
          everySupervisor(tree, (_children, strategy) => expect(strategy).toBe('restForOne'));
          for (const id of treeIds(tree))
            expect(findTreeChild(tree, id)!.restart).toBe('transient');
        },
      ),
      PROPERTY,
    );
  });

  it('allows supervisors without children when minWidth is 0', () => {
    const sizes = fc
      .sample(arbProcessTree({ depth: 1, width: 2, minWidth: 0 }), { seed: 5, numRuns: 100 })
      .map((tree) => tree.children.length);

    expect(sizes).toContain(0);
  });

  it('fails with ERR_INVALID_ARGUMENT for a depth below one', () => {
    expect(
      isStarweaveError(
        thrown(() => arbProcessTree({ depth: 0 })),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for an unknown strategy', () => {
    const error = thrown(() => arbProcessTree({ strategies: ['oneForSome' as never] }));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('treeIds', () => {
  const tree: ProcessTree = {
    strategy: 'oneForOne',
    children: [
      { id: 'w0', type: 'worker', restart: 'permanent' },
      {
        id: 's1',
        type: 'supervisor',
        restart: 'permanent',
        strategy: 'oneForAll',
        children: [{ id: 's1.w0', type: 'worker', restart: 'temporary' }],
      },
    ],
  };

  it('lists ids depth first', () => {
    expect(treeIds(tree)).toEqual(['w0', 's1', 's1.w0']);
  });

  it('lists only the children of one type', () => {
    expect(treeIds(tree, { type: 'worker' })).toEqual(['w0', 's1.w0']);
    expect(treeIds(tree, { type: 'supervisor' })).toEqual(['s1']);
  });

  it('finds a nested child by id', () => {
    expect(findTreeChild(tree, 's1.w0')).toEqual({
      id: 's1.w0',
      type: 'worker',
      restart: 'temporary',
    });
    expect(findTreeChild(tree, 'nope')).toBeUndefined();
  });
});

describe('arbTreeWithFaults', () => {
  it('aims every fault at a child of its tree', () => {
    fc.assert(
      fc.property(
        arbTreeWithFaults({ depth: 2 }, { maxFaults: 6, targets: 'worker' }),
        ({ tree, schedule }) => {
          const workers = treeIds(tree, { type: 'worker' });
          for (const fault of schedule) expect(workers).toContain(fault.target);
        },
      ),
      PROPERTY,
    );
  });
});
