import { ActorSystem, MemoryLogger } from '@starweave/actors';
import { fromAsyncIterable, GenStage, toAsyncIterable } from '@starweave/stages';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeStage, PythonWorker, type ScoredEvent } from '../../src/index.js';
import { workerOptions } from '../helpers.js';

let system: ActorSystem;
let logger: MemoryLogger;

afterEach(async () => {
  await system?.shutdown();
});

async function collect<T>(producer: unknown, count: number): Promise<T[]> {
  const seen: T[] = [];
  for await (const event of toAsyncIterable<T>(system, producer as never, { maxDemand: 100 })) {
    seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
}

describe('bridgeStage', () => {
  it('scores events in order, in batches', async () => {
    logger = new MemoryLogger();
    system = new ActorSystem({ logger });
    const worker = await PythonWorker.startLink(
      system,
      workerOptions({ name: 'squarer', batch: { maxBatchSize: 32, maxWaitMs: 5 } }),
    );
    const numbers = Array.from({ length: 200 }, (_, index) => index);
    const source = await GenStage.start(system, fromAsyncIterable(numbers), undefined);
    const stage = await GenStage.start(
      system,
      bridgeStage<number>({
        target: 'squarer',
        handler: 'square_batch',
        subscribeTo: [{ to: source, maxDemand: 64, minDemand: 32 }],
      }),
      undefined,
    );
    const scored = await collect<ScoredEvent<number>>(stage, 200);
    expect(scored.map((entry) => entry.event)).toEqual(numbers);
    expect(scored.map((entry) => entry.result)).toEqual(numbers.map((n) => n * n));
    const batches = PythonWorker.info(system, worker).counters.batches;
    expect(batches).toBeLessThanOrEqual(20);
    expect(batches).toBeGreaterThanOrEqual(7);
  });

  it('drops or replaces events whose request failed', async () => {
    logger = new MemoryLogger();
    system = new ActorSystem({ logger });
    await PythonWorker.startLink(system, workerOptions({ name: 'inverter' }));
    const values = [1, 0, 2, 0, 4];

    const dropping = await GenStage.start(
      system,
      bridgeStage<number, number>({
        target: 'inverter',
        handler: 'reciprocal_batch',
        toOutput: (_event, result) => result as number,
        subscribeTo: [await GenStage.start(system, fromAsyncIterable(values), undefined)],
      }),
      undefined,
    );
    expect(await collect<number>(dropping, 3)).toEqual([1, 0.5, 0.25]);
    expect(logger.find('bridge.stage_event_dropped')).toHaveLength(2);
    expect(logger.find('bridge.stage_event_dropped')[0]?.fields.code).toBe('ERR_REMOTE');

    const replacing = await GenStage.start(
      system,
      bridgeStage<number, number | string>({
        target: 'inverter',
        handler: 'reciprocal_batch',
        toOutput: (_event, result) => result as number,
        onError: (error) => error.details?.errorType as string,
        subscribeTo: [await GenStage.start(system, fromAsyncIterable(values), undefined)],
      }),
      undefined,
    );
    expect(await collect(replacing, 5)).toEqual([
      1,
      'ZeroDivisionError',
      0.5,
      'ZeroDivisionError',
      0.25,
    ]);
  });
});
