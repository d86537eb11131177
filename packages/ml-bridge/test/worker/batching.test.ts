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

describe('dynamic batching', () => {
  it('sends a batch as soon as it reaches maxBatchSize', async () => {
    const worker = await start({ batch: { maxBatchSize: 4, maxWaitMs: 300 } });
    const started = Date.now();
    const sizes = Array.from({ length: 10 }, () =>
      call<number>(system, worker, 'batch_sizes', null),
    );
    const firstEight = await Promise.all(sizes.slice(0, 8));
    expect(firstEight).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
    expect(Date.now() - started).toBeLessThan(250);
    // The last two wait for maxWaitMs, since no more requests come.
    expect(await Promise.all(sizes.slice(8))).toEqual([2, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(PythonWorker.info(system, worker).counters.batches).toBe(3);
  });

  it('sends a partial batch after maxWaitMs', async () => {
    const worker = await start({ batch: { maxBatchSize: 32, maxWaitMs: 80 } });
    const started = Date.now();
    expect(await call(system, worker, 'batch_sizes', null)).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('maps results back to their callers in order', async () => {
    const worker = await start();
    const values = Array.from({ length: 100 }, (_, index) => index - 50);
    const squares = await Promise.all(
      values.map((value) => call(system, worker, 'square_batch', value)),
    );
    expect(squares).toEqual(values.map((value) => value * value));
  });

  it('keeps batches within the handler maxBatchSize', async () => {
    const worker = await start({ batch: { maxBatchSize: 500, maxWaitMs: 5 } });
    await Promise.all(
      Array.from({ length: 100 }, (_, index) => call(system, worker, 'square_batch', index)),
    );
    // square_batch takes at most 64 per batch: 100 requests need two frames.
    expect(PythonWorker.info(system, worker).counters.batches).toBe(2);
  });

  it('fails only the caller whose item the handler failed', async () => {
    const worker = await start();
    const results = await Promise.allSettled(
      [2, 0, 4].map((value) => call(system, worker, 'reciprocal_batch', value)),
    );
    expect(results[0]).toEqual({ status: 'fulfilled', value: 0.5 });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 0.25 });
    const failed = results[1] as PromiseRejectedResult;
    expect(failed.status).toBe('rejected');
    expect(failed.reason.code).toBe('ERR_REMOTE');
    expect(failed.reason.details.errorType).toBe('ZeroDivisionError');
    expect(failed.reason.details.traceback).toContain('ZeroDivisionError');
    expect(PythonWorker.info(system, worker).counters.batches).toBe(1);
    expect(logger.find('bridge.request_failed')).toHaveLength(1);
  });

  it('fails only the caller whose payload cannot be encoded', async () => {
    const worker = await start();
    const good = [1, 2, 3].map((value) => call(system, worker, 'square_batch', value));
    const bad = rejection(call(system, worker, 'square_batch', { value: () => 1 }));
    expect(await Promise.all(good)).toEqual([1, 4, 9]);
    const error = await bad;
    expect(error.code).toBe('ERR_ENCODE');
  });

  it('sends each request alone when batching is off', async () => {
    const worker = await start({ batchByHandler: { batch_sizes: false } });
    const sizes = await Promise.all(
      Array.from({ length: 5 }, () => call(system, worker, 'batch_sizes', null)),
    );
    expect(sizes).toEqual([1, 1, 1, 1, 1]);
    expect(PythonWorker.info(system, worker).counters.batches).toBe(0);
  });

  it('rejects invalid batch options with ERR_INVALID_ARGUMENT', async () => {
    system = new ActorSystem({ logger: new MemoryLogger() });
    const error = await rejection(
      PythonWorker.startLink(system, workerOptions({ batch: { maxBatchSize: 0 } })),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('options.batch.maxBatchSize');
  });
});
