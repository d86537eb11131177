/**
 * Windowed aggregates per key in event time: tumbling, sliding and session windows with count,
 * sum, mean, min, max and percentiles (from a quantile sketch). A window fires once the
 * watermark reaches its end. Events that arrive after that but within the allowed lateness
 * update it and fire it again, and later ones go to the late output. State is freed when the
 * lateness ends.
 */
import { invalidArgument } from '@starweave/actors';
import type { CepKey } from '../cep/types.js';
import {
  checkFunction,
  checkNonNegative,
  checkOneOf,
  checkPositive,
  checkTime,
} from '../internal/check.js';
import { TimerHeap } from '../internal/heap.js';
import { QuantileSketch, type SketchData } from './sketch.js';

/** The grouping of events into windows. */
export type WindowSpec =
  /** Fixed, non-overlapping windows of `sizeMs`, aligned to `offsetMs` (default 0). */
  | { type: 'tumbling'; sizeMs: number; offsetMs?: number }
  /** Windows of `sizeMs` starting every `slideMs`; an event falls in size / slide of them. */
  | { type: 'sliding'; sizeMs: number; slideMs: number }
  /** Windows that close after `gapMs` without an event; overlapping sessions merge. */
  | { type: 'session'; gapMs: number };

/** The aggregates of one window of one key. */
export interface WindowResult {
  readonly type: 'window';
  readonly key: CepKey;
  /** Start of the window (inclusive), in milliseconds. */
  readonly start: number;
  /** End of the window (exclusive); for a session, its last event plus the gap. */
  readonly end: number;
  readonly count: number;
  readonly sum: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Estimated percentiles by name (`p50`, `p99`, `p99.9`). */
  readonly percentiles: Readonly<Record<string, number>>;
  /** True when a late event updated a window that had already fired. */
  readonly update: boolean;
}

/** An event that arrived after every window it belongs to was freed. */
export interface WindowLate<E> {
  readonly type: 'late';
  readonly key: CepKey;
  readonly event: E;
  readonly timestamp: number;
  readonly watermark: number;
}

/** Everything a window aggregator emits. */
export type WindowOutput<E> = WindowResult | WindowLate<E>;

/** Options of {@link WindowAggregator}. */
export interface WindowAggregatorOptions<E> {
  /** Returns the key of an event (default: one key, `''`). */
  key?: (event: E) => CepKey;
  /** Returns the event time in milliseconds. */
  timestamp: (event: E) => number;
  /** Returns the number to aggregate. */
  value: (event: E) => number;
  window: WindowSpec;
  /** How long after a window's end late events still update it (default 0). */
  allowedLatenessMs?: number;
  /** Quantiles to report, each from 0 to 1 (default [0.5, 0.9, 0.99]). */
  percentiles?: readonly number[];
  /** Relative accuracy of the percentiles (default 0.01). */
  relativeAccuracy?: number;
  /** Moves the watermark to the largest timestamp seen minus this bound after each event. */
  maxOutOfOrdernessMs?: number;
  /** Receives every output; without it, outputs queue until `drain()`. */
  emit?: (output: WindowOutput<E>) => void;
}

/** Counters of a window aggregator. */
export interface WindowStats {
  events: number;
  late: number;
  fired: number;
  updates: number;
  /** Windows alive now, fired or not. */
  windows: number;
  keys: number;
}

class Window {
  count = 0;
  sum = 0;
  fired = false;
  removed = false;

  constructor(
    readonly key: KeyWindows,
    public start: number,
    public end: number,
    readonly seq: number,
    public sketch: QuantileSketch,
  ) {}
}

class KeyWindows {
  /** The key's windows in start order; a short array beats a map for the few a key has. */
  windows: Window[] = [];
  constructor(readonly key: CepKey) {}
}

/** One window as plain data. */
export type WindowData = [
  start: number,
  end: number,
  seq: number,
  count: number,
  sum: number,
  fired: boolean,
  sketch: SketchData,
];

/** The state of a window aggregator as plain data. */
export interface WindowSnapshot {
  format: 'starweave.windows';
  version: 1;
  watermark: number | null;
  maxSeen: number | null;
  seq: number;
  stats: Record<string, number>;
  keys: [key: CepKey, windows: WindowData[]][];
}

