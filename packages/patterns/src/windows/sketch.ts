/**
 * A mergeable quantile sketch with relative error, in the manner of DDSketch: values fall into
 * logarithmic buckets whose bounds grow by a factor gamma = (1 + a) / (1 - a), so a quantile
 * comes back within relative error `a` of a value of that rank. Buckets live in dense arrays,
 * so memory grows with the log of the value range, not with the count.
 */
import { invalidArgument } from '@starweave/actors';

/** Values closer to zero than this are counted as zero. */
const MIN_INDEXABLE = 1e-300;

/**
 * The maximum number of buckets per sign. Past it, the buckets of the smallest magnitudes merge
 * into one (as DDSketch's collapsing store does), so only quantiles among those lose accuracy.
 * With the default 1 % accuracy, 4096 buckets span magnitudes over a factor of about 1e35.
 */
export const MAX_BUCKETS = 4096;

/** Counts per bucket index, stored densely from `offset` on. */
class BucketStore {
  counts: number[] = [];
  offset = 0;

  add(index: number, count: number): void {
    if (this.counts.length === 0) {
      this.offset = index;
      this.counts.push(count);
      return;
    }
    if (index < this.offset) {
      // A bucket below the kept range goes into the lowest one once the store is full.
      if (this.offset + this.counts.length - index > MAX_BUCKETS) {
        this.counts[0]! += count;
        return;
      }
      this.counts = new Array<number>(this.offset - index).fill(0).concat(this.counts);
      this.offset = index;
    }
    const counts = this.counts;
    const position = index - this.offset;
    while (counts.length <= position) counts.push(0);
    counts[position]! += count;
    if (counts.length > MAX_BUCKETS) this.collapse();
  }

  /** Merges the lowest buckets so that at most MAX_BUCKETS remain. */
  private collapse(): void {
    const excess = this.counts.length - MAX_BUCKETS;
    let merged = 0;
    for (let position = 0; position <= excess; position += 1) merged += this.counts[position]!;
    this.counts = this.counts.slice(excess);
    this.counts[0] = merged;
    this.offset += excess;
  }
}

/** The sketch as plain data: accuracy, zero count, [offset, counts] per sign, min and max. */
export type SketchData = [
  relativeAccuracy: number,
  zeroCount: number,
  positive: [offset: number, counts: number[]],
  negative: [offset: number, counts: number[]],
  min: number | null,
  max: number | null,
];

/** A quantile sketch with relative accuracy. */
export class QuantileSketch {
  private readonly logGamma: number;
  private readonly gamma: number;
  private positive = new BucketStore();
  private negative: BucketStore | null = null;
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
      this.positive.add(Math.ceil(Math.log(value) / this.logGamma), 1);
    } else if (value < -MIN_INDEXABLE) {
      this.negative ??= new BucketStore();
      this.negative.add(Math.ceil(Math.log(-value) / this.logGamma), 1);
    } else {
      this.zeroCount += 1;
    }
  }

  /** Adds every value of `other`, which must have the same relative accuracy. */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      invalidArgument('other.relativeAccuracy', `${this.relativeAccuracy}`, other.relativeAccuracy);
    }
    mergeStore(this.positive, other.positive);
    if (other.negative !== null) {
      this.negative ??= new BucketStore();
      mergeStore(this.negative, other.negative);
    }
    this.zeroCount += other.zeroCount;
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Returns the estimated `q`-quantile (0 to 1), or NaN when the sketch is empty. */
  quantile(q: number): number {
    return this.quantiles([q])[0]!;
  }

  /** Returns the estimated quantiles for `qs` (each 0 to 1) in one pass over the buckets. */
  quantiles(qs: readonly number[]): number[] {
    for (const q of qs) if (!(q >= 0 && q <= 1)) invalidArgument('q', 'a number from 0 to 1', q);
    const results = new Array<number>(qs.length).fill(Number.NaN);
    if (this.count === 0) return results;
    const order = qs.map((_, index) => index).sort((left, right) => qs[left]! - qs[right]!);
    let next = 0;
    let seen = 0;
    // Visits the values in increasing order: negatives by decreasing magnitude, zero, positives.
    const visit = (count: number, value: number): boolean => {
      seen += count;
      while (next < order.length && seen > qs[order[next]!]! * (this.count - 1)) {
        results[order[next]!] = this.clamp(value);
        next += 1;
      }
      return next === order.length;
    };

    const negative = this.negative;
    if (negative !== null) {
      for (let position = negative.counts.length - 1; position >= 0; position -= 1) {
        const count = negative.counts[position]!;
        if (count !== 0 && visit(count, -this.bucketValue(negative.offset + position)))
          return results;
      }
    }
    if (this.zeroCount !== 0 && visit(this.zeroCount, 0)) return results;
    const positive = this.positive;
    for (let position = 0; position < positive.counts.length; position += 1) {
      const count = positive.counts[position]!;
      if (count !== 0 && visit(count, this.bucketValue(positive.offset + position))) return results;
    }
    for (; next < order.length; next += 1) results[order[next]!] = this.max;
    return results;
  }

  /** Returns the sketch as plain data. */
  toData(): SketchData {
    const negative = this.negative ?? new BucketStore();
    return [
      this.relativeAccuracy,
      this.zeroCount,
      [this.positive.offset, [...this.positive.counts]],
      [negative.offset, [...negative.counts]],
      this.count === 0 ? null : this.min,
      this.count === 0 ? null : this.max,
    ];
  }

  /** Rebuilds a sketch from `toData()` output. */
  static fromData(data: SketchData): QuantileSketch {
    const [relativeAccuracy, zeroCount, positive, negative, min, max] = data;
    const sketch = new QuantileSketch(relativeAccuracy);
    sketch.zeroCount = zeroCount;
    sketch.positive.offset = positive[0];
    sketch.positive.counts = [...positive[1]];
    if (negative[1].length > 0) {
      sketch.negative = new BucketStore();
      sketch.negative.offset = negative[0];
      sketch.negative.counts = [...negative[1]];
    }
    sketch.count = zeroCount;
    for (const count of positive[1]) sketch.count += count;
    for (const count of negative[1]) sketch.count += count;
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

function mergeStore(into: BucketStore, from: BucketStore): void {
  for (let position = 0; position < from.counts.length; position += 1) {
    const count = from.counts[position]!;
    if (count !== 0) into.add(from.offset + position, count);
  }
}
