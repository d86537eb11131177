/**
 * Tests of WindowStage in real pipelines: its results equal those of a WindowAggregator fed
 * directly, late events follow the late option, and arrival time fires windows on clock ticks.
 */
import { VirtualClock } from '@starweave/actors';
import {
  Watermark,
  WindowAggregator,
  WindowStage,
  type WindowStageOutput,
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

type Output = WindowStageOutput<Reading>;

describe('WindowStage', () => {
  it('emits what a WindowAggregator computes', async () => {
    const system = newSystem();
    const input = readings(500, 3, 11, 40);
    const options = {
      key: (r: Reading) => r.sensor,
      timestamp: (r: Reading) => r.at,
      value: (r: Reading) => r.celsius,
      window: { type: 'sliding', sizeMs: 20, slideMs: 10 } as const,
      allowedLatenessMs: 5,
      maxOutOfOrdernessMs: 5,
    };
    const stage = await WindowStage.start(system, { ...options, late: 'emit' });
    const outputs = await runThrough<Output>(system, stage, input);

    const aggregator = new WindowAggregator(options);
    aggregator.pushAll(input);
    aggregator.close();
    const expected = aggregator.drain();
    expect(expected.filter((o) => o.type === 'window').length).toBeGreaterThan(20);
    expect(expected.some((o) => o.type === 'late')).toBe(true);
    expect(outputs).toEqual(expected);
  });

  it('drops late events by default and counts them', async () => {
    const system = newSystem();
    const stage = await WindowStage.start(system, {
      timestamp: (r: Reading) => r.at,
      value: (r) => r.celsius,
      window: { type: 'tumbling', sizeMs: 10 },
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 5, celsius: 10 },
      { id: 2, sensor: 'a', at: 25, celsius: 20 },
      { id: 3, sensor: 'a', at: 7, celsius: 30 },
    ]);
    await waitUntil(() => received.length === 1);
    await waitUntil(() => system.isIdle());
    expect(received.map((o) => o.type)).toEqual(['window']);
    expect(received[0]).toMatchObject({ start: 0, end: 10, count: 1, sum: 10 });
    expect((await WindowStage.stats(system, stage)).late).toBe(1);
  });

  it('fires windows on a Watermark marker with a manual watermark', async () => {
    const system = newSystem();
    const stage = await WindowStage.start(system, {
      timestamp: (r: Reading) => r.at,
      value: (r) => r.celsius,
      window: { type: 'session', gapMs: 10 },
      watermark: 'manual',
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 0, celsius: 1 },
      { id: 2, sensor: 'a', at: 5, celsius: 3 },
      { id: 3, sensor: 'a', at: 100, celsius: 5 },
    ]);
    await waitUntil(() => system.isIdle());
    expect(received).toEqual([]);
    GenStage.cast(system, pusher, [new Watermark(15)]);
    await waitUntil(() => received.length === 1);
    expect(received[0]).toMatchObject({ start: 0, end: 15, count: 2, mean: 2 });
    await WindowStage.advanceWatermark(system, stage, 110);
    await waitUntil(() => received.length === 2);
    expect(received[1]).toMatchObject({ start: 100, end: 110, count: 1 });
  });

  it('fires arrival-time windows on clock ticks', async () => {
    const clock = new VirtualClock(0);
    const system = newSystem({ clock });
    const stage = await WindowStage.start(system, {
      time: 'arrival',
      tickMs: 100,
      value: (r: Reading) => r.celsius,
      window: { type: 'tumbling', sizeMs: 1_000 },
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    clock.advance(200);
    GenStage.cast(system, pusher, [{ id: 1, sensor: 'a', at: 0, celsius: 4 }]);
    await waitUntil(() => system.isIdle());
    clock.advance(300);
    GenStage.cast(system, pusher, [{ id: 2, sensor: 'a', at: 0, celsius: 8 }]);
    await waitUntil(() => system.isIdle());
    clock.advance(400);
    await waitUntil(() => system.isIdle());
    expect(received).toEqual([]);

    clock.advance(100);
    await waitUntil(() => received.length === 1);
    expect(received[0]).toMatchObject({ start: 0, end: 1_000, count: 2, mean: 6 });
  });

  it('fails in the caller on invalid options', () => {
    const system = newSystem();
    const base = { value: (r: Reading) => r.celsius, window: { type: 'tumbling', sizeMs: 10 } };
    const invalid = [
      { ...base, timestamp: (r: Reading) => r.at, tickMs: 10 },
      { ...base, time: 'event' },
      { ...base, timestamp: (r: Reading) => r.at, window: { type: 'hopping' } },
      { ...base, timestamp: (r: Reading) => r.at, late: 'drop' },
    ];
    for (const options of invalid) {
      expect(() => WindowStage.startLink(system, options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });
});
