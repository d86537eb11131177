/**
 * Restart back-off, an addition to OTP, off by default. When set, restarts wait for delays that
 * grow by `factor` up to `maxMs`, and intensity counting stays as without it.
 */

import { type Pid, type Reason, VirtualClock } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../src/backoff.js';
import { pidOf, turns, useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();

describe('RestartBackoff.next', () => {
  it('grows by factor up to maxMs', () => {
    const backoff = new RestartBackoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    const state = { attempts: 0, startedAt: 0 };
    const delays = Array.from({ length: 6 }, () => backoff.next(state, 10, true));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads each delay within the jitter and never past maxMs', () => {
    const low = new RestartBackoff({ initialMs: 100, jitter: 0.5, random: () => 0 });
    const high = new RestartBackoff({
      initialMs: 100,
      maxMs: 120,
      jitter: 0.5,
      random: () => 0.999,
    });
    expect(low.next({ attempts: 0, startedAt: 0 }, 0, true)).toBe(50);
    expect(high.next({ attempts: 0, startedAt: 0 }, 0, true)).toBe(120);
  });

  it('starts again from initialMs after the child stayed up for resetAfterMs', () => {
    const backoff = new RestartBackoff({ initialMs: 100, jitter: 0, resetAfterMs: 5000 });
    const state = { attempts: 3, startedAt: 0 };
    expect(backoff.next(state, 4999, true)).toBe(800);
    state.startedAt = 10_000;
    expect(backoff.next(state, 15_000, true)).toBe(100);
    // A retry after a failed start never resets.
    state.startedAt = 0;
    expect(backoff.next(state, 99_999, false)).toBe(200);
  });
});

describe('Supervisor with backoff', () => {
  it('restarts a crashed child only after the delay, longer each time', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [workerSpec('a', journal)], {
      maxRestarts: 10,
      backoff: { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 },
    });

    for (const delay of [100, 200, 400]) {
      system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');
      expect((await Supervisor.whichChildren(system, sup))[0]!.pid).toBe('restarting');
      clock.advance(delay - 1);
      await turns();
      expect((await Supervisor.whichChildren(system, sup))[0]!.pid).toBe('restarting');
      clock.advance(1);
      await turns();
      const [child] = await Supervisor.whichChildren(system, sup);
      expect(system.isAlive(child!.pid as Pid)).toBe(true);
    }
    expect(journal).toEqual(['start:a', 'start:a', 'start:a', 'start:a']);
  });

  it('counts restarts against the intensity when they are decided, as without back-off', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const sup = await Supervisor.startLink(system, [workerSpec('a', [])], {
      maxRestarts: 2,
      maxSeconds: 60,
      backoff: { initialMs: 100, jitter: 0 },
    });
    const reason = new Promise<Reason>((resolve) =>
      system.monitor(sup, (down) => resolve(down.reason)),
    );
    for (let i = 0; i < 2; i++) {
      system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');
      // The reply comes after the supervisor handled the exit and set its timer.
      await Supervisor.whichChildren(system, sup);
      clock.advance(10_000);
      await turns();
    }
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'a'), 'kill');
    expect(await reason).toBe('shutdown');
  });

  it('keeps restForOne siblings down until the delayed restart', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(
      system,
      [workerSpec('a', journal), workerSpec('b', journal), workerSpec('c', journal)],
      { strategy: 'restForOne', backoff: { initialMs: 500, jitter: 0 } },
    );
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'b'), 'kill');
    const waiting = await Supervisor.whichChildren(system, sup);
    expect(waiting.map((child) => child.pid === 'restarting')).toEqual([false, true, true]);

    clock.advance(500);
    await turns();
    const after = await Supervisor.whichChildren(system, sup);
    for (const child of after) expect(system.isAlive(child.pid as Pid)).toBe(true);
    expect(journal.slice(3)).toEqual(['start:b', 'start:c']);
  });
});
