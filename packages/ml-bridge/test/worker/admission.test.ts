import { ActorSystem, MemoryLogger } from '@starweave/actors';
import { afterEach, describe, expect, it } from 'vitest';
import { call, PythonWorker, type PythonWorkerOptions } from '../../src/index.js';
import { rejection, workerOptions } from '../helpers.js';

let system: ActorSystem;
let logger: MemoryLogger;

afterEach(async () => {
  await system?.shutdown();
});

async function start(options: Partial<PythonWorkerOptions> = {}) {
  logger = new MemoryLogger();
  system = new ActorSystem({ logger });
  return PythonWorker.startLink(system, workerOptions(options));
}

describe('in-flight cap', () => {
  it('queues callers past maxInFlight and rejects past maxQueued', async () => {
    const worker = await start({ maxInFlight: 2, maxQueued: 2 });
    const accepted = [1, 2, 3, 4].map(() => call(system, worker, 'sleep', { seconds: 0.1 }));
    const info = PythonWorker.info(system, worker);
    expect(info.inFlight).toBe(2);
    expect(info.queued).toBe(2);
    const refused = await rejection(call(system, worker, 'echo', 'one too many'));
    expect(refused.code).toBe('ERR_OVERLOADED');
    expect(await Promise.all(accepted)).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(logger.find('bridge.overloaded')[0]?.fields.rejected).toBe(1);
    expect(PythonWorker.info(system, worker).counters.overloaded).toBe(1);
  });

  it('fails a queued request whose deadline passes before it is sent', async () => {
    const worker = await start({ maxInFlight: 1 });
    const running = call(system, worker, 'sleep', { seconds: 0.3 });
    const error = await rejection(call(system, worker, 'echo', 'late', { timeoutMs: 50 }));
    expect(error.code).toBe('ERR_DEADLINE');
    expect(error.message).toContain('waiting for an in-flight slot');
    expect(await running).toBe(0.3);
    expect(PythonWorker.info(system, worker).counters.discarded).toBe(0);
  });
});

describe('cancellation', () => {
  it('cancels a sent request through its AbortSignal and frees the worker', async () => {
    const worker = await start({ threads: 1 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = rejection(
      call(system, worker, 'sleep', { seconds: 5 }, { signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new Error('user left')), 100);
    const error = await pending;
    expect(error.code).toBe('ERR_CANCELLED');
    expect((error.cause as Error).message).toBe('user left');
    // With one handler thread, this answer comes only once the cancel reached the sleep.
    expect(await call(system, worker, 'echo', 'free')).toBe('free');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('sends a cancel when the deadline passes', async () => {
    const worker = await start({ threads: 1 });
    const started = Date.now();
    const error = await rejection(
      call(system, worker, 'sleep', { seconds: 5 }, { timeoutMs: 100 }),
    );
    expect(error.code).toBe('ERR_DEADLINE');
    expect(await call(system, worker, 'echo', 'free')).toBe('free');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails at once for a signal that has already aborted', async () => {
    const worker = await start();
    const error = await rejection(call(system, worker, 'echo', 1, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('ERR_CANCELLED');
    expect(PythonWorker.info(system, worker).inFlight).toBe(0);
  });

  it('removes a queued request that is cancelled', async () => {
    const worker = await start({ maxInFlight: 1 });
    const controller = new AbortController();
    const running = call(system, worker, 'sleep', { seconds: 0.2 });
    const queued = rejection(call(system, worker, 'echo', 'queued', { signal: controller.signal }));
    const after = call(system, worker, 'echo', 'after');
    expect(PythonWorker.info(system, worker).queued).toBe(2);
    controller.abort();
    expect((await queued).code).toBe('ERR_CANCELLED');
    expect(PythonWorker.info(system, worker).queued).toBe(1);
    expect(await running).toBe(0.2);
    expect(await after).toBe('after');
  });

  it('removes a request from the batch being collected when cancelled', async () => {
    const worker = await start({ batch: { maxBatchSize: 8, maxWaitMs: 100 } });
    const controller = new AbortController();
    const kept = call(system, worker, 'batch_sizes', null);
    const dropped = rejection(
      call(system, worker, 'batch_sizes', null, { signal: controller.signal }),
    );
    controller.abort();
    expect((await dropped).code).toBe('ERR_CANCELLED');
    expect(await kept).toBe(1);
  });
});
