/**
 * chaosMonkey: seeded kills at a fixed interval on the system clock, its log, and how it stops.
 */

import { isStarweaveError, MemoryLogger, type Pid } from '@starweave/actors';
import { chaosMonkey, createTestSystem } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();
type T = ReturnType<typeof newTestSystem>;

function spawnWorkers(t: T, count: number, prefix = 'worker'): Pid[] {
  return Array.from({ length: count }, (_, i) =>
    t.system.spawn({ handleMessage() {} }, { name: `${prefix}-${i}` }),
  );
}

/** Returns the names a monkey with `seed` kills among eight workers in 500 ms. */
async function victims(seed: number): Promise<Array<string | undefined>> {
  const t = createTestSystem({ seed: 1 });
  spawnWorkers(t, 8);
  const monkey = chaosMonkey(t.system, {
    seed,
    intervalMs: 100,
    targets: () => t.system.processes(),
  });
  await t.advance(500);
  await t.shutdown();
  return monkey.kills.map((kill) => kill.name);
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('chaosMonkey', () => {
  it('kills one target per interval and logs the time, pid, name and reason', async () => {
    const t = newTestSystem();
    const workers = spawnWorkers(t, 3);
    const monkey = chaosMonkey(t.system, {
      seed: 3,
      intervalMs: 100,
      targets: workers,
      reason: 'shutdown',
    });

    await t.advance(250);

    expect(monkey.kills.map((kill) => kill.atMs)).toEqual([100, 200]);
    for (const kill of monkey.kills) {
      expect(workers).toContainEqual(kill.pid);
      expect(kill.name).toMatch(/^worker-\d$/);
      expect(kill.reason).toBe('shutdown');
      expect(t.system.isAlive(kill.pid)).toBe(false);
    }
    expect(workers.filter((pid) => t.system.isAlive(pid))).toHaveLength(1);
  });

  it('picks the same victims for the same seed', async () => {
    const first = await victims(77);

    expect(first).toHaveLength(5);
    expect(await victims(77)).toEqual(first);
  });

  it('picks other victims for some other seed', async () => {
    const reference = (await victims(1)).join();
    const others: string[] = [];
    for (const seed of [2, 3, 4, 5]) others.push((await victims(seed)).join());

    expect(others.some((other) => other !== reference)).toBe(true);
  });

  it('chooses among the processes a predicate accepts', async () => {
    const t = newTestSystem();
    spawnWorkers(t, 2, 'spared');
    spawnWorkers(t, 2, 'doomed');
    const monkey = chaosMonkey(t.system, {
      seed: 5,
      intervalMs: 10,
      targets: (info) => info.registeredName?.startsWith('doomed') === true,
    });

    await t.advance(100);

    expect(monkey.kills.map((kill) => kill.name).sort()).toEqual(['doomed-0', 'doomed-1']);
    expect(monkey.idleTicks).toBe(8);
    expect(t.system.whereis('spared-0')).toBeDefined();
    expect(t.system.whereis('spared-1')).toBeDefined();
  });

  it("never kills the system's root", async () => {
    const t = newTestSystem();
    const monkey = chaosMonkey(t.system, { seed: 1, intervalMs: 10, targets: [t.system.pid] });

    await t.advance(50);

    expect(monkey.kills).toEqual([]);
    expect(t.system.isAlive(t.system.pid)).toBe(true);
  });

  it('stops after maxKills', async () => {
    const t = newTestSystem();
    const workers = spawnWorkers(t, 5);
    const monkey = chaosMonkey(t.system, {
      seed: 1,
      intervalMs: 10,
      targets: workers,
      maxKills: 2,
    });

    await t.advance(100);

    expect(monkey.kills).toHaveLength(2);
    expect(monkey.running).toBe(false);
  });

  it('kills nothing more once stopped', async () => {
    const t = newTestSystem();
    const workers = spawnWorkers(t, 5);
    const monkey = chaosMonkey(t.system, { seed: 1, intervalMs: 10, targets: workers });
    await t.advance(10);

    monkey.stop();
    await t.advance(100);

    expect(monkey.kills).toHaveLength(1);
    expect(monkey.running).toBe(false);
    expect(t.clock!.pendingTimers()).toBe(0);
  });

  it('stops when the system shuts down', async () => {
    const t = newTestSystem();
    const monkey = chaosMonkey(t.system, { seed: 1, intervalMs: 10, targets: [] });

    await t.shutdown();

    expect(monkey.running).toBe(false);
  });

  it('logs each kill through the system logger', async () => {
    const logger = new MemoryLogger();
    const t = newTestSystem({ logger });
    const workers = spawnWorkers(t, 1);
    chaosMonkey(t.system, { seed: 1, intervalMs: 10, targets: workers });

    await t.advance(10);

    expect(logger.find('testing.chaos_kill')).toHaveLength(1);
    expect(logger.find('testing.chaos_kill')[0]?.fields.pid).toEqual(workers[0]);
  });

  it('fails with ERR_INVALID_ARGUMENT for an interval that is not positive', () => {
    const t = newTestSystem();

    const error = thrown(() => chaosMonkey(t.system, { intervalMs: 0, targets: [] }));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('intervalMs');
  });

  it('fails with ERR_INVALID_ARGUMENT without targets', () => {
    const t = newTestSystem();

    const error = thrown(() => chaosMonkey(t.system, { intervalMs: 10 } as never));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
