/**
 * Supervisor.tree: the whole supervision tree with ids, pids, types, restart types and
 * statuses, descending into child supervisors of either kind.
 */

import { type Pid, VirtualClock } from '@starweave/actors';
import { DynamicSupervisor, Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { pidOf, useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();

describe('Supervisor.tree', () => {
  it('returns nested supervisors, dynamic supervisors and their workers', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const root = await Supervisor.startLink(
      system,
      [
        workerSpec('cache', journal),
        {
          id: 'pipeline',
          type: 'supervisor',
          start: (ctx) =>
            Supervisor.startLink(
              ctx,
              [
                workerSpec('reader', journal),
                workerSpec('writer', journal, { restart: 'transient' }),
              ],
              {
                strategy: 'restForOne',
              },
            ),
        },
        { id: 'sessions', type: 'supervisor', start: (ctx) => DynamicSupervisor.startLink(ctx) },
        workerSpec('off', journal, {}, { ignore: true }),
      ],
      { name: 'root', strategy: 'oneForAll' },
    );
    const sessions = pidOf(await Supervisor.whichChildren(system, root), 'sessions');
    const session = await DynamicSupervisor.startChild(system, sessions, workerSpec('s', journal));

    const tree = await Supervisor.tree(system, 'root');
    expect(tree).toMatchObject({
      pid: root,
      name: 'root',
      kind: 'supervisor',
      strategy: 'oneForAll',
    });
    expect(tree.children.map((child) => [child.id, child.type, child.status])).toEqual([
      ['cache', 'worker', 'running'],
      ['pipeline', 'supervisor', 'running'],
      ['sessions', 'supervisor', 'running'],
      ['off', 'worker', 'stopped'],
    ]);
    const pipeline = tree.children[1]!.supervisor!;
    expect(pipeline.strategy).toBe('restForOne');
    expect(pipeline.children.map((child) => [child.id, child.restart])).toEqual([
      ['reader', 'permanent'],
      ['writer', 'transient'],
    ]);
    const dynamic = tree.children[2]!.supervisor!;
    expect(dynamic.kind).toBe('dynamicSupervisor');
    expect(dynamic.children).toEqual([
      { id: undefined, pid: session, type: 'worker', restart: 'permanent', status: 'running' },
    ]);
    for (const child of pipeline.children) expect(system.isAlive(child.pid as Pid)).toBe(true);
  });

  it('shows a child waiting for a back-off restart as restarting', async () => {
    const system = makeSystem({ clock: new VirtualClock() });
    const sup = await Supervisor.startLink(system, [workerSpec('a', [])], {
      backoff: { initialMs: 1000 },
    });
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');
    const tree = await Supervisor.tree(system, sup);
    expect(tree.children[0]).toMatchObject({ id: 'a', status: 'restarting', pid: undefined });
  });

  it('lists a supervisor-type child that is no Starweave supervisor without a subtree', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(system, [
      {
        id: 'impostor',
        type: 'supervisor',
        start: (ctx) => Promise.resolve(ctx.spawnLink({ handleMessage() {} })),
      },
    ]);
    const tree = await Supervisor.tree(system, sup, 50);
    expect(tree.children[0]).toMatchObject({ id: 'impostor', status: 'running' });
    expect(tree.children[0]!.supervisor).toBeUndefined();
  });
});
