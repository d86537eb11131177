/**
 * The delay model through a real Python worker: training on numpy arrays, scores that do not
 * depend on how requests were batched, and a model file that a fresh worker loads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem, silentLogger } from '@starweave/actors';
import { call, PythonWorker } from '@starweave/ml-bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flight } from '../src/data/flight.js';
import { DELAYED_OVER_MINUTES, TRAINING_END } from '../src/detect/calibration.js';
import { HANDLER_PATH } from '../src/scoring/delay-model.js';
import { featureColumns } from '../src/scoring/features.js';
import { jsonSlice } from './fixtures.js';

let system: ActorSystem;
let folder: string;
let modelPath: string;
let flights: Flight[];

const workerOptions = (name: string) => ({
  name,
  handlers: ['flight_model'],
  handlerPaths: [HANDLER_PATH],
  batchByHandler: { predict_delay: { maxBatchSize: 8, maxWaitMs: 20 } },
  defaultTimeoutMs: 60_000,
});

beforeAll(async () => {
  system = new ActorSystem({ logger: silentLogger });
  folder = mkdtempSync(join(tmpdir(), 'delay-model-'));
  modelPath = join(folder, 'model.npz');
  flights = (await jsonSlice()).flights;
}, 60_000);

afterAll(async () => {
  await system.shutdown();
  rmSync(folder, { recursive: true, force: true });
});

function predict(worker: string, batch: readonly Flight[]): Promise<Float64Array> {
  return call<Float64Array>(system, worker, 'predict_delay', {
    ...featureColumns(batch),
    path: modelPath,
  });
}

describe('flight_model through the bridge', () => {
  it('trains and scores probabilities', async () => {
    await PythonWorker.startLink(system, workerOptions('model-a'));
    const january = flights.filter((flight) => flight.time < TRAINING_END);
    const delayed = Int8Array.from(january, (flight) =>
      flight.delay > DELAYED_OVER_MINUTES ? 1 : 0,
    );
    const report = await call<{ rows: number; auc: number }>(
      system,
      'model-a',
      'train_delay_model',
      {
        ...featureColumns(january),
        delayed,
        path: modelPath,
      },
    );
    expect(report.rows).toBe(january.length);
    expect(report.auc).toBeGreaterThan(0.55);

    const scores = await predict('model-a', flights.slice(0, 500));
    expect(scores).toBeInstanceOf(Float64Array);
    expect(scores.length).toBe(500);
    expect(scores.every((score) => score > 0 && score < 1)).toBe(true);
  });

  it('scores independently of batching', async () => {
    const sample = flights.slice(1000, 1600);
    const whole = await predict('model-a', sample);
    const parts = await Promise.all([
      predict('model-a', sample.slice(0, 100)),
      predict('model-a', sample.slice(100, 350)),
      predict('model-a', sample.slice(350)),
    ]);
    expect(Array.from(parts.flatMap((part) => Array.from(part)))).toEqual(Array.from(whole));
  });

  it('loads the saved model in a fresh worker', async () => {
    await PythonWorker.startLink(system, workerOptions('model-b'));
    const sample = flights.slice(5000, 5200);
    expect(Array.from(await predict('model-b', sample))).toEqual(
      Array.from(await predict('model-a', sample)),
    );
  });

  it('rejects a missing column', async () => {
    await expect(
      call(system, 'model-a', 'predict_delay', { hour: new Int8Array(1), path: modelPath }),
    ).rejects.toMatchObject({ code: 'ERR_REMOTE' });
  });
});
