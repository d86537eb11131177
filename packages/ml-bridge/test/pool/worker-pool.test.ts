import { ActorSystem, MemoryLogger, type Pid } from '@starweave/actors';
import { afterEach, describe, expect, it } from 'vitest';
import { call, WorkerPool, type WorkerPoolOptions } from '../../src/index.js';
import { rejection, waitFor, workerOptions } from '../helpers.js';

let system: ActorSystem;
let logger: MemoryLogger;

afterEach(async () => {
  await system?.shutdown();
});

async function startPool(options: WorkerPoolOptions): Promise<Pid> {
  logger = new MemoryLogger();
  system = new ActorSystem({ logger });
  return WorkerPool.startLink(system, options);
}

function completedByVersion(pool: Pid): Record<string, number> {
  const info = WorkerPool.info(system, pool);
  return Object.fromEntries(
    info.versions.map((entry) => [
      entry.version,
      entry.workers.reduce((sum, worker) => sum + worker.counters.completed, 0),
    ]),
  );
}

describe('WorkerPool routing', () => {
  it('spreads concurrent requests over the least-loaded workers', async () => {
    const pool = await startPool({ name: 'scorers', size: 2, worker: workerOptions() });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(system, 'scorers', 'sleep', { seconds: 0.02 })),
    );
    expect(results).toHaveLength(20);
    const workers = WorkerPool.info(system, pool).versions[0]!.workers;
    expect(workers).toHaveLength(2);
    expect(workers.map((worker) => worker.counters.completed)).toEqual([10, 10]);
    expect(workers[0]!.name).toBe('scorers-default-0');
  });

  it('splits traffic between versions by weight', async () => {
    const pool = await startPool({
      versions: [
        { version: 'v1', weight: 3, worker: workerOptions() },
        { version: 'v2', weight: 1, worker: workerOptions() },
      ],
    });
    for (let index = 0; index < 40; index++) await call(system, pool, 'echo', index);
    expect(completedByVersion(pool)).toEqual({ v1: 30, v2: 10 });

    WorkerPool.setWeights(system, pool, { v1: 0 });
    for (let index = 0; index < 10; index++) await call(system, pool, 'echo', index);
    expect(completedByVersion(pool)).toEqual({ v1: 30, v2: 20 });

    await call(system, pool, 'echo', 'pinned', { version: 'v1' });
    expect(completedByVersion(pool)).toEqual({ v1: 31, v2: 20 });
    const unknown = await rejection(call(system, pool, 'echo', 1, { version: 'v3' }));
    expect(unknown.code).toBe('ERR_NOT_FOUND');
    expect(() => WorkerPool.setWeights(system, pool, { v2: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('WorkerPool supervision', () => {
  it('restarts a killed worker while requests wait for it', async () => {
    const pool = await startPool({ size: 1, worker: workerOptions() });
    const before = WorkerPool.info(system, pool).versions[0]!.workers[0]!;
    process.kill(before.osPid!, 'SIGKILL');
    await waitFor(() => WorkerPool.info(system, pool).versions[0]!.workers.length === 0);
    // No worker runs now: the request waits for the restarted one.
    expect(await call(system, pool, 'echo', 'waited', { timeoutMs: 15_000 })).toBe('waited');
    const after = WorkerPool.info(system, pool).versions[0]!.workers[0]!;
    expect(after.osPid).not.toBe(before.osPid);
    expect(logger.find('bridge.worker_lost')).toHaveLength(1);
  });

  it('restarts every worker without failing a request', async () => {
    const pool = await startPool({ size: 2, worker: workerOptions() });
    const before = WorkerPool.info(system, pool).versions[0]!.workers.map((worker) => worker.osPid);
    let running = true;
    let answered = 0;
    const failures: unknown[] = [];
    const load = (async () => {
      while (running) {
        const batch = Array.from({ length: 8 }, (_, index) =>
          call(system, pool, 'echo', index).then(
            () => {
              answered++;
            },
            (error) => {
              failures.push(error);
            },
          ),
        );
        await Promise.all(batch);
      }
    })();
    await WorkerPool.rollingRestart(system, pool);
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(0);
    const after = WorkerPool.info(system, pool).versions[0]!.workers.map((worker) => worker.osPid);
    expect(after).toHaveLength(2);
    for (const osPid of after) expect(before).not.toContain(osPid);
  });

  it('drains on stop and then refuses requests', async () => {
    const pool = await startPool({ name: 'draining', size: 1, worker: workerOptions() });
    const slow = call(system, pool, 'sleep', { seconds: 0.3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await WorkerPool.stop(system, pool);
    expect(await slow).toBe(0.3);
    const error = await rejection(call(system, 'draining', 'echo', 1));
    expect(error.code).toBe('ERR_NOPROC');
  });
});
