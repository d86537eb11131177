/**
 * Tests of DetectorStage in real pipelines: it flags what the detectors flag when fed
 * directly, with shared key and timestamp functions, and counts what it saw.
 */
import {
  type Anomaly,
  DetectorStage,
  EwmaDetector,
  RateOfChangeDetector,
} from '@starweave/patterns';
import { GenStage } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  pushPipeline,
  type Reading,
  readings,
  runThrough,
  useSystems,
  waitUntil,
} from './helpers.js';

const newSystem = useSystems();

describe('DetectorStage', () => {
  it('flags what the detectors flag when fed directly', async () => {
    const system = newSystem();
    const input = readings(800, 3, 5);
    const key = (r: Reading) => r.sensor;
    const timestamp = (r: Reading) => r.at;
    const value = (r: Reading) => r.celsius;
    const stage = await DetectorStage.start(system, {
      key,
      timestamp,
      detectors: [
        { type: 'ewma', value, threshold: 1.5, warmup: 5 },
        { type: 'rateOfChange', value, maxRatePerSecond: 20_000, direction: 'up' },
      ],
    });
    const outputs = await runThrough<Anomaly<Reading>>(system, stage, input);

    const expected: Anomaly<Reading>[] = [];
    const emit = (anomaly: Anomaly<Reading>) => expected.push(anomaly);
    const ewma = new EwmaDetector({ key, timestamp, value, threshold: 1.5, warmup: 5, emit });
    const rate = new RateOfChangeDetector({
      key,
      timestamp,
      value,
      maxRatePerSecond: 20_000,
      direction: 'up',
      emit,
    });
    for (const reading of input) {
      ewma.push(reading);
      rate.push(reading);
    }
    expect(expected.filter((a) => a.detector === 'ewma').length).toBeGreaterThan(5);
    expect(expected.filter((a) => a.detector === 'rateOfChange').length).toBeGreaterThan(5);
    expect(outputs).toEqual(expected);
  });

  it('reports its counters', async () => {
    const system = newSystem();
    const stage = await DetectorStage.start(system, {
      detectors: [{ type: 'rateOfChange', value: (n: number) => n, maxRatePerSecond: 5 }],
    });
    const { pusher, received } = await pushPipeline<Anomaly<number>>(system, stage);
    GenStage.cast(system, pusher, [1, 2, 30, 31]);
    await waitUntil(() => received.length === 1);
    // Without a timestamp function, arrivals are one second apart: 2 to 30 is 28 per second.
    expect(received[0]).toMatchObject({ value: 30, score: 28, expected: 2 });
    await waitUntil(() => system.isIdle());
    expect(await DetectorStage.stats(system, stage)).toEqual({
      events: 4,
      anomalies: 1,
      outOfOrder: 0,
    });
  });

  it('fails in the caller on invalid detectors', () => {
    const system = newSystem();
    const invalid = [
      { detectors: [] },
      { detectors: [{ type: 'median', value: (n: number) => n }] },
      { detectors: [{ type: 'ewma' }] },
      { detectors: [{ type: 'ewma', value: (n: number) => n, alpha: 2 }] },
    ];
    for (const options of invalid) {
      expect(() => DetectorStage.startLink(system, options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });
});
