/**
 * Tests of the online detectors: EWMA z-score and rate of change, per key, with snapshots.
 */
import { decode, encode } from '@starweave/actors';
import {
  EwmaDetector,
  type EwmaSnapshot,
  RateOfChangeDetector,
  type RateOfChangeSnapshot,
} from '@starweave/patterns';
import { describe, expect, it } from 'vitest';

type Reading = { host: string; t: number; v: number };

describe('EwmaDetector', () => {
  const noisy = (host: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ host, t: i, v: 100 + ((i * 37) % 11) - 5 }));

  it('flags a spike and not the noise around it', () => {
    const detector = new EwmaDetector<Reading>({
      key: (r) => r.host,
      value: (r) => r.v,
      timestamp: (r) => r.t,
      threshold: 4,
    });
    detector.pushAll([...noisy('a', 50), { host: 'a', t: 50, v: 160 }]);
    const anomalies = detector.drain();
    expect(anomalies.map((a) => a.value)).toEqual([160]);
    expect(anomalies[0]).toMatchObject({
      type: 'anomaly',
      detector: 'ewma',
      key: 'a',
      timestamp: 50,
    });
    expect(anomalies[0]!.score).toBeGreaterThanOrEqual(4);
  });

  it('keeps the statistics of each key apart', () => {
    const detector = new EwmaDetector<Reading>({ key: (r) => r.host, value: (r) => r.v });
    detector.pushAll([...noisy('a', 30), ...noisy('b', 30).map((r) => ({ ...r, v: r.v * 10 }))]);
    expect(detector.statistics('a')!.mean).toBeLessThan(110);
    expect(detector.statistics('b')!.mean).toBeGreaterThan(900);
  });

  it('does not flag during warm-up', () => {
    const detector = new EwmaDetector<Reading>({ value: (r) => r.v, warmup: 10 });
    detector.pushAll([
      { host: 'a', t: 0, v: 1 },
      { host: 'a', t: 1, v: 1000 },
    ]);
    expect(detector.drain()).toEqual([]);
  });

  it('restores through the codec and scores as the original would', () => {
    const events = [...noisy('a', 40), { host: 'a', t: 40, v: 300 }, ...noisy('a', 5)];
    const original = new EwmaDetector<Reading>({ value: (r) => r.v });
    original.pushAll(events);
    const first = new EwmaDetector<Reading>({ value: (r) => r.v });
    first.pushAll(events.slice(0, 20));
    const second = new EwmaDetector<Reading>({ value: (r) => r.v });
    second.restore(decode(encode(first.snapshot())) as EwmaSnapshot);
    second.pushAll(events.slice(20));
    expect([...first.drain(), ...second.drain()]).toEqual(original.drain());
  });

  it('rejects an alpha outside (0, 1]', () => {
    expect(() => new EwmaDetector<Reading>({ value: (r) => r.v, alpha: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('RateOfChangeDetector', () => {
  it('flags a change faster than the bound per second', () => {
    const detector = new RateOfChangeDetector<Reading>({
      key: (r) => r.host,
      value: (r) => r.v,
      timestamp: (r) => r.t,
      maxRatePerSecond: 5,
    });
    detector.pushAll([
      { host: 'a', t: 0, v: 10 },
      { host: 'a', t: 1000, v: 14 },
      { host: 'b', t: 1000, v: 0 },
      { host: 'a', t: 1500, v: 20 },
    ]);
    const anomalies = detector.drain();
    expect(anomalies.map((a) => [a.key, a.score])).toEqual([['a', 12]]);
    expect(anomalies[0]).toMatchObject({ expected: 14, spread: 500 });
  });

  it('watches one direction when asked', () => {
    const detector = new RateOfChangeDetector<Reading>({
      value: (r) => r.v,
      timestamp: (r) => r.t,
      maxRatePerSecond: 1,
      direction: 'down',
    });
    detector.pushAll([
      { host: 'a', t: 0, v: 0 },
      { host: 'a', t: 1000, v: 50 },
      { host: 'a', t: 2000, v: 0 },
    ]);
    expect(detector.drain().map((a) => a.score)).toEqual([-50]);
  });

  it('skips and counts a value that is not later than the previous one', () => {
    const detector = new RateOfChangeDetector<Reading>({
      value: (r) => r.v,
      timestamp: (r) => r.t,
      maxRatePerSecond: 1,
    });
    detector.pushAll([
      { host: 'a', t: 10, v: 0 },
      { host: 'a', t: 10, v: 100 },
    ]);
    expect(detector.drain()).toEqual([]);
    expect(detector.outOfOrderCount()).toBe(1);
  });

  it('restores through the codec', () => {
    const first = new RateOfChangeDetector<Reading>({
      value: (r) => r.v,
      timestamp: (r) => r.t,
      maxRatePerSecond: 1,
    });
    first.push({ host: 'a', t: 0, v: 0 });
    const second = new RateOfChangeDetector<Reading>({
      value: (r) => r.v,
      timestamp: (r) => r.t,
      maxRatePerSecond: 1,
    });
    second.restore(decode(encode(first.snapshot())) as RateOfChangeSnapshot);
    second.push({ host: 'a', t: 1000, v: 10 });
    expect(second.drain().map((a) => a.score)).toEqual([10]);
  });
});
