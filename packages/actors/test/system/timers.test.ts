/**
 * Timers: sendAfter and cancelTimer, all read from the system clock so that virtual time
 * drives them.
 */
import { describe, expect, it } from 'vitest';
import { type ActorSystem, type Pid, type Ref, VirtualClock } from '@starweave/actors';
import { hasCode, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function collector(system: ActorSystem, name?: string): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = system.spawn(
    { handleMessage: (_self, message) => void got.push(message) },
    name === undefined ? undefined : { name },
  );
  return { pid, got };
}

function virtualSystem(): { system: ActorSystem; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { system: newSystem({ clock }), clock };
}

describe('ActorSystem.sendAfter', () => {
  it('delivers the message when the clock reaches the delay, not before', async () => {
    const { system, clock } = virtualSystem();
    const { pid, got } = collector(system);

    system.sendAfter(pid, 'tick', 100);
    clock.advance(99);
    await settle(system);
    expect(got).toEqual([]);
    clock.advance(1);
    await settle(system);

    expect(got).toEqual(['tick']);
  });

  it('delivers timers in order of their due time', async () => {
    const { system, clock } = virtualSystem();
    const { pid, got } = collector(system);

    system.sendAfter(pid, 'late', 30);
    system.sendAfter(pid, 'early', 10);
    system.sendAfter(pid, 'middle', 20);
    clock.advance(30);
    await settle(system);

    expect(got).toEqual(['early', 'middle', 'late']);
  });

  it('does not deliver at once with a zero delay', async () => {
    const { system, clock } = virtualSystem();
    const { pid, got } = collector(system);

    system.sendAfter(pid, 'zero', 0);
    system.send(pid, 'direct');
    await settle(system);
    expect(got).toEqual(['direct']);
    clock.advance(0);
    await settle(system);

    expect(got).toEqual(['direct', 'zero']);
  });

  it('looks a name up when the timer fires', async () => {
    const { system, clock } = virtualSystem();
    system.sendAfter('later', 'hello', 50);
    const { got } = collector(system, 'later');

    clock.advance(50);
    await settle(system);

    expect(got).toEqual(['hello']);
  });

  it('drops the message quietly when the name is not registered at firing', async () => {
    const { system, clock } = virtualSystem();
    system.sendAfter('nobody', 'hello', 50);

    expect(() => clock.advance(50)).not.toThrow();
    expect(system.activeTimers()).toBe(0);
  });

  it('is cancelled when the destination process ends', async () => {
    const { system, clock } = virtualSystem();
    const { pid } = collector(system);
    const ref = system.sendAfter(pid, 'tick', 100);

    system.exit(pid, 'shutdown');

    expect(system.activeTimers()).toBe(0);
    expect(system.cancelTimer(ref)).toBe(false);
    expect(() => clock.advance(100)).not.toThrow();
  });

  it('is not set for a destination pid that is already dead', async () => {
    const { system } = virtualSystem();
    const pid = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(pid));

    const ref = system.sendAfter(pid, 'tick', 100);

    expect(system.activeTimers()).toBe(0);
    expect(system.cancelTimer(ref)).toBe(false);
  });

  it('sends from inside a process with self.sendAfter', async () => {
    const { system, clock } = virtualSystem();
    const pid = system.spawn(async (self) => {
      self.sendAfter(self.pid, { type: 'wake' }, 1000);
      const message = await self.receive();
      self.send(system.pid, { type: 'woke', message, at: self.system.clock.now() });
    });
    await settle(system);

    clock.advance(1000);
    const reply = await system.receive((m: any) => m?.type === 'woke', 1000);

    expect(reply.message).toEqual({ type: 'wake' });
    expect(reply.at).toBe(1000);
    expect(system.isAlive(pid)).toBe(false);
  });

  it('returns refs that are unique in the system', () => {
    const { system } = virtualSystem();
    const { pid } = collector(system);

    const refs = Array.from({ length: 100 }, () => system.sendAfter(pid, 'x', 10));

    expect(new Set(refs.map(String)).size).toBe(100);
  });

  for (const bad of [-1, Number.NaN, 'infinity', '10', Number.POSITIVE_INFINITY]) {
    it(`fails with ERR_INVALID_ARGUMENT naming the delay ${String(bad)}`, () => {
      const { system } = virtualSystem();
      const { pid } = collector(system);

      const error = thrownBy(() => system.sendAfter(pid, 'x', bad as number));

      expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(typeof bad === 'string' ? `"${bad}"` : String(bad));
      expect(system.activeTimers()).toBe(0);
    });
  }

  it('fails with ERR_INVALID_ARGUMENT naming a destination that is not a pid or name', () => {
    const { system } = virtualSystem();

    const error = thrownBy(() => system.sendAfter(17 as unknown as Pid, 'x', 10));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('17');
  });
});

describe('ActorSystem.cancelTimer', () => {
  it('returns the milliseconds left and stops the message', async () => {
    const { system, clock } = virtualSystem();
    const { pid, got } = collector(system);
    const ref = system.sendAfter(pid, 'tick', 100);
    clock.advance(30);

    expect(system.cancelTimer(ref)).toBe(70);
    clock.advance(100);
    await settle(system);

    expect(got).toEqual([]);
    expect(system.activeTimers()).toBe(0);
  });

  it('returns false for a timer that already fired', async () => {
    const { system, clock } = virtualSystem();
    const { pid } = collector(system);
    const ref = system.sendAfter(pid, 'tick', 10);
    clock.advance(10);

    expect(system.cancelTimer(ref)).toBe(false);
  });

  it('returns false for a timer that was already cancelled', () => {
    const { system } = virtualSystem();
    const { pid } = collector(system);
    const ref = system.sendAfter(pid, 'tick', 10);
    system.cancelTimer(ref);

    expect(system.cancelTimer(ref)).toBe(false);
  });

  it('returns false for a ref that never named a timer', () => {
    const { system } = virtualSystem();

    expect(system.cancelTimer(system.makeRef())).toBe(false);
  });

  it('cancels from inside a process with self.cancelTimer', async () => {
    const { system, clock } = virtualSystem();
    system.spawn(async (self) => {
      const ref = self.sendAfter(self.pid, 'tick', 500);
      const left = self.cancelTimer(ref);
      const message = await self.tryReceive(undefined, 1000);
      self.send(system.pid, { type: 'result', left, message });
    });
    await settle(system);

    clock.advance(1000);
    const result = await system.receive((m: any) => m?.type === 'result', 1000);

    expect(result.left).toBe(500);
    expect(result.message).toBeUndefined();
  });

  it('fails with ERR_INVALID_ARGUMENT naming a value that is not a ref', () => {
    const { system } = virtualSystem();

    const error = thrownBy(() => system.cancelTimer('timer-1' as unknown as Ref));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"timer-1"');
  });
});

describe('ActorSystem.activeTimers', () => {
  it('counts the timers that have not fired or been cancelled', () => {
    const { system, clock } = virtualSystem();
    const { pid } = collector(system);
    const first = system.sendAfter(pid, 'a', 10);
    system.sendAfter(pid, 'b', 20);
    system.sendAfter(pid, 'c', 30);

    expect(system.activeTimers()).toBe(3);
    system.cancelTimer(first);
    expect(system.activeTimers()).toBe(2);
    clock.advance(20);
    expect(system.activeTimers()).toBe(1);
  });
});

describe('real clock timers', () => {
  it('deliver after at least the delay', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    const start = performance.now();

    system.sendAfter(pid, 'tick', 30);
    await waitUntil(() => got.length === 1);

    expect(performance.now() - start).toBeGreaterThanOrEqual(29);
  });
});
