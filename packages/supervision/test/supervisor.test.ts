/**
 * Supervisor scenarios, each a rule of OTP's supervisor manual page and the "Supervisor
 * Behaviour" design principles: start order, start failures, IGNORE, the three strategies,
 * restart types, stop order and supervisor defaults.
 */

import { IGNORE, isStarweaveError, type Pid, type Reason } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { castExit, pidOf, settle, useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();

/** Resolves with the reason `pid` exits with. */
function exitReason(system: ReturnType<typeof makeSystem>, pid: Pid): Promise<Reason> {
  return new Promise((resolve) => system.monitor(pid, (down) => resolve(down.reason)));
}

describe('Supervisor.startLink', () => {
  it('starts children in list order and resolves after the last has started', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      workerSpec('a', journal),
      workerSpec('b', journal),
      workerSpec('c', journal),
    ]);

    expect(journal).toEqual(['start:a', 'start:b', 'start:c']);
    const children = await Supervisor.whichChildren(system, sup);
    expect(children.map((child) => child.id)).toEqual(['a', 'b', 'c']);
    for (const child of children) expect(system.isAlive(child.pid as Pid)).toBe(true);
  });

  it('fails with the child reason and stops started children when a start fails', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const boom = new Error('no database');
    const failure = await Supervisor.startLink(system, [
      workerSpec('a', journal, {}, { trapExit: true }),
      workerSpec('b', journal, {}, { trapExit: true }),
      workerSpec('bad', journal, {}, { failStart: boom }),
      workerSpec('c', journal),
    ]).catch((error: unknown) => error);

    expect(isStarweaveError(failure, 'ERR_START_FAILED')).toBe(true);
    expect((failure as Error).cause).toBe(boom);
    expect((failure as { details: { id: string } }).details.id).toBe('bad');
    // The started children were stopped in reverse order; c never started.
    expect(journal).toEqual(['start:a', 'start:b', 'stop:b', 'stop:a']);
    await settle(system);
    expect(system.processCount()).toBe(1);
  });

  it('fails with ERR_START_FAILED when a start function throws', async () => {
    const system = makeSystem();
    const thrown = new Error('thrown by start');
    const failure = await Supervisor.startLink(system, [
      {
        id: 'x',
        start: () => {
          throw thrown;
        },
      },
    ]).catch((error: unknown) => error);
    expect(isStarweaveError(failure, 'ERR_START_FAILED')).toBe(true);
    expect((failure as Error).cause).toBe(thrown);
  });

  it('keeps ignored specs except temporary ones', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      workerSpec('kept', journal, {}, { ignore: true }),
      workerSpec('dropped', journal, { restart: 'temporary' }, { ignore: true }),
      workerSpec('running', journal),
    ]);

    const children = await Supervisor.whichChildren(system, sup);
    expect(children.map((child) => [child.id, child.pid === undefined])).toEqual([
      ['kept', true],
      ['running', false],
    ]);
  });

  it('links a child whose start function forgot to link it', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      { id: 'unlinked', start: (ctx) => Promise.resolve(ctx.spawn({ handleMessage() {} })) },
      workerSpec('other', journal),
    ]);
    const before = pidOf(await Supervisor.whichChildren(system, sup), 'unlinked');
    system.exit(before, 'kill');
    const after = pidOf(await Supervisor.whichChildren(system, sup), 'unlinked');
    expect(after.equals(before)).toBe(false);
    expect(system.isAlive(after)).toBe(true);
  });

  it('fails with ERR_ALREADY_STARTED when the name is taken', async () => {
    const system = makeSystem();
    await Supervisor.startLink(system, [], { name: 'root' });
    await expect(Supervisor.startLink(system, [], { name: 'root' })).rejects.toMatchObject({
      code: 'ERR_ALREADY_STARTED',
    });
  });
});

describe('Supervisor strategies', () => {
  async function startFive(strategy: 'oneForOne' | 'oneForAll' | 'restForOne') {
    const system = makeSystem();
    const journal: string[] = [];
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const sup = await Supervisor.startLink(
      system,
      ids.map((id) => workerSpec(id, journal, {}, { trapExit: true })),
      { strategy, maxRestarts: 10 },
    );
    const before = await Supervisor.whichChildren(system, sup);
    journal.length = 0;
    return { system, journal, sup, before };
  }

  it('oneForOne restarts only the crashed child', async () => {
    const { system, journal, sup, before } = await startFive('oneForOne');
    system.exit(pidOf(before, 'c'), 'kill');
    const after = await Supervisor.whichChildren(system, sup);

    expect(journal).toEqual(['start:c']);
    for (const id of ['a', 'b', 'd', 'e'])
      expect(pidOf(after, id).equals(pidOf(before, id))).toBe(true);
    expect(pidOf(after, 'c').equals(pidOf(before, 'c'))).toBe(false);
  });

  it('oneForAll stops the others in reverse order, then restarts all in start order', async () => {
    const { system, journal, sup, before } = await startFive('oneForAll');
    system.exit(pidOf(before, 'c'), 'kill');
    const after = await Supervisor.whichChildren(system, sup);

    expect(journal).toEqual([
      'stop:e',
      'stop:d',
      'stop:b',
      'stop:a',
      'start:a',
      'start:b',
      'start:c',
      'start:d',
      'start:e',
    ]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      expect(pidOf(after, id).equals(pidOf(before, id))).toBe(false);
    }
  });

  it('restForOne restarts the crashed child and later ones', async () => {
    const { system, journal, sup, before } = await startFive('restForOne');
    system.exit(pidOf(before, 'c'), 'kill');
    const after = await Supervisor.whichChildren(system, sup);

    expect(journal).toEqual(['stop:e', 'stop:d', 'start:c', 'start:d', 'start:e']);
    for (const id of ['a', 'b']) expect(pidOf(after, id).equals(pidOf(before, id))).toBe(true);
    for (const id of ['c', 'd', 'e'])
      expect(pidOf(after, id).equals(pidOf(before, id))).toBe(false);
  });

  it('oneForAll removes temporary siblings instead of restarting them', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(
      system,
      [
        workerSpec('a', journal),
        workerSpec('temp', journal, { restart: 'temporary' }),
        workerSpec('c', journal),
      ],
      { strategy: 'oneForAll' },
    );
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');
    const after = await Supervisor.whichChildren(system, sup);
    expect(after.map((child) => child.id)).toEqual(['a', 'c']);
  });
});