const percentileName = (q: number) => `p${Number((q * 100).toFixed(4))}`;

/**
 * Aggregates a keyed stream over windows in event time.
 *
 * @example
 * ```ts
 * import { WindowAggregator } from '@starweave/patterns';
 *
 * type Flight = { airport: string; at: number; delay: number };
 * const windows = new WindowAggregator<Flight>({
 *   key: (f) => f.airport,
 *   timestamp: (f) => f.at,
 *   value: (f) => f.delay,
 *   window: { type: 'tumbling', sizeMs: 3_600_000 },
 * });
 * windows.push({ airport: 'ORD', at: 60_000, delay: 12 });
 * windows.push({ airport: 'ORD', at: 120_000, delay: 30 });
 * windows.advanceWatermark(3_600_000);
 * const [result] = windows.drain();
 * console.assert(result?.type === 'window' && result.mean === 21);
 * ```
 */
export class WindowAggregator<E> {
  private readonly keyOf: (event: E) => CepKey;
  private readonly timestampOf: (event: E) => number;
  private readonly valueOf: (event: E) => number;
  private readonly spec: WindowSpec;
  private readonly lateness: number;
  private readonly quantiles: readonly number[];
  private readonly percentileNames: readonly string[];
  private readonly accuracy: number;
  private readonly outOfOrderness: number | null;
  private readonly emitOutput: (output: WindowOutput<E>) => void;
  private readonly queue: WindowOutput<E>[] = [];
  private readonly timers = new TimerHeap<Window>();
  private keys = new Map<CepKey, KeyWindows>();
  private watermark = Number.NEGATIVE_INFINITY;
  private maxSeen = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private readonly counters = { events: 0, late: 0, fired: 0, updates: 0, windows: 0 };

  constructor(options: WindowAggregatorOptions<E>) {
    this.keyOf = options.key === undefined ? () => '' : checkFunction('options.key', options.key);
    this.timestampOf = checkFunction('options.timestamp', options.timestamp);
    this.valueOf = checkFunction('options.value', options.value);
    this.spec = checkSpec(options.window);
    this.lateness = checkNonNegative('options.allowedLatenessMs', options.allowedLatenessMs ?? 0);
    this.quantiles = options.percentiles ?? [0.5, 0.9, 0.99];
    for (const q of this.quantiles) {
      if (!(q >= 0 && q <= 1)) invalidArgument('options.percentiles', 'numbers from 0 to 1', q);
    }
    this.percentileNames = this.quantiles.map(percentileName);
    this.accuracy = options.relativeAccuracy ?? 0.01;
    // Builds a throwaway sketch so that an invalid accuracy fails here rather than on the first event.
    new QuantileSketch(this.accuracy);
    this.outOfOrderness =
      options.maxOutOfOrdernessMs === undefined
        ? null
        : checkNonNegative('options.maxOutOfOrdernessMs', options.maxOutOfOrdernessMs);
    const emit = options.emit === undefined ? null : checkFunction('options.emit', options.emit);
    this.emitOutput = emit ?? ((output) => this.queue.push(output));
  }

  /** Adds one event to every window it falls in. */
  push(event: E): void {
    this.counters.events += 1;
    const time = checkTime('timestamp', this.timestampOf(event));
    const value = this.valueOf(event);
    if (typeof value !== 'number' || Number.isNaN(value))
      invalidArgument('value', 'a number', value);
    const key = this.keyOf(event);
    let keyWindows = this.keys.get(key);
    if (keyWindows === undefined) {
      keyWindows = new KeyWindows(key);
      this.keys.set(key, keyWindows);
    }

    const accepted =
      this.spec.type === 'session'
        ? this.addToSession(keyWindows, time, value)
        : this.addToAligned(keyWindows, time, value);
    if (!accepted) {
      this.counters.late += 1;
      this.emitOutput({ type: 'late', key, event, timestamp: time, watermark: this.watermark });
      this.forgetIfEmpty(keyWindows);
    }

    if (time > this.maxSeen) this.maxSeen = time;
    if (this.outOfOrderness !== null) {
      const watermark = this.maxSeen - this.outOfOrderness;
      if (watermark > this.watermark) this.advanceWatermark(watermark);
    }
  }

  /** Feeds every event of `events`, in order. */
  pushAll(events: Iterable<E>): void {
    for (const event of events) this.push(event);
  }

