/**
 * The scoring bridge alone: a pool of Python workers runs `predict_delay` on batches of flights that
 * several callers send at once, so that dynamic batching joins them.
 */
import { join } from 'node:path';
import { ActorSystem, silentLogger } from '@starweave/actors';
import { call, WorkerPool } from '@starweave/ml-bridge';
import { mainThreadCpuMs } from '../src/app/thread-cpu.js';
import type { Flight } from '../src/data/flight.js';
import { DELAYED_OVER_MINUTES } from '../src/detect/calibration.js';
import { HANDLER_PATH } from '../src/scoring/delay-model.js';
import { featureColumns } from '../src/scoring/features.js';

/** Options of {@link bridgeThroughput}. */
export interface BridgeOptions {
  readonly workers: number;
  /** Callers sending at once, like the airport stages. */
  readonly callers: number;
  /** Flights per request, like one batch of an airport stage. */
  readonly batch: number;
  /** Requests one worker joins into one Python call, at most. */
  readonly maxBatchSize: number;
}

/** Scores `flights` through the workers and returns the time it took. */
export async function bridgeThroughput(
  flights: readonly Flight[],
  out: string,
  options: BridgeOptions,
): Promise<{ flights: number; ms: number; cpuMs: number }> {
  const system = new ActorSystem({ logger: silentLogger });
  const path = join(out, 'bench-model.npz');
  try {
    const pool = await WorkerPool.startLink(system, {
      name: 'bench-pool',
      size: options.workers,
      worker: {
        handlers: ['flight_model'],
        handlerPaths: [HANDLER_PATH],
        threads: 2,
        batchByHandler: { predict_delay: { maxBatchSize: options.maxBatchSize, maxWaitMs: 2 } },
        defaultTimeoutMs: 120_000,
      },
    });
    const training = flights.slice(0, 100_000);
    const delayed = Int8Array.from(training, (f) => (f.delay > DELAYED_OVER_MINUTES ? 1 : 0));
    await call(system, pool, 'train_delay_model', {
      ...featureColumns(training),
      delayed,
      path,
    });

    let next = 0;
    const cpu = mainThreadCpuMs();
    const started = performance.now();
    const caller = async () => {
      while (next < flights.length) {
        const batch = flights.slice(next, next + options.batch);
        next += batch.length;
        await call(system, pool, 'predict_delay', { ...featureColumns(batch), path });
      }
    };
    await Promise.all(Array.from({ length: options.callers }, () => caller()));
    const usedMs = mainThreadCpuMs() - cpu;
    return {
      flights: flights.length,
      ms: performance.now() - started,
      cpuMs: usedMs,
    };
  } finally {
    await system.shutdown();
  }
}
