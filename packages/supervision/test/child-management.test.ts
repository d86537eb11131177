/**
 * Child management by id, with the errors of OTP's start_child, terminate_child,
 * restart_child, delete_child and count_children.
 */

import { type Pid, VirtualClock } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { pidOf, useSystems, waitUntil, workerSpec } from './helpers.js';

const makeSystem = useSystems();

async function startTwo() {
  const system = makeSystem();
  const journal: string[] = [];
  const sup = await Supervisor.startLink(system, [
    workerSpec('a', journal),
    workerSpec('b', journal),
  ]);
  return { system, journal, sup };
}

describe('Supervisor.startChild', () => {
  it('starts the new child after the others', async () => {
    const { system, journal, sup } = await startTwo();
    const pid = await Supervisor.startChild(system, sup, workerSpec('c', journal));
    const children = await Supervisor.whichChildren(system, sup);
    expect(children.map((child) => child.id)).toEqual(['a', 'b', 'c']);
    expect(pidOf(children, 'c').equals(pid)).toBe(true);
  });

  it('fails with ERR_ALREADY_STARTED and the pid when the id runs', async () => {
    const { system, journal, sup } = await startTwo();
    const running = pidOf(await Supervisor.whichChildren(system, sup), 'a');
    await expect(
      Supervisor.startChild(system, sup, workerSpec('a', journal)),
    ).rejects.toMatchObject({
      code: 'ERR_ALREADY_STARTED',
      details: { pid: running },
    });
  });

  it('fails with ERR_ALREADY_STARTED, present, when the id is kept but stopped', async () => {
    const { system, journal, sup } = await startTwo();
    await Supervisor.terminateChild(system, sup, 'a');
    await expect(
      Supervisor.startChild(system, sup, workerSpec('a', journal)),
    ).rejects.toMatchObject({
      code: 'ERR_ALREADY_STARTED',
      details: { present: true },
    });
  });

  it('fails with ERR_START_FAILED and drops the spec when the start fails', async () => {
    const { system, journal, sup } = await startTwo();
    const reason = new Error('port in use');
    const failure = await Supervisor.startChild(
      system,
      sup,
      workerSpec('c', journal, {}, { failStart: reason }),
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ERR_START_FAILED', cause: reason });
    expect((await Supervisor.whichChildren(system, sup)).map((child) => child.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('fails with ERR_INVALID_ARGUMENT for a bad spec, before asking the supervisor', async () => {
    const { system, sup } = await startTwo();
    await expect(
      Supervisor.startChild(system, sup, { id: 'x', start: 'nope' } as never),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe('Supervisor.terminateChild', () => {
  it('stops the child and keeps its spec', async () => {
    const { system, sup } = await startTwo();
    const pid = pidOf(await Supervisor.whichChildren(system, sup), 'a');
    await Supervisor.terminateChild(system, sup, 'a');
    expect(system.isAlive(pid)).toBe(false);
    const children = await Supervisor.whichChildren(system, sup);
    expect(children.find((child) => child.id === 'a')?.pid).toBeUndefined();
  });

  it('removes the spec of a temporary child', async () => {
    const { system, journal, sup } = await startTwo();
    await Supervisor.startChild(system, sup, workerSpec('t', journal, { restart: 'temporary' }));
    await Supervisor.terminateChild(system, sup, 't');
    expect((await Supervisor.whichChildren(system, sup)).map((child) => child.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('fails with ERR_NOT_FOUND for an unknown id', async () => {
    const { system, sup } = await startTwo();
    await expect(Supervisor.terminateChild(system, sup, 'zzz')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });

  it('does not restart the child it stopped', async () => {
    const { system, sup } = await startTwo();
    await Supervisor.terminateChild(system, sup, 'b');
    const counts = await Supervisor.countChildren(system, sup);
    expect(counts).toEqual({ specs: 2, active: 1, supervisors: 0, workers: 2 });
  });
});

describe('Supervisor.restartChild', () => {
  it('starts a stopped child again under a new pid', async () => {
    const { system, sup } = await startTwo();
    const first = pidOf(await Supervisor.whichChildren(system, sup), 'a');
    await Supervisor.terminateChild(system, sup, 'a');
    const second = await Supervisor.restartChild(system, sup, 'a');
    expect(second.equals(first)).toBe(false);
    expect(system.isAlive(second)).toBe(true);
  });

  it('fails with ERR_RUNNING for a running child', async () => {
    const { system, sup } = await startTwo();
    await expect(Supervisor.restartChild(system, sup, 'a')).rejects.toMatchObject({
      code: 'ERR_RUNNING',
    });
  });

  it('fails with ERR_NOT_FOUND for an unknown id', async () => {
    const { system, sup } = await startTwo();
    await expect(Supervisor.restartChild(system, sup, 'zzz')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });
});

describe('Supervisor.deleteChild', () => {
  it('removes the spec of a stopped child', async () => {
    const { system, sup } = await startTwo();
    await Supervisor.terminateChild(system, sup, 'a');
    await Supervisor.deleteChild(system, sup, 'a');
    expect((await Supervisor.whichChildren(system, sup)).map((child) => child.id)).toEqual(['b']);
  });

  it('fails with ERR_RUNNING for a running child and ERR_NOT_FOUND for an unknown id', async () => {
    const { system, sup } = await startTwo();
    await expect(Supervisor.deleteChild(system, sup, 'a')).rejects.toMatchObject({
      code: 'ERR_RUNNING',
    });
    await expect(Supervisor.deleteChild(system, sup, 'zzz')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });
});

describe('a child waiting for a restart', () => {
  it("shows as 'restarting' and refuses restartChild and deleteChild with ERR_RUNNING", async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [workerSpec('a', journal)], {
      backoff: { initialMs: 1000, jitter: 0 },
    });
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');

    const [child] = await Supervisor.whichChildren(system, sup);
    expect(child!.pid).toBe('restarting');
    for (const operation of [Supervisor.restartChild, Supervisor.deleteChild]) {
      await expect(operation(system, sup, 'a')).rejects.toMatchObject({
        code: 'ERR_RUNNING',
        details: { restarting: true },
      });
    }
  });

  it('stays stopped after terminateChild cancels its pending restart', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [workerSpec('a', journal)], {
      backoff: { initialMs: 1000, jitter: 0 },
    });
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');
    await Supervisor.terminateChild(system, sup, 'a');
    clock.advance(5000);
    const [child] = await Supervisor.whichChildren(system, sup);
    expect(child!.pid).toBeUndefined();
    expect(journal).toEqual(['start:a']);
  });
});

describe('Supervisor.countChildren', () => {
  it('counts specs, running children, supervisors and workers', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      workerSpec('a', journal),
      workerSpec('down', journal, {}, { ignore: true }),
      { id: 'sub', type: 'supervisor', start: (ctx) => Supervisor.startLink(ctx, []) },
    ]);
    expect(await Supervisor.countChildren(system, sup)).toEqual({
      specs: 3,
      active: 2,
      supervisors: 1,
      workers: 2,
    });
  });

  it('fails with ERR_NOPROC for a supervisor that is not alive', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(system, []);
    await Supervisor.stop(system, sup);
    await expect(Supervisor.countChildren(system, sup)).rejects.toMatchObject({
      code: 'ERR_NOPROC',
    });
  });
});

describe('supervisor requests from another process', () => {
  it('answers a caller process as it answers the system', async () => {
    const { system, sup } = await startTwo();
    let ids: string[] = [];
    system.spawn(async (self) => {
      ids = (await Supervisor.whichChildren(self, sup)).map((child) => child.id ?? '');
    });
    await waitUntil(() => ids.length === 2);
    expect(ids).toEqual(['a', 'b']);
    expect(system.isAlive(sup as Pid)).toBe(true);
  });
});
