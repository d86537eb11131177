/**
 * The scheduler: slices with a reduction budget, yields to the event loop between slices, and
 * a seeded run-queue order that replays the same interleaving.
 */
import { describe, expect, it } from 'vitest';
import { type ActorSystem, type Pid, type ProcessContext, seededRandom } from '@starweave/actors';
import { nextTurn, settle, useSystems, waitUntil } from './helpers.js';

const newSystem = useSystems();

describe('Scheduler slices', () => {
  it('spends at most the slice budget of reductions per slice', async () => {
    const system = newSystem({ sliceBudget: 100, processBudget: 100 });
    let handled = 0;
    const pid = system.spawn({ handleMessage: () => void handled++ });
    const before = system.scheduler.slices;

    for (let i = 0; i < 1000; i++) system.send(pid, i);
    await settle(system);

    expect(handled).toBe(1000);
    expect(system.scheduler.slices - before).toBeGreaterThanOrEqual(10);
  });

  it('yields to the event loop between slices', async () => {
    const system = newSystem();
    let handled = 0;
    const pid = system.spawn({ handleMessage: () => void handled++ });
    let seenByImmediate = -1;

    for (let i = 0; i < 200_000; i++) system.send(pid, i);
    setImmediate(() => {
      seenByImmediate = handled;
    });
    await waitUntil(() => handled === 200_000, 5000);

    expect(seenByImmediate).toBeGreaterThan(0);
    expect(seenByImmediate).toBeLessThan(200_000);
  });

  it('handles a lone message in a microtask, without waiting for the next turn', async () => {
    const system = newSystem();
    let handled = false;
    const pid = system.spawn({
      handleMessage: () => {
        handled = true;
      },
    });

    system.send(pid, 'now');
    await Promise.resolve();

    expect(handled).toBe(true);
  });

  it('fires a timer within 50 ms of its due time while 1M messages flow', async () => {
    const system = newSystem();
    const total = 1_000_000;
    const chains = 400;
    let handled = 0;
    // Four processes pass each message round a ring until it has made its share of the hops,
    // so the run queue stays full until 1M messages have been handled.
    const ring: Pid[] = [];
    const member = {
      handleMessage(self: ProcessContext, hopsLeft: number) {
        handled++;
        if (hopsLeft > 1) self.send(ring[hopsLeft % ring.length]!, hopsLeft - 1);
      },
    };
    for (let i = 0; i < 4; i++) ring.push(system.spawn(member));
    let deliveredAt = 0;
    let handledWhenDelivered = 0;
    const target = system.spawn({
      handleMessage: () => {
        deliveredAt = performance.now();
        handledWhenDelivered = handled;
      },
    });
    let firedAt = 0;
    let handledWhenFired = 0;

    for (let i = 0; i < chains; i++) system.send(ring[i % 4]!, total / chains);
    const start = performance.now();
    setTimeout(() => {
      firedAt = performance.now();
      handledWhenFired = handled;
    }, 30);
    system.sendAfter(target, 'due', 30);
    await waitUntil(() => handled === total && deliveredAt > 0, 10_000);

    expect(handledWhenFired).toBeGreaterThan(0);
    expect(handledWhenFired).toBeLessThan(total);
    expect(handledWhenDelivered).toBeLessThan(total);
    expect(firedAt - start).toBeLessThan(30 + 50);
    expect(deliveredAt - start).toBeLessThan(30 + 50);
  });

  it('lets timers run while async processes ping-pong without end', async () => {
    const system = newSystem();
    let rounds = 0;
    let running = true;
    const player = async (self: ProcessContext): Promise<void> => {
      while (running) {
        const { from } = await self.receive();
        rounds++;
        self.send(from, { from: self.pid });
      }
    };
    const a = system.spawn(player);
    system.spawn(async (self) => {
      self.send(a, { from: self.pid });
      await player(self);
    });
    const start = performance.now();

    const firedAfter = await new Promise<number>((resolve) =>
      setTimeout(() => resolve(performance.now() - start), 20),
    );
    running = false;

    // A starved timer would never fire and the ping-pong would never stop; the bound is loose
    // because other test files share the CPU.
    expect(rounds).toBeGreaterThan(100);
    expect(firedAfter).toBeLessThan(1000);
  });

  it('runs no slice after the system shuts down', async () => {
    const system = newSystem();
    let handled = 0;
    const pid = system.spawn({ handleMessage: () => void handled++ });
    for (let i = 0; i < 100_000; i++) system.send(pid, i);

    await system.shutdown();
    const after = handled;
    for (let i = 0; i < 5; i++) await nextTurn();

    expect(handled).toBe(after);
    expect(system.scheduler.length).toBe(0);
  });
});

/** Runs eight processes that each record their id a few times, and returns the order. */
async function interleaving(system: ActorSystem): Promise<string> {
  const order: number[] = [];
  const pids: Pid[] = [];
  for (let id = 0; id < 8; id++) {
    pids.push(system.spawn({ handleMessage: () => void order.push(id) }, {}));
  }
  for (let round = 0; round < 5; round++) {
    for (const pid of pids) system.send(pid, round);
    await settle(system);
  }
  return order.join('');
}

describe('seeded run-queue order', () => {
  it('runs processes in the order they became runnable without a seed', async () => {
    const order = await interleaving(newSystem());

    expect(order).toBe('01234567'.repeat(5));
  });

  it('replays the same interleaving for the same seed', async () => {
    const first = await interleaving(newSystem({ seed: 7 }));
    const second = await interleaving(newSystem({ seed: 7 }));

    expect(second).toBe(first);
  });

  it('produces different interleavings for different seeds', async () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) orders.add(await interleaving(newSystem({ seed })));

    expect(orders.size).toBeGreaterThan(1);
    for (const order of orders) expect([...order].sort().join('')).toBe([...'01234567'.repeat(5)].sort().join(''));
  });

  it('switches order with setSchedulerSeed and back to FIFO with undefined', async () => {
    const system = newSystem();
    system.setSchedulerSeed(7);
    const seeded = await interleaving(system);
    const reference = await interleaving(newSystem({ seed: 7 }));
    system.setSchedulerSeed(undefined);
    const fifo = await interleaving(system);

    expect(seeded).toBe(reference);
    expect(fifo).toBe('01234567'.repeat(5));
  });

  it('fails with ERR_INVALID_ARGUMENT naming a seed that is not an integer', () => {
    const system = newSystem();

    expect(() => system.setSchedulerSeed(1.5)).toThrow(/1\.5/);
    try {
      system.setSchedulerSeed(1.5);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

describe('seededRandom', () => {
  it('returns the same sequence in [0, 1) for the same seed', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const a = Array.from({ length: 100 }, () => first());
    const b = Array.from({ length: 100 }, () => second());

    expect(a).toEqual(b);
    for (const value of a) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('returns different sequences for different seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(2);

    expect(Array.from({ length: 10 }, () => a())).not.toEqual(Array.from({ length: 10 }, () => b()));
  });
});
