import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, OffloadPool, silentLogger } from '@starweave/actors';

const filename = new URL('./cpu-worker.mjs', import.meta.url);
const pools: OffloadPool[] = [];
const systems: ActorSystem[] = [];

function setup(options: { maxThreads?: number; maxQueue?: number } = {}) {
  const system = new ActorSystem({ logger: silentLogger });
  const pool = new OffloadPool({ filename, ...options });
  systems.push(system);
  pools.push(pool);
  return { system, pool };
}

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  for (const system of systems.splice(0)) await system.shutdown();
});

describe('OffloadPool.run', () => {
  it('returns the worker result', async () => {
    const { system, pool } = setup({ maxThreads: 1 });
    expect(await pool.run(system, 7)).toBe(49);
  });

  it('keeps timers and messages flowing during a 2-second CPU task', async () => {
    const { system, pool } = setup({ maxThreads: 1 });
    let ticks = 0;
    const ticker = system.spawn(async (self) => {
      for (;;) {
        await self.receive((m: any) => m === 'tick');
        ticks++;
        self.sendAfter(self.pid, 'tick', 50);
      }
    });
    system.send(ticker, 'tick');
    const started = performance.now();
    const spun = await pool.run<number>(system, { ms: 2000 }, { name: 'spin' });
    const elapsed = performance.now() - started;
    expect(spun).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    // A 50 ms ticker over about 2 s fires close to 40 times when the main thread stays free.
    expect(ticks).toBeGreaterThanOrEqual(25);
  });

  it('brings back the error a worker throws, with message and stack', async () => {
    const { system, pool } = setup({ maxThreads: 1 });
    const error = await pool.run(system, null, { name: 'fail' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('worker failed on purpose');
    expect((error as Error).stack).toContain('cpu-worker.mjs');
  });

  it('cancels with ERR_DEADLINE when the timeout passes', async () => {
    const { system, pool } = setup({ maxThreads: 1 });
    const started = performance.now();
    await expect(pool.run(system, { ms: 5000 }, { name: 'spin', timeoutMs: 100 })).rejects.toMatchObject({
      code: 'ERR_DEADLINE',
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('cancels with ERR_CANCELLED when the calling process ends', async () => {
    const { system, pool } = setup({ maxThreads: 1 });
    let outcome: unknown;
    const caller = system.spawn(async (self) => {
      outcome = await pool.run(self, { ms: 5000 }, { name: 'spin' }).catch((e: unknown) => e);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    system.exit(caller, 'kill');
    const started = performance.now();
    while (outcome === undefined && performance.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(outcome).toMatchObject({ code: 'ERR_CANCELLED' });
  });

  it('cancels with ERR_CANCELLED when the AbortSignal aborts', async () => {
    const { system, pool } = setup({ maxThreads: 1 });
    const controller = new AbortController();
    const running = pool.run(system, { ms: 5000 }, { name: 'spin', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(running).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
  });

  it('fails with ERR_OVERLOADED when the queue is full', async () => {
    const { system, pool } = setup({ maxThreads: 1, maxQueue: 1 });
    const controller = new AbortController();
    const runs = [0, 1, 2, 3].map(() =>
      pool.run(system, { ms: 300 }, { name: 'spin', signal: controller.signal }).catch((e: unknown) => e),
    );
    const results = await Promise.all(runs);
    const overloaded = results.filter((r) => (r as { code?: string })?.code === 'ERR_OVERLOADED');
    expect(overloaded.length).toBeGreaterThanOrEqual(1);
  });

  it('rejects a missing filename', () => {
    expect(() => new OffloadPool({ filename: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
