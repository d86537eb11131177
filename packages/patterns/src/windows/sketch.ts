/**
 * A mergeable quantile sketch with relative error, in the manner of DDSketch: values fall into
 * logarithmic buckets whose bounds grow by a factor gamma = (1 + a) / (1 - a), so any quantile
 * comes back within relative error `a` of a value of that rank. Memory grows with the log of
 * the value range, not with the count.
 */
import { invalidArgument } from '@starweave/actors';

/** Values closer to zero than this are counted as zero. */
const MIN_INDEXABLE = 1e-300;

/** The sketch as plain data: accuracy, zero count, and [bucket index, count] pairs per sign. */
export type SketchData = [
  relativeAccuracy: number,
  zeroCount: number,
  positive: [number, number][],
  negative: [number, number][],
  min: number | null,
  max: number | null,
];

/** A quantile sketch with relative accuracy. */
export class QuantileSketch {
  private readonly logGamma: number;
  private readonly gamma: number;
  private positive = new Map<number, number>();
  private negative = new Map<number, number>();
  private zeroCount = 0;
  /** The number of values added. */
  count = 0;
  /** The smallest value added; Infinity when empty. */
  min = Number.POSITIVE_INFINITY;
  /** The largest value added; -Infinity when empty. */
  max = Number.NEGATIVE_INFINITY;

  /** Creates a sketch whose quantiles are within `relativeAccuracy` (default 1 %). */
  constructor(readonly relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      invalidArgument('relativeAccuracy', 'a number between 0 and 1 (exclusive)', relativeAccuracy);
    }
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  /** Adds one value. */
  add(value: number): void {
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value > MIN_INDEXABLE) {
      const index = Math.ceil(Math.log(value) / this.logGamma);
      this.positive.set(index, (this.positive.get(index) ?? 0) + 1);
    } else if (value < -MIN_INDEXABLE) {
      const index = Math.ceil(Math.log(-value) / this.logGamma);
      this.negative.set(index, (this.negative.get(index) ?? 0) + 1);
    } else {
      this.zeroCount += 1;
    }
  }

  /** Adds every value of `other`, which must have the same relative accuracy. */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      invalidArgument('other.relativeAccuracy', `${this.relativeAccuracy}`, other.relativeAccuracy);
    }
    for (const [index, count] of other.positive)
      this.positive.set(index, (this.positive.get(index) ?? 0) + count);
    for (const [index, count] of other.negative)
      this.negative.set(index, (this.negative.get(index) ?? 0) + count);
    this.zeroCount += other.zeroCount;
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Returns the estimated `q`-quantile (0 to 1), or NaN when the sketch is empty. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) invalidArgument('q', 'a number from 0 to 1', q);
    if (this.count === 0) return Number.NaN;
    const rank = q * (this.count - 1);
    let seen = 0;

    const negatives = [...this.negative.keys()].sort((a, b) => b - a);
    for (const index of negatives) {
      seen += this.negative.get(index)!;
      if (seen > rank) return this.clamp(-this.bucketValue(index));
    }
    seen += this.zeroCount;
    if (seen > rank) return this.clamp(0);
    const positives = [...this.positive.keys()].sort((a, b) => a - b);
    for (const index of positives) {
      seen += this.positive.get(index)!;
      if (seen > rank) return this.clamp(this.bucketValue(index));
    }
    return this.max;
  }

  /** Returns the sketch as plain data. */
  toData(): SketchData {
    return [
      this.relativeAccuracy,
      this.zeroCount,
      [...this.positive.entries()],
      [...this.negative.entries()],
      this.count === 0 ? null : this.min,
      this.count === 0 ? null : this.max,
    ];
  }

  /** Rebuilds a sketch from `toData()` output. */
  static fromData(data: SketchData): QuantileSketch {
    const [relativeAccuracy, zeroCount, positive, negative, min, max] = data;
    const sketch = new QuantileSketch(relativeAccuracy);
    sketch.zeroCount = zeroCount;
    sketch.positive = new Map(positive);
    sketch.negative = new Map(negative);
    sketch.count = zeroCount;
    for (const [, count] of positive) sketch.count += count;
    for (const [, count] of negative) sketch.count += count;
    sketch.min = min ?? Number.POSITIVE_INFINITY;
    sketch.max = max ?? Number.NEGATIVE_INFINITY;
    return sketch;
  }

  /** Returns the value that represents bucket `index` within the relative accuracy. */
  private bucketValue(index: number): number {
    return (2 * this.gamma ** index) / (this.gamma + 1);
  }

  private clamp(value: number): number {
    return Math.min(this.max, Math.max(this.min, value));
  }
}
