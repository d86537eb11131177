/**
 * applyFaultSchedule: faults at their virtual times, targets resolved when each fault comes,
 * and a convergence property over generated trees and schedules.
 */

import { isStarweaveError, type Pid } from '@starweave/actors';
import {
  applyFaultSchedule,
  arbTreeWithFaults,
  createTestSystem,
  treeIds,
} from '@starweave/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';
import { startTree } from './tree-fixture.js';

const newTestSystem = useTestSystems();

describe('applyFaultSchedule', () => {
  it('sends each fault at its time after the call', async () => {
    const t = newTestSystem();
    await t.advance(1000);
    const pids = new Map<string, Pid>([
      ['a', t.system.spawn({ handleMessage() {} })],
      ['b', t.system.spawn({ handleMessage() {} })],
    ]);
    const downAt = new Map<string, number>();
    for (const [id, pid] of pids) t.system.monitor(pid, () => downAt.set(id, t.now()));

    const applied = await applyFaultSchedule(
      t,
      [
        { atMs: 300, target: 'b', reason: new Error('second') },
        { atMs: 100, target: 'a', reason: 'kill' },
      ],
      (id) => pids.get(id),
    );

    expect(applied.map((fault) => [fault.target, fault.applied])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(downAt).toEqual(
      new Map([
        ['a', 1100],
        ['b', 1300],
      ]),
    );
    expect(t.now()).toBe(1300);
  });

  it('skips a target that has no live process and reports it', async () => {
    const t = newTestSystem();
    const pid = t.system.spawn({ handleMessage() {} });
    t.system.exit(pid, 'kill');

    const applied = await applyFaultSchedule(
      t.system,
      [
        { atMs: 0, target: 'dead', reason: 'kill' },
        { atMs: 5, target: 'unknown', reason: 'kill' },
      ],
      (id) => (id === 'dead' ? pid : undefined),
    );

    expect(applied).toEqual([
      { atMs: 0, target: 'dead', reason: 'kill', pid, applied: false },
      { atMs: 5, target: 'unknown', reason: 'kill', pid: undefined, applied: false },
    ]);
  });

  it('resolves each target when its fault comes, after restarts', async () => {
    const t = newTestSystem();
    const { table } = startTree(t.system, {
      strategy: 'oneForOne',
      children: [{ id: 'w0', type: 'worker', restart: 'permanent' }],
    });
    await t.runUntilIdle();
    const first = table.get('w0')!;

    const applied = await applyFaultSchedule(
      t,
      [
        { atMs: 10, target: 'w0', reason: 'kill' },
        { atMs: 20, target: 'w0', reason: 'kill' },
      ],
      (id) => table.get(id),
    );

    expect(applied[0]!.pid).toEqual(first);
    expect(applied[1]!.pid).not.toEqual(first);
    expect(applied.every((fault) => fault.applied)).toBe(true);
    expect(t.system.isAlive(table.get('w0')!)).toBe(true);
  });

  it('waits for an async resolver', async () => {
    const t = newTestSystem();
    const pid = t.system.spawn({ handleMessage() {} });

    const applied = await applyFaultSchedule(
      t,
      [{ atMs: 1, target: 'x', reason: 'kill' }],
      async () => pid,
    );

    expect(applied[0]!.applied).toBe(true);
  });

  it('notes each fault in the trace', async () => {
    const t = newTestSystem();
    const pid = t.system.spawn({ handleMessage() {} });

    await applyFaultSchedule(t, [{ atMs: 7, target: 'w3', reason: 'kill' }], () => pid);

    expect(t.trace!.format()).toContain(`note      fault 1/1: 'w3' ${pid} reason kill`);
  });

  it('fails with ERR_INVALID_ARGUMENT on the real clock', async () => {
    const t = newTestSystem({ virtualTime: false });

    const error = await rejectionOf(applyFaultSchedule(t, [], () => undefined));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('virtual time');
  });

  it('fails with ERR_INVALID_ARGUMENT for a negative time', async () => {
    const t = newTestSystem();

    const error = await rejectionOf(
      applyFaultSchedule(t, [{ atMs: -1, target: 'a', reason: 'kill' }], () => undefined),
    );

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('leaves every generated tree fully alive', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbTreeWithFaults(
          { depth: 3, width: 3, strategies: ['oneForOne'], restarts: ['permanent'] },
          { maxFaults: 6, maxAtMs: 200 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        async ({ tree, schedule }, seed) => {
          const t = createTestSystem({ seed });
          try {
            const { table } = startTree(t.system, tree);
            await t.runUntilIdle();
            await applyFaultSchedule(t, schedule, (id) => table.get(id));

            for (const id of treeIds(tree)) expect(t.system.isAlive(table.get(id)!)).toBe(true);
          } finally {
            await t.shutdown();
          }
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });
});
