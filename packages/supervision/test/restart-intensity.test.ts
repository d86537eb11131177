/**
 * Restart intensity, as OTP's manual page states it: more than maxRestarts restarts within
 * maxSeconds make the supervisor stop all its children and exit with reason 'shutdown'. Time
 * is a VirtualClock, so the window is exact.
 */

import { type Pid, type ProcessContext, type Reason, VirtualClock } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { RestartIntensity } from '../src/restart-intensity.js';
import { pidOf, settle, useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();

describe('RestartIntensity.add', () => {
  it('allows maxRestarts restarts in the window and refuses one more', () => {
    const intensity = new RestartIntensity(3, 5);
    expect([intensity.add(0), intensity.add(1), intensity.add(2)]).toEqual([true, true, true]);
    expect(intensity.add(3)).toBe(false);
  });

  it('forgets restarts older than maxSeconds but counts one exactly maxSeconds old', () => {
    const atBoundary = new RestartIntensity(1, 5);
    expect(atBoundary.add(0)).toBe(true);
    expect(atBoundary.add(5000)).toBe(false);

    const pastBoundary = new RestartIntensity(1, 5);
    expect(pastBoundary.add(0)).toBe(true);
    expect(pastBoundary.add(5001)).toBe(true);
    expect(pastBoundary.count(5001)).toBe(1);
  });

  it('refuses every restart when maxRestarts is 0', () => {
    expect(new RestartIntensity(0, 5).add(0)).toBe(false);
  });
});

describe('Supervisor restart intensity', () => {
  async function start(options: { maxRestarts?: number; maxSeconds?: number } = {}) {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(
      system,
      [workerSpec('a', journal), workerSpec('b', journal), workerSpec('c', journal)],
      options,
    );
    const reason = new Promise<Reason>((resolve) =>
      system.monitor(sup, (down) => resolve(down.reason)),
    );
    return { clock, system, sup, reason };
  }

  /** Kills child `id`; resolves with its children afterwards, or undefined once it is gone. */
  async function crash(system: ReturnType<typeof makeSystem>, sup: Pid, id: string) {
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), id), 'kill');
    return Supervisor.whichChildren(system, sup).catch(() => undefined);
  }

  it('ends with shutdown at the 4th crash by default', async () => {
    const { system, sup, reason } = await start();
    for (let i = 0; i < 3; i++) expect(await crash(system, sup, 'b')).toBeDefined();
    const children = await Supervisor.whichChildren(system, sup);

    system.exit(pidOf(children, 'b'), 'kill');
    expect(await reason).toBe('shutdown');
    await settle(system);
    for (const child of children) expect(system.isAlive(child.pid as Pid)).toBe(false);
    expect(system.processCount()).toBe(1);
  });

  it('counts crashes of different children together', async () => {
    const { system, sup, reason } = await start({ maxRestarts: 2 });
    await crash(system, sup, 'a');
    await crash(system, sup, 'b');
    await crash(system, sup, 'c');
    expect(await reason).toBe('shutdown');
  });

  it('keeps going when the restarts are spread wider than maxSeconds', async () => {
    const { clock, system, sup } = await start({ maxRestarts: 1, maxSeconds: 2 });
    for (let i = 0; i < 5; i++) {
      expect(await crash(system, sup, 'a')).toBeDefined();
      clock.advance(2001);
    }
    expect(system.isAlive(sup)).toBe(true);
  });

  it('counts a restart exactly maxSeconds old, as OTP does', async () => {
    const { clock, system, sup, reason } = await start({ maxRestarts: 1, maxSeconds: 2 });
    await crash(system, sup, 'a');
    clock.advance(2000);
    await crash(system, sup, 'a');
    expect(await reason).toBe('shutdown');
  });

  it('counts each failed restart attempt and retries until the start succeeds', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    let starts = 0;
    const flaky = {
      id: 'flaky',
      // Starts once, then fails twice, then starts again.
      start: (ctx: ProcessContext) => {
        starts++;
        if (starts === 2 || starts === 3) return Promise.reject(new Error(`attempt ${starts}`));
        return Promise.resolve(ctx.spawnLink({ handleMessage() {} }));
      },
    };
    const sup = await Supervisor.startLink(system, [flaky], { maxRestarts: 3 });
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'flaky'), 'kill');
    await settle(system);

    const [child] = await Supervisor.whichChildren(system, sup);
    expect(starts).toBe(4);
    expect(system.isAlive(child!.pid as Pid)).toBe(true);
  });

  it('gives up when the failed restart attempts pass the intensity', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    let starts = 0;
    const sup = await Supervisor.startLink(
      system,
      [
        {
          id: 'flaky',
          start: (ctx) => {
            starts++;
            if (starts > 1) return Promise.reject(new Error('down for good'));
            return Promise.resolve(ctx.spawnLink({ handleMessage() {} }));
          },
        },
      ],
      { maxRestarts: 2 },
    );
    const reason = new Promise<Reason>((resolve) =>
      system.monitor(sup, (down) => resolve(down.reason)),
    );
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'flaky'), 'kill');
    expect(await reason).toBe('shutdown');
    // One restart for the crash and one per failed attempt: attempts 2 and 3 fail, the third
    // restart is past maxRestarts 2.
    expect(starts).toBe(3);
  });
});
