/**
 * DynamicSupervisor, as Elixir documents it: no children at start, children started on demand
 * with extra arguments, max_children, one-for-one restarts with intensity, terminate by pid,
 * and every child stopped at the same time when the supervisor stops.
 */

import {
  GenServer,
  IGNORE,
  type Pid,
  type ProcessContext,
  type Reason,
  VirtualClock,
} from '@starweave/actors';
import { DynamicSupervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { castExit, useSystems, Worker, waitUntil, workerSpec } from './helpers.js';

const makeSystem = useSystems();

function reasonOf(system: ReturnType<typeof makeSystem>, pid: Pid): Promise<Reason> {
  return new Promise((resolve) => system.monitor(pid, (down) => resolve(down.reason)));
}

describe('DynamicSupervisor.startChild', () => {
  it('starts children on demand and lists them in start order without ids', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await DynamicSupervisor.startLink(system);
    expect(await DynamicSupervisor.whichChildren(system, sup)).toEqual([]);

    const a = await DynamicSupervisor.startChild(system, sup, workerSpec('a', journal));
    const b = await DynamicSupervisor.startChild(
      system,
      sup,
      workerSpec('b', journal, { type: 'supervisor' }),
    );
    expect(await DynamicSupervisor.whichChildren(system, sup)).toEqual([
      { id: undefined, pid: a, type: 'worker', restart: 'permanent' },
      { id: undefined, pid: b, type: 'supervisor', restart: 'permanent' },
    ]);
    expect(await DynamicSupervisor.countChildren(system, sup)).toEqual({
      specs: 2,
      active: 2,
      supervisors: 1,
      workers: 1,
    });
  });

  it('passes extraArguments to every start function after the context', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await DynamicSupervisor.startLink(system, { extraArguments: [journal, 'pool'] });
    await DynamicSupervisor.startChild(system, sup, {
      start: (ctx: ProcessContext, log: string[], prefix: string) =>
        GenServer.startLink(ctx, Worker, { id: `${prefix}-1`, journal: log }),
    });
    expect(journal).toEqual(['start:pool-1']);
  });

  it('fails with ERR_OVERLOADED once maxChildren children run', async () => {
    const system = makeSystem();
    const sup = await DynamicSupervisor.startLink(system, { maxChildren: 2 });
    await DynamicSupervisor.startChild(system, sup, workerSpec('a', []));
    const b = await DynamicSupervisor.startChild(system, sup, workerSpec('b', []));
    await expect(
      DynamicSupervisor.startChild(system, sup, workerSpec('c', [])),
    ).rejects.toMatchObject({
      code: 'ERR_OVERLOADED',
      details: { maxChildren: 2, reason: 'maxChildren' },
    });
    await DynamicSupervisor.terminateChild(system, sup, b);
    await expect(
      DynamicSupervisor.startChild(system, sup, workerSpec('c', [])),
    ).resolves.toBeDefined();
  });

  it('adds no child for IGNORE or a failed start', async () => {
    const system = makeSystem();
    const sup = await DynamicSupervisor.startLink(system);
    expect(
      await DynamicSupervisor.startChild(system, sup, workerSpec('i', [], {}, { ignore: true })),
    ).toBe(IGNORE);
    const reason = new Error('refused');
    await expect(
      DynamicSupervisor.startChild(system, sup, workerSpec('f', [], {}, { failStart: reason })),
    ).rejects.toMatchObject({ code: 'ERR_START_FAILED', cause: reason });
    expect(await DynamicSupervisor.whichChildren(system, sup)).toEqual([]);
  });
});

describe('DynamicSupervisor restarts', () => {
  it('restarts a permanent child under a new pid and drops a temporary one', async () => {
    const system = makeSystem();
    const sup = await DynamicSupervisor.startLink(system);
    const permanent = await DynamicSupervisor.startChild(system, sup, workerSpec('p', []));
    const temporary = await DynamicSupervisor.startChild(
      system,
      sup,
      workerSpec('t', [], { restart: 'temporary' }),
    );
    system.exit(permanent, 'kill');
    system.exit(temporary, 'kill');

    const children = await DynamicSupervisor.whichChildren(system, sup);
    expect(children).toHaveLength(1);
    expect((children[0]!.pid as Pid).equals(permanent)).toBe(false);
    expect(system.isAlive(children[0]!.pid as Pid)).toBe(true);
  });

  it('keeps a transient child down after a normal exit', async () => {
    const system = makeSystem();
    const sup = await DynamicSupervisor.startLink(system);
    const child = await DynamicSupervisor.startChild(
      system,
      sup,
      workerSpec('t', [], { restart: 'transient' }),
    );
    const exited = reasonOf(system, child);
    castExit(system, child, 'normal');
    await exited;
    expect(await DynamicSupervisor.whichChildren(system, sup)).toEqual([]);
  });

  it('exits with shutdown after more than maxRestarts restarts within maxSeconds', async () => {
    const system = makeSystem({ clock: new VirtualClock() });
    const sup = await DynamicSupervisor.startLink(system, { maxRestarts: 2 });
    const other = await DynamicSupervisor.startChild(system, sup, workerSpec('other', []));
    const supReason = reasonOf(system, sup);
    for (let i = 0; i < 3; i++) {
      const [first] = await DynamicSupervisor.whichChildren(system, sup);
      if (first === undefined) break;
      system.exit(first.pid as Pid, 'kill');
    }
    expect(await supReason).toBe('shutdown');
    await waitUntil(() => !system.isAlive(other));
  });
});

describe('DynamicSupervisor.terminateChild', () => {
  it('fails with ERR_NOT_FOUND for a pid that is not its child', async () => {
    const system = makeSystem();
    const sup = await DynamicSupervisor.startLink(system);
    const stranger = system.spawn({ handleMessage() {} });
    await expect(DynamicSupervisor.terminateChild(system, sup, stranger)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });
});

describe('DynamicSupervisor.stop', () => {
  it('stops all children at the same time, each within its shutdown time', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await DynamicSupervisor.startLink(system);
    const children: Pid[] = [];
    for (const id of ['a', 'b', 'c']) {
      const spec = workerSpec(
        id,
        journal,
        { shutdown: 1000 },
        { trapExit: true, hangOnStop: true },
      );
      children.push(await DynamicSupervisor.startChild(system, sup, spec));
    }
    const stopping = DynamicSupervisor.stop(system, sup);
    await waitUntil(() => journal.filter((entry) => entry.startsWith('stop:')).length === 3);

    // One shutdown time for all of them, not three in a row.
    clock.advance(1000);
    await stopping;
    for (const child of children) expect(system.isAlive(child)).toBe(false);
  });
});
