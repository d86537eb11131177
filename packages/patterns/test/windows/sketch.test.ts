/**
 * Tests of the quantile sketch: relative accuracy against exact quantiles, merging, plain data.
 */

import { MAX_BUCKETS, QuantileSketch } from '@starweave/patterns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('QuantileSketch', () => {
  it('stays within its relative accuracy of the exact quantile (seed 42)', () => {
    fc.assert(
      fc.property(
        // Magnitudes from 1e-6 to 1e6 fit in the bucket cap, so no bucket collapses.
        fc.array(
          fc.oneof(
            fc.constant(0),
            fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
            fc.double({ min: -1e6, max: -1e-6, noNaN: true }),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        fc.constantFrom(0, 0.1, 0.5, 0.9, 0.99, 1),
        (values, q) => {
          const sketch = new QuantileSketch(0.01);
          for (const value of values) sketch.add(value);
          const exact = exactQuantile(
            [...values].sort((a, b) => a - b),
            q,
          );
          const estimate = sketch.quantile(q);
          expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(Math.abs(exact) * 0.01 + 1e-9);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('merges two sketches into the sketch of all values', () => {
    const left = new QuantileSketch();
    const right = new QuantileSketch();
    const all = new QuantileSketch();
    for (let value = 1; value <= 1000; value += 1) {
      (value % 2 === 0 ? left : right).add(value);
      all.add(value);
    }
    left.merge(right);
    expect(left.count).toBe(1000);
    expect(left.quantile(0.5)).toBe(all.quantile(0.5));
    expect(left.quantile(0.99)).toBe(all.quantile(0.99));
  });

  it('survives a round trip through plain data', () => {
    const sketch = new QuantileSketch(0.02);
    for (const value of [-5, 0, 3, 3, 400]) sketch.add(value);
    const copy = QuantileSketch.fromData(sketch.toData());
    expect(copy.quantile(0.5)).toBe(sketch.quantile(0.5));
    expect(copy.count).toBe(5);
    expect(copy.min).toBe(-5);
  });

  it('merges the smallest buckets past the bucket cap and keeps the large quantiles', () => {
    const sketch = new QuantileSketch(0.01);
    sketch.add(1e-200);
    for (let value = 1; value <= 100; value += 1) sketch.add(value);
    // The smallest value went into the lowest kept bucket, far above it but far below 1.
    expect(sketch.quantile(0)).toBeGreaterThan(1e-200);
    expect(sketch.quantile(0)).toBeLessThan(1e-30);
    expect(Math.abs(sketch.quantile(0.5) - 50) / 50).toBeLessThanOrEqual(0.01);
    expect(sketch.toData()[2][1].length).toBeLessThanOrEqual(MAX_BUCKETS);
  });

  it('computes several quantiles in one pass as one at a time', () => {
    const sketch = new QuantileSketch();
    for (let value = -50; value <= 500; value += 3) sketch.add(value);
    const qs = [0.99, 0.1, 0.5, 0];
    expect(sketch.quantiles(qs)).toEqual(qs.map((q) => sketch.quantile(q)));
  });

  it('returns NaN for an empty sketch and rejects a bad accuracy', () => {
    expect(new QuantileSketch().quantile(0.5)).toBeNaN();
    expect(() => new QuantileSketch(1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
