import { ActorSystem, Pid, silentLogger } from '@starweave/actors';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolCore } from '../../src/pool/pool-core.js';
import type { WorkerCore } from '../../src/worker/worker-core.js';

let system: ActorSystem;

afterEach(async () => {
  await system?.shutdown();
});

/** A stand-in for a worker's core that answers with its version and counts its calls. */
function fakeWorker(version: string, load = 0) {
  const worker = {
    status: 'running',
    load,
    calls: 0,
    call: () => {
      worker.calls++;
      return Promise.resolve(version);
    },
  };
  return worker;
}

describe('PoolCore routing', () => {
  it('splits traffic exactly by weight over each cycle (fast-check, seed 42)', async () => {
    console.log('fast-check seed 42');
    system = new ActorSystem({ logger: silentLogger });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        async (weights, cycles) => {
          fc.pre(weights.some((weight) => weight > 0));
          const versions = weights.map((weight, index) => ({ version: `v${index}`, weight }));
          const core = new PoolCore('split', versions, system, 10, 1000);
          const workers = versions.map(({ version }, index) => {
            const worker = fakeWorker(version);
            core.add(version, new Pid('local', 1000 + index), worker as unknown as WorkerCore);
            return worker;
          });
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          for (let index = 0; index < total * cycles; index++) {
            await core.call('h', null, {});
          }
          expect(workers.map((worker) => worker.calls)).toEqual(weights.map((w) => w * cycles));
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it('sends each request to the least-loaded running worker', async () => {
    system = new ActorSystem({ logger: silentLogger });
    const core = new PoolCore('least', [{ version: 'v1', weight: 1 }], system, 10, 1000);
    const busy = fakeWorker('v1', 5);
    const idle = fakeWorker('v1', 1);
    const draining = fakeWorker('v1', 0);
    draining.status = 'draining';
    core.add('v1', new Pid('local', 1), busy as unknown as WorkerCore);
    core.add('v1', new Pid('local', 2), idle as unknown as WorkerCore);
    core.add('v1', new Pid('local', 3), draining as unknown as WorkerCore);
    for (let index = 0; index < 4; index++) await core.call('h', null, {});
    expect(idle.calls).toBe(4);
    expect(busy.calls).toBe(0);
    expect(draining.calls).toBe(0);
  });

  it('holds requests until a worker of their version is added', async () => {
    system = new ActorSystem({ logger: silentLogger });
    const core = new PoolCore('wait', [{ version: 'v1', weight: 1 }], system, 10, 1000);
    const pending = core.call('h', null, {});
    expect(core.waitingCount).toBe(1);
    core.add('v1', new Pid('local', 1), fakeWorker('v1') as unknown as WorkerCore);
    expect(await pending).toBe('v1');
    expect(core.waitingCount).toBe(0);
  });

  it('fails a waiting request with ERR_DEADLINE', async () => {
    system = new ActorSystem({ logger: silentLogger });
    const core = new PoolCore('late', [{ version: 'v1', weight: 1 }], system, 10, 1000);
    await expect(core.call('h', null, { timeoutMs: 20 })).rejects.toMatchObject({
      code: 'ERR_DEADLINE',
    });
  });
});