describe('Supervisor restart types', () => {
  async function startOne(restart: 'permanent' | 'transient' | 'temporary') {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [workerSpec('w', journal, { restart })]);
    const first = pidOf(await Supervisor.whichChildren(system, sup), 'w');
    return { system, sup, first };
  }

  async function exitWith(system: ReturnType<typeof makeSystem>, pid: Pid, reason: Reason) {
    const exited = exitReason(system, pid);
    castExit(system, pid, reason);
    await exited;
  }

  it('restarts a permanent child that exits normally', async () => {
    const { system, sup, first } = await startOne('permanent');
    await exitWith(system, first, 'normal');
    const [child] = await Supervisor.whichChildren(system, sup);
    expect(system.isAlive(child!.pid as Pid)).toBe(true);
    expect((child!.pid as Pid).equals(first)).toBe(false);
  });

  it.each<[string, Reason]>([
    ['normal', 'normal'],
    ['shutdown', 'shutdown'],
    ['{ shutdown: x }', { shutdown: 'done' }],
  ])('keeps a transient child down after it exits with %s', async (_label, reason) => {
    const { system, sup, first } = await startOne('transient');
    await exitWith(system, first, reason);
    const [child] = await Supervisor.whichChildren(system, sup);
    expect(child!.id).toBe('w');
    expect(child!.pid).toBeUndefined();
  });

  it('restarts a transient child that exits abnormally', async () => {
    const { system, sup, first } = await startOne('transient');
    system.exit(first, 'kill');
    const [child] = await Supervisor.whichChildren(system, sup);
    expect(system.isAlive(child!.pid as Pid)).toBe(true);
  });

  it('removes a temporary child after any exit', async () => {
    for (const reason of ['normal', new Error('crash')] as Reason[]) {
      const { system, sup, first } = await startOne('temporary');
      if (reason === 'normal') await exitWith(system, first, reason);
      else system.exit(first, 'kill');
      expect(await Supervisor.whichChildren(system, sup)).toEqual([]);
    }
  });
});

describe('Supervisor.stop', () => {
  it('stops children in reverse start order, then the supervisor', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(
      system,
      ['a', 'b', 'c'].map((id) => workerSpec(id, journal, {}, { trapExit: true })),
    );
    const children = await Supervisor.whichChildren(system, sup);
    const supReason = exitReason(system, sup);

    await Supervisor.stop(system, sup, 'shutdown');
    expect(journal.slice(3)).toEqual(['stop:c', 'stop:b', 'stop:a']);
    expect(await supReason).toBe('shutdown');
    for (const child of children) expect(system.isAlive(child.pid as Pid)).toBe(false);
  });

  it('stops its children when its parent sends it an exit signal', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(
      system,
      ['a', 'b'].map((id) => workerSpec(id, journal, {}, { trapExit: true })),
    );
    const supReason = exitReason(system, sup);
    // The system's root process started the supervisor, so it is the parent.
    system.exit(sup, 'shutdown');
    expect(await supReason).toBe('shutdown');
    expect(journal.slice(2)).toEqual(['stop:b', 'stop:a']);
  });

  it('ignores an exit signal from a process that is neither parent nor child', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(system, []);
    const stranger = system.spawn(async (self) => self.exit(sup, 'shutdown'));
    await settle(system);
    expect(system.isAlive(stranger)).toBe(false);
    expect(system.isAlive(sup)).toBe(true);
  });
});

describe('Supervisor child defaults', () => {
  it('gives workers 5000 ms and supervisors infinity as shutdown, and permanent restart', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      workerSpec('w', journal),
      { id: 's', type: 'supervisor', start: (ctx) => Supervisor.startLink(ctx, []) },
    ]);
    expect(await Supervisor.getChildSpec(system, sup, 'w')).toEqual({
      id: 'w',
      restart: 'permanent',
      shutdown: 5000,
      type: 'worker',
      significant: false,
    });
    expect(await Supervisor.getChildSpec(system, sup, 's')).toMatchObject({
      shutdown: 'infinity',
      type: 'supervisor',
    });
  });

  it('resolves the IGNORE pid for a child spec whose start ignored', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, []);
    const pid = await Supervisor.startChild(
      system,
      sup,
      workerSpec('i', journal, {}, { ignore: true }),
    );
    expect(pid).toBe(IGNORE);
  });
});
