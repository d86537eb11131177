import { ActorSystem, MemoryLogger } from '@starweave/actors';
import { afterEach, describe, expect, it } from 'vitest';
import { call, PythonWorker, type PythonWorkerOptions, stream } from '../../src/index.js';
import { rejection, workerOptions } from '../helpers.js';

let system: ActorSystem;

afterEach(async () => {
  await system?.shutdown();
});

async function start(options: Partial<PythonWorkerOptions> = {}) {
  system = new ActorSystem({ logger: new MemoryLogger() });
  return PythonWorker.startLink(system, workerOptions(options));
}

async function collect<T>(chunks: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const chunk of chunks) seen.push(chunk);
  return seen;
}

describe('stream', () => {
  it('yields the chunks of a generator handler in order', async () => {
    const worker = await start();
    expect(await collect(stream(system, worker, 'count', { to: 5 }))).toEqual([0, 1, 2, 3, 4]);
    expect(PythonWorker.info(system, worker).inFlight).toBe(0);
  });

  it('raises the handler error after the chunks before it', async () => {
    const worker = await start();
    const seen: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of stream<number>(system, worker, 'fail_after', 2)) seen.push(chunk);
      })(),
    );
    expect(seen).toEqual([0, 1]);
    expect(error.code).toBe('ERR_REMOTE');
    expect(error.details.errorType).toBe('ValueError');
  });

  it('cancels the request when the loop ends early', async () => {
    const worker = await start({ threads: 1 });
    const seen: number[] = [];
    for await (const chunk of stream<number>(system, worker, 'count', { to: 1000, pause: 0.05 })) {
      seen.push(chunk);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([0, 1]);
    expect(PythonWorker.info(system, worker).inFlight).toBe(0);
    // With one handler thread, this answer comes only once the cancel stopped the stream.
    const started = Date.now();
    expect(await call(system, worker, 'echo', 'free')).toBe('free');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects call on a streaming handler and stream on a plain one', async () => {
    const worker = await start();
    expect((await rejection(call(system, worker, 'count', { to: 1 }))).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    const error = await rejection(collect(stream(system, worker, 'echo', 1)));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('fails the stream when the worker dies', async () => {
    const worker = await start();
    const osPid = PythonWorker.info(system, worker).osPid!;
    const seen: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of stream<number>(system, worker, 'count', {
          to: 1000,
          pause: 0.02,
        })) {
          seen.push(chunk);
          if (seen.length === 2) process.kill(osPid, 'SIGKILL');
        }
      })(),
    );
    expect(error.code).toBe('ERR_NOCONNECTION');
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });
});
