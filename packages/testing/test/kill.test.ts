/**
 * kill: exit signals by pid, by name and by predicate, under the exit-signal rules.
 */

import { type DownMessage, isStarweaveError, type Pid, type Reason } from '@starweave/actors';
import { assertReceive, kill } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

/** Returns the reasons the monitors of `pids` report, in the order of `pids`. */
function watchReasons(t: ReturnType<typeof newTestSystem>, pids: Pid[]): Array<Reason | undefined> {
  const reasons: Array<Reason | undefined> = pids.map(() => undefined);
  pids.forEach((pid, index) => {
    t.system.monitor(pid, (down: DownMessage) => {
      reasons[index] = down.reason;
    });
  });
  return reasons;
}

function idle(t: ReturnType<typeof newTestSystem>, name?: string, trapExit = false): Pid {
  return t.system.spawn({ handleMessage() {} }, { name, trapExit });
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('kill', () => {
  it("ends a process by pid with 'kill', so it exits with 'killed'", async () => {
    const t = newTestSystem();
    const pid = idle(t);
    const reasons = watchReasons(t, [pid]);

    expect(kill(t.system, pid)).toEqual([pid]);
    await t.runUntilIdle();

    expect(t.system.isAlive(pid)).toBe(false);
    expect(reasons).toEqual(['killed']);
  });

  it('ends a process by registered name with any reason', async () => {
    const t = newTestSystem();
    const pid = idle(t, 'cache');
    const reasons = watchReasons(t, [pid]);
    const reason = new Error('disk full');

    kill(t.system, 'cache', reason);
    await t.runUntilIdle();

    expect(reasons).toEqual([reason]);
  });

  it('ends every process a predicate accepts, in pid order', () => {
    const t = newTestSystem();
    const a = idle(t, 'worker-a');
    idle(t, 'other');
    const b = idle(t, 'worker-b');

    const killed = kill(
      t.system,
      (info) => info.registeredName?.startsWith('worker-') === true,
      'shutdown',
    );

    expect(killed).toEqual([a, b]);
    expect(t.system.whereis('other')).toBeDefined();
  });

  it("never picks the system's root with a predicate", () => {
    const t = newTestSystem();
    const pid = idle(t);

    const killed = kill(t.system, () => true);

    expect(killed).toEqual([pid]);
    expect(t.system.isAlive(t.system.pid)).toBe(true);
  });

  it('sends EXIT to a trapping process', async () => {
    const t = newTestSystem();
    const got: unknown[] = [];
    const pid = t.system.spawn(
      { handleMessage: (_self, message) => void got.push(message) },
      { trapExit: true },
    );

    kill(t.system, pid, 'shutdown');
    await t.runUntilIdle();

    expect(t.system.isAlive(pid)).toBe(true);
    expect(got).toEqual([{ type: 'EXIT', from: t.system.pid, reason: 'shutdown' }]);
  });

  it('skips a process that an earlier signal ended through a link', async () => {
    const t = newTestSystem();
    const parent = t.system.spawn(
      async (self) => {
        self.spawnLink({ handleMessage() {} }, { name: 'child' });
        await self.receive();
      },
      { name: 'parent' },
    );
    await t.runUntilIdle();
    const child = t.system.whereis('child')!;

    const killed = kill(t.system, (info) => info.registeredName !== undefined, new Error('crash'));

    expect(killed).toEqual([parent]);
    expect(t.system.isAlive(child)).toBe(false);
  });

  it('fails with ERR_NOPROC for a name nobody holds', () => {
    const t = newTestSystem();

    const error = thrown(() => kill(t.system, 'missing'));

    expect(isStarweaveError(error, 'ERR_NOPROC')).toBe(true);
    expect((error as Error).message).toContain('"missing"');
  });

  it('fails with ERR_NOPROC for a dead pid', async () => {
    const t = newTestSystem();
    const pid = idle(t);
    kill(t.system, pid);

    expect(
      isStarweaveError(
        thrown(() => kill(t.system, pid)),
        'ERR_NOPROC',
      ),
    ).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for a reason that is not an exit reason', () => {
    const t = newTestSystem();
    const pid = idle(t);

    const error = thrown(() => kill(t.system, pid, 'crash' as Reason));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(t.system.isAlive(pid)).toBe(true);
  });

  it("fails with ERR_INVALID_ARGUMENT for the system's root", () => {
    const t = newTestSystem();

    expect(
      isStarweaveError(
        thrown(() => kill(t.system, t.system.pid)),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for a test system in place of its system', () => {
    const t = newTestSystem();

    const error = thrown(() => kill(t as never, 'x'));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('t.system');
  });

  it('ends a process that a monitor then reports to the caller', async () => {
    const t = newTestSystem();
    const pid = idle(t);
    t.system.monitor(pid);

    kill(t.system, pid, { shutdown: 'maintenance' });

    const down = (await assertReceive(t.system, { type: 'DOWN', pid })) as DownMessage;
    expect(down.reason).toEqual({ shutdown: 'maintenance' });
  });
});
