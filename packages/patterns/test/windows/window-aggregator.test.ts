/**
 * Tests of windowed aggregates: tumbling, sliding and session windows, allowed lateness, late
 * events, and snapshots.
 */
import { decode, encode } from '@starweave/actors';
import {
  WindowAggregator,
  type WindowOutput,
  type WindowResult,
  type WindowSnapshot,
} from '@starweave/patterns';
import { describe, expect, it } from 'vitest';

type Ev = { key: string; t: number; v: number };
const ev = (t: number, v: number, key = 'k'): Ev => ({ key, t, v });
const base = { key: (e: Ev) => e.key, timestamp: (e: Ev) => e.t, value: (e: Ev) => e.v };
const windowsOf = (outputs: WindowOutput<Ev>[]) =>
  outputs.filter((o): o is WindowResult => o.type === 'window');

describe('WindowAggregator', () => {
  it('aggregates tumbling windows and fires each at the watermark', () => {
    const aggregator = new WindowAggregator<Ev>({
      ...base,
      window: { type: 'tumbling', sizeMs: 10 },
    });
    aggregator.pushAll([ev(1, 4), ev(5, 6), ev(9, 20), ev(12, 1)]);
    aggregator.advanceWatermark(9);
    expect(aggregator.drain()).toEqual([]);
    aggregator.advanceWatermark(10);
    const [first] = windowsOf(aggregator.drain());
    expect(first).toMatchObject({
      start: 0,
      end: 10,
      count: 3,
      sum: 30,
      mean: 10,
      min: 4,
      max: 20,
      update: false,
    });
    expect(first!.percentiles.p50).toBeCloseTo(6, 0);
  });

  it('puts each event in size / slide sliding windows', () => {
    const aggregator = new WindowAggregator<Ev>({
      ...base,
      window: { type: 'sliding', sizeMs: 10, slideMs: 5 },
    });
    aggregator.push(ev(7, 1));
    aggregator.close();
    expect(windowsOf(aggregator.drain()).map((w) => [w.start, w.end])).toEqual([
      [0, 10],
      [5, 15],
    ]);
  });

  it('merges overlapping sessions and closes them after the gap', () => {
    const aggregator = new WindowAggregator<Ev>({ ...base, window: { type: 'session', gapMs: 5 } });
    aggregator.pushAll([ev(0, 1), ev(8, 1), ev(4, 1), ev(30, 1)]);
    aggregator.close();
    expect(windowsOf(aggregator.drain()).map((w) => [w.start, w.end, w.count])).toEqual([
      [0, 13, 3],
      [30, 35, 1],
    ]);
  });

  it('updates a fired window with a late event within the allowed lateness', () => {
    const aggregator = new WindowAggregator<Ev>({
      ...base,
      window: { type: 'tumbling', sizeMs: 10 },
      allowedLatenessMs: 5,
    });
    aggregator.push(ev(1, 1));
    aggregator.advanceWatermark(12);
    aggregator.push(ev(2, 3));
    aggregator.advanceWatermark(15);
    aggregator.push(ev(3, 5));
    const outputs = aggregator.drain();
    expect(
      outputs.map((o) => (o.type === 'window' ? `${o.count}${o.update ? ' update' : ''}` : o.type)),
    ).toEqual(['1', '2 update', 'late']);
    expect(aggregator.stats()).toMatchObject({ late: 1, updates: 1, windows: 0, keys: 0 });
  });

  it('frees every window once the watermark passes it', () => {
    const aggregator = new WindowAggregator<Ev>({
      ...base,
      window: { type: 'tumbling', sizeMs: 10 },
      emit: () => {},
    });
    for (let t = 0; t < 100_000; t += 1) aggregator.push(ev(t, t % 7, `k${t % 100}`));
    aggregator.advanceWatermark(100_000);
    // Each key gets one event every 100 ms, so each event opens its own 10 ms window.
    expect(aggregator.stats()).toMatchObject({ windows: 0, keys: 0, fired: 100_000 });
  });

  it('restores through the codec and fires as the original would', () => {
    const options = {
      ...base,
      window: { type: 'session', gapMs: 4 } as const,
      allowedLatenessMs: 3,
    };
    const events = Array.from({ length: 400 }, (_, i) =>
      ev(i * 2 + (i % 5 === 0 ? -3 : 0), i % 9, `k${i % 3}`),
    );
    const original = new WindowAggregator<Ev>({ ...options, maxOutOfOrdernessMs: 2 });
    original.pushAll(events);
    original.close();
    const expected = original.drain();

    const first = new WindowAggregator<Ev>({ ...options, maxOutOfOrdernessMs: 2 });
    first.pushAll(events.slice(0, 150));
    const before = first.drain();
    const second = new WindowAggregator<Ev>({ ...options, maxOutOfOrdernessMs: 2 });
    second.restore(decode(encode(first.snapshot())) as WindowSnapshot);
    second.pushAll(events.slice(150));
    second.close();
    expect([...before, ...second.drain()]).toEqual(expected);
  });

  it('rejects a slide longer than the window', () => {
    expect(
      () =>
        new WindowAggregator<Ev>({ ...base, window: { type: 'sliding', sizeMs: 5, slideMs: 10 } }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