  /** Fires the windows that end at or before `time` and frees those past their lateness. */
  advanceWatermark(time: number): void {
    if (typeof time !== 'number' || Number.isNaN(time))
      invalidArgument('time', 'a number of milliseconds', time);
    if (time <= this.watermark) return;
    this.watermark = time;
    const timers = this.timers;
    while (timers.size !== 0 && timers.peekTime() <= time) {
      const entryTime = timers.peekTime();
      const purge = (timers.peekTiebreak() & 1) === 1;
      const window = timers.popTarget();
      if (window.removed) continue;
      if (!purge) {
        if (window.fired || entryTime !== window.end) continue;
        window.fired = true;
        this.counters.fired += 1;
        this.emitOutput(this.result(window, false));
        this.timers.push(window.end + this.lateness, window, window.seq * 2 + 1);
      } else if (entryTime === window.end + this.lateness && window.fired) {
        this.remove(window);
      }
    }
  }

  /** Fires every open window, as if the watermark reached infinity. */
  close(): void {
    this.advanceWatermark(Number.POSITIVE_INFINITY);
  }

  /** Returns and clears the queued outputs (when no `emit` was given). */
  drain(): WindowOutput<E>[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Returns the aggregator's counters. */
  stats(): WindowStats {
    return { ...this.counters, keys: this.keys.size };
  }

  /** Returns the aggregator's state as plain data. */
  snapshot(): WindowSnapshot {
    const keys: WindowSnapshot['keys'] = [];
    for (const keyWindows of this.keys.values()) {
      const windows = keyWindows.windows;
      keys.push([
        keyWindows.key,
        windows.map((w) => [w.start, w.end, w.seq, w.count, w.sum, w.fired, w.sketch.toData()]),
      ]);
    }
    return {
      format: 'starweave.windows',
      version: 1,
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      maxSeen: Number.isFinite(this.maxSeen) ? this.maxSeen : null,
      seq: this.seq,
      stats: { ...this.counters },
      keys,
    };
  }

  /** Replaces the state with one from `snapshot()` of an aggregator with the same options. */
  restore(snapshot: WindowSnapshot): void {
    if (snapshot?.format !== 'starweave.windows' || snapshot.version !== 1) {
      invalidArgument('snapshot', 'a version 1 window aggregator snapshot', snapshot?.format);
    }
    this.watermark = snapshot.watermark ?? Number.NEGATIVE_INFINITY;
    this.maxSeen = snapshot.maxSeen ?? Number.NEGATIVE_INFINITY;
    this.seq = snapshot.seq;
    Object.assign(this.counters, snapshot.stats);
    this.keys = new Map();
    this.timers.clear();
    for (const [key, windows] of snapshot.keys) {
      const keyWindows = new KeyWindows(key);
      for (const [start, end, seq, count, sum, fired, sketch] of windows) {
        const window = new Window(keyWindows, start, end, seq, QuantileSketch.fromData(sketch));
        window.count = count;
        window.sum = sum;
        window.fired = fired;
        keyWindows.windows.push(window);
        this.schedule(window);
      }
      this.keys.set(key, keyWindows);
    }
  }

  private addToAligned(keyWindows: KeyWindows, time: number, value: number): boolean {
    const spec = this.spec as Exclude<WindowSpec, { type: 'session' }>;
    const size = spec.sizeMs;
    const slide = spec.type === 'sliding' ? spec.slideMs : size;
    const offset = spec.type === 'tumbling' ? (spec.offsetMs ?? 0) : 0;
    const lastStart = Math.floor((time - offset) / slide) * slide + offset;
    let accepted = false;
    for (let start = lastStart; start > time - size; start -= slide) {
      const end = start + size;
      let window = findByStart(keyWindows.windows, start);
      if (window === undefined) {
        if (end + this.lateness <= this.watermark) continue;
        window = new Window(keyWindows, start, end, this.seq, new QuantileSketch(this.accuracy));
        this.seq += 1;
        this.counters.windows += 1;
        insertByStart(keyWindows.windows, window);
        this.schedule(window);
      }
      this.addValue(window, value);
      accepted = true;
    }
    return accepted;
  }

  private addToSession(keyWindows: KeyWindows, time: number, value: number): boolean {
    const gap = (this.spec as { gapMs: number }).gapMs;
    let start = time;
    let end = time + gap;
    const overlapping = keyWindows.windows.filter((w) => w.start < end && start < w.end);
    if (overlapping.length === 0 && end + this.lateness <= this.watermark) return false;

    let window: Window;
    if (overlapping.length === 0) {
      window = new Window(keyWindows, start, end, this.seq, new QuantileSketch(this.accuracy));
      this.seq += 1;
      this.counters.windows += 1;
      insertByStart(keyWindows.windows, window);
      this.schedule(window);
    } else {
      window = overlapping[0]!;
      for (const other of overlapping.slice(1)) {
        window.count += other.count;
        window.sum += other.sum;
        window.sketch.merge(other.sketch);
        window.fired ||= other.fired;
        start = Math.min(start, other.start);
        end = Math.max(end, other.end);
        this.remove(other);
      }
      window.start = Math.min(window.start, start);
      const grew = Math.max(window.end, end) !== window.end;
      window.end = Math.max(window.end, end);
      keyWindows.windows.sort((a, b) => a.start - b.start);
      if (grew && window.fired && window.end > this.watermark) window.fired = false;
      if (grew) this.schedule(window);
    }
    this.addValue(window, value);
    return true;
  }

  private addValue(window: Window, value: number): void {
    window.count += 1;
    window.sum += value;
    window.sketch.add(value);
    if (window.fired) {
      this.counters.updates += 1;
      this.emitOutput(this.result(window, true));
    }
  }

  private schedule(window: Window): void {
    if (window.fired) this.timers.push(window.end + this.lateness, window, window.seq * 2 + 1);
    else this.timers.push(window.end, window, window.seq * 2);
  }

  private remove(window: Window): void {
    window.removed = true;
    this.counters.windows -= 1;
    const keyWindows = window.key;
    const index = keyWindows.windows.indexOf(window);
    if (index >= 0) keyWindows.windows.splice(index, 1);
    this.forgetIfEmpty(keyWindows);
  }

  private forgetIfEmpty(keyWindows: KeyWindows): void {
    if (keyWindows.windows.length === 0) this.keys.delete(keyWindows.key);
  }

  private result(window: Window, update: boolean): WindowResult {
    const percentiles: Record<string, number> = {};
    const values = window.sketch.quantiles(this.quantiles);
    this.percentileNames.forEach((name, index) => {
      percentiles[name] = values[index]!;
    });
    return {
      type: 'window',
      key: window.key.key,
      start: window.start,
      end: window.end,
      count: window.count,
      sum: window.sum,
      mean: window.sum / window.count,
      min: window.sketch.min,
      max: window.sketch.max,
      percentiles,
      update,
    };
  }
}

function findByStart(windows: readonly Window[], start: number): Window | undefined {
  for (let index = 0; index < windows.length; index += 1) {
    if (windows[index]!.start === start) return windows[index];
  }
  return undefined;
}

function insertByStart(windows: Window[], window: Window): void {
  let index = windows.length;
  while (index > 0 && windows[index - 1]!.start > window.start) index -= 1;
  windows.splice(index, 0, window);
}

function checkSpec(spec: WindowSpec): WindowSpec {
  const type = checkOneOf('options.window.type', (spec as WindowSpec | undefined)?.type, [
    'tumbling',
    'sliding',
    'session',
  ]);
  if (type === 'tumbling') {
    const tumbling = spec as { sizeMs: number; offsetMs?: number };
    checkPositive('options.window.sizeMs', tumbling.sizeMs);
    if (tumbling.offsetMs !== undefined)
      checkNonNegative('options.window.offsetMs', tumbling.offsetMs);
  } else if (type === 'sliding') {
    const sliding = spec as { sizeMs: number; slideMs: number };
    checkPositive('options.window.sizeMs', sliding.sizeMs);
    checkPositive('options.window.slideMs', sliding.slideMs);
    if (sliding.slideMs > sliding.sizeMs) {
      invalidArgument(
        'options.window.slideMs',
        `at most sizeMs (${sliding.sizeMs})`,
        sliding.slideMs,
      );
    }
  } else {
    checkPositive('options.window.gapMs', (spec as { gapMs: number }).gapMs);
  }
  return spec;
}
