/**
 * The incremental CEP engine. It partitions events by key and orders them by event time behind
 * a watermark (or takes them in arrival order). It runs the automaton per key, fires window
 * deadlines from one timer heap, and emits matches, timed-out partial matches and late events.
 * Its whole state can be saved as plain data and restored.
 */
import { invalidArgument, StarweaveError } from '@starweave/actors';
import {
  checkFunction,
  checkInteger,
  checkNonNegative,
  checkOneOf,
  checkTime,
} from '../internal/check.js';
import { TimerHeap } from '../internal/heap.js';
import {
  Automaton,
  type Completion,
  KeyState,
  type OverflowPolicy,
  type Run,
} from './automaton.js';
import { Materializer } from './buffer.js';
import { type CompiledPattern, compilePattern } from './compile.js';
import type { NoBindings, Pattern } from './pattern.js';
import { type CepSnapshot, readSnapshot, writeSnapshot } from './snapshot.js';
import type { CepKey, CepOutput, CepStats } from './types.js';

/** Default of `maxPartialMatchesPerKey`. */
export const DEFAULT_MAX_PARTIAL_MATCHES_PER_KEY = 10_000;

/** Options of {@link CepEngine}. */
export interface CepEngineOptions<E, B> {
  /** Returns the key of an event; partial matches never mix keys. Default: one key, `''`. */
  key?: (event: E) => CepKey;
  /** Returns the event time of an event in milliseconds. Required for `time: 'event'`. */
  timestamp?: (event: E) => number;
  /**
   * `'event'` (the default when `timestamp` is given) buffers events and processes them in
   * event-time order as the watermark passes them. `'arrival'` processes each event at once, at
   * its timestamp (never earlier than the last one) or, without `timestamp`, at `clock.now()`.
   */
  time?: 'event' | 'arrival';
  /**
   * Event time only: moves the watermark to the largest timestamp seen minus this bound after
   * each event. Without it, call `advanceWatermark`.
   */
  maxOutOfOrdernessMs?: number;
  /** The maximum number of partial matches per key (default 10 000). */
  maxPartialMatchesPerKey?: number;
  /**
   * The policy for a key at the cap. `'dropOldest'` (the default) discards the partial matches
   * with the earliest first event, and `'rejectNew'` discards the ones the current event
   * created. Either way the discarded ones are counted in `droppedByCap`.
   */
  overflow?: OverflowPolicy;
  /** Receives every output. Without it, outputs queue until `drain()`. */
  emit?: (output: CepOutput<E, B>) => void;
  /** The clock of arrival time without `timestamp` (default `Date.now`). */
  clock?: { now(): number };
}

const defaultKey = (): CepKey => '';

/**
 * Runs a pattern over a stream, one event at a time.
 *
 * @example
 * ```ts
 * import { CepEngine, Pattern } from '@starweave/patterns';
 *
 * type Login = { user: string; at: number; ok: boolean };
 * const bruteForce = Pattern.begin('failed', (l: Login) => !l.ok).times(3).consecutive()
 *   .next('success', (l) => l.ok)
 *   .within(60_000);
 * const engine = new CepEngine(bruteForce, { key: (l) => l.user, timestamp: (l) => l.at });
 * for (const at of [0, 1_000, 2_000]) engine.push({ user: 'ann', at, ok: false });
 * engine.push({ user: 'ann', at: 3_000, ok: true });
 * engine.advanceWatermark(3_000);
 * console.assert(engine.drain()[0]?.type === 'match');
 * ```
 */
export class CepEngine<E, B extends object = NoBindings> {
  private readonly compiled: CompiledPattern;
  private readonly automaton: Automaton;
  private readonly keyOf: (event: E) => CepKey;
  private readonly timestampOf: ((event: E) => number) | null;
  private readonly mode: 'event' | 'arrival';
  private readonly outOfOrderness: number | null;
  private readonly clock: { now(): number };
  private readonly emitOutput: (output: CepOutput<E, B>) => void;
  private readonly queue: CepOutput<E, B>[] = [];
  private readonly timers = new TimerHeap<KeyState>();
  private keys = new Map<CepKey, KeyState>();
  // Events waiting for the watermark, as parallel arrays from `bufferHead` on, so that buffering
  // an event allocates nothing.
  private bufferEvents: unknown[] = [];
  private bufferTimes: number[] = [];
  private bufferKeys: CepKey[] = [];
  private bufferHead = 0;
  private bufferSorted = true;
  private readonly counters = {
    events: 0,
    late: 0,
    matches: 0,
    timeouts: 0,
    expired: 0,
    droppedByCap: 0,
    pruned: 0,
    partialMatches: 0,
  };
  private time = Number.NEGATIVE_INFINITY;
  private watermark = Number.NEGATIVE_INFINITY;
  private maxSeen = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private arrival = 0;
  private idled = 0;
  private sweepAfter = 1024;
  private closed = false;

  constructor(pattern: Pattern<E, B>, options: CepEngineOptions<E, B> = {}) {
    this.compiled = compilePattern(pattern);
    this.keyOf = options.key === undefined ? defaultKey : checkFunction('options.key', options.key);
    this.timestampOf =
      options.timestamp === undefined
        ? null
        : checkFunction('options.timestamp', options.timestamp);
    this.mode = checkOneOf(
      'options.time',
      options.time ?? (this.timestampOf ? 'event' : 'arrival'),
      ['event', 'arrival'],
    );
    if (this.mode === 'event' && this.timestampOf === null) {
      invalidArgument(
        'options.timestamp',
        "a function for time: 'event'",
        undefined,
        "Pass timestamp or use time: 'arrival'.",
      );
    }
    this.outOfOrderness =
      options.maxOutOfOrdernessMs === undefined
        ? null
        : checkNonNegative('options.maxOutOfOrdernessMs', options.maxOutOfOrdernessMs);
    this.clock = options.clock ?? { now: Date.now };
    const maxRuns = checkInteger(
      'options.maxPartialMatchesPerKey',
      options.maxPartialMatchesPerKey ?? DEFAULT_MAX_PARTIAL_MATCHES_PER_KEY,
      1,
    );
    const overflow = checkOneOf('options.overflow', options.overflow ?? 'dropOldest', [
      'dropOldest',
      'rejectNew',
    ]);
    const emit = options.emit === undefined ? null : checkFunction('options.emit', options.emit);
    this.emitOutput = emit ?? ((output) => this.queue.push(output));

    const materializer = new Materializer(this.compiled.names);
    this.automaton = new Automaton(
      this.compiled,
      {
        match: (state: KeyState, completion: Completion) => {
          this.counters.matches += 1;
          this.emitOutput({
            type: 'match',
            key: state.key,
            events: materializer.materialize(completion.node) as any,
            startTime: completion.startTime,
            endTime: completion.node.time,
            completedAt: completion.completedAt,
          });
        },
        timeout: (state: KeyState, run: Run, at: number) => {
          this.counters.timeouts += 1;
          this.emitOutput({
            type: 'timeout',
            key: state.key,
            events: materializer.materialize(run.node) as any,
            startTime: run.startTime,
            timedOutAt: at,
          });
        },
      },
      this.counters,
      maxRuns,
      overflow,
    );
  }

  /** Feeds one event. In event time it waits in a buffer until the watermark passes it. */
  push(event: E): void {
    this.checkOpen();
    this.counters.events += 1;
    const key = this.keyOf(event);

    if (this.mode === 'arrival') {
      const stamped = this.timestampOf === null ? this.clock.now() : this.timestampOf(event);
      const time = Math.max(checkTime('timestamp', stamped), this.time);
      this.processOne(event, key, time);
      return;
    }

    const time = checkTime('timestamp', this.timestampOf!(event));
    if (time < this.watermark) {
      this.counters.late += 1;
      this.emitOutput({ type: 'late', key, event, timestamp: time, watermark: this.watermark });
      return;
    }
    const times = this.bufferTimes;
    if (times.length > this.bufferHead && times[times.length - 1]! > time)
      this.bufferSorted = false;
    this.bufferEvents.push(event);
    times.push(time);
    this.bufferKeys.push(key);
    this.arrival += 1;
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

  /**
   * Declares that no event older than `time` will arrive: processes the buffered events up to
   * it, then closes the windows that end by it. In arrival time it only moves time forward.
   */
  advanceWatermark(time: number): void {
    this.checkOpen();
    if (typeof time !== 'number' || Number.isNaN(time))
      invalidArgument('time', 'a number of milliseconds', time);
    if (this.mode === 'event') {
      if (time <= this.watermark) return;
      this.watermark = time;
      this.drainBuffer(time);
    }
    if (time > this.time) {
      this.fireTimers(time);
      this.time = time;
    }
  }

  /**
   * Ends the input: processes every buffered event, closes every window (completing absence
   * matches and reporting timeouts), discards the partial matches that could only complete
   * with more events, and emits the matches a skip strategy held back. Later pushes fail.
   */
  close(): void {
    if (this.closed) return;
    this.advanceWatermark(Number.POSITIVE_INFINITY);
    for (const state of this.keys.values()) this.automaton.close(state);
    this.keys.clear();
    this.timers.clear();
    this.closed = true;
  }

  /** Returns and clears the outputs queued since the last call (when no `emit` was given). */
  drain(): CepOutput<E, B>[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Returns the engine's counters. */
  stats(): CepStats {
    return {
      ...this.counters,
      keys: this.activeKeys(),
      buffered: this.bufferTimes.length - this.bufferHead,
    };
  }

  private activeKeys(): number {
    let active = 0;
    for (const state of this.keys.values()) if (!state.isIdle()) active += 1;
    return active;
  }

  /** Returns the current event time of the engine (the watermark in event time). */
  currentTime(): number {
    return this.time;
  }

  /**
   * Returns the engine's state as plain data (arrays, numbers, strings and the events
   * themselves), which the codec encodes when the events are encodable.
   */
  snapshot(): CepSnapshot {
    return writeSnapshot({
      fingerprint: this.compiled.fingerprint,
      time: this.time,
      watermark: this.watermark,
      maxSeen: this.maxSeen,
      seq: this.seq,
      arrival: this.arrival,
      closed: this.closed,
      counters: this.counters,
      keys: this.keys,
      buffer: this.bufferedEvents(),
    });
  }

  /**
   * Replaces the engine's state with one from `snapshot()` of an engine built from the same
   * pattern; it then continues exactly as that engine would have. Queued outputs are kept.
   */
  restore(snapshot: CepSnapshot): void {
    const state = readSnapshot(snapshot, this.compiled);
    this.time = state.time;
    this.watermark = state.watermark;
    this.maxSeen = state.maxSeen;
    this.seq = state.seq;
    this.arrival = state.arrival;
    this.closed = state.closed;
    Object.assign(this.counters, state.counters);
    this.keys = state.keys;
    this.bufferEvents = state.buffer.map((item) => item.event);
    this.bufferTimes = state.buffer.map((item) => item.time);
    this.bufferKeys = state.buffer.map((item) => item.key);
    this.bufferHead = 0;
    this.bufferSorted = true;
    this.timers.clear();
    for (const keyState of this.keys.values()) {
      keyState.scheduledAt = Number.POSITIVE_INFINITY;
      this.schedule(keyState);
    }
  }

  private checkOpen(): void {
    if (this.closed) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        'invalid call on a closed CepEngine: close() ended its input. Create a new engine or restore a snapshot.',
      );
    }
  }

  private processOne(event: unknown, key: CepKey, time: number): void {
    if (this.timers.size !== 0 && this.timers.peekTime() <= time) this.fireTimers(time);
    this.time = time;
    let state = this.keys.get(key);
    if (state === undefined) {
      state = new KeyState(key, this.seq);
      this.keys.set(key, state);
    } else if (state.isIdle()) {
      state.createdSeq = this.seq;
    }
    const seq = this.seq;
    this.seq += 1;
    this.automaton.process(state, event, seq, time);
    this.settle(state);
  }

  /** Schedules the key's next deadline, or removes the key when it has no state left. */
  private settle(state: KeyState): void {
    if (!state.isIdle()) {
      this.schedule(state);
      return;
    }
    // Idle keys stay in the map until a sweep, because deleting and recreating the state of a
    // key that comes back soon costs more than keeping it. A sweep runs once as many keys went
    // idle as the map held at the last sweep (at least 1024), so idle keys at most double it.
    // A timer entry left for the key fires as a no-op, then the key schedules its next deadline.
    this.idled += 1;
    if (this.idled > this.sweepAfter) this.sweepIdleKeys();
  }

  private sweepIdleKeys(): void {
    for (const state of this.keys.values()) {
      if (!state.isIdle()) continue;
      state.removed = true;
      this.keys.delete(state.key);
    }
    this.idled = 0;
    this.sweepAfter = Math.max(1024, this.keys.size);
  }

  private schedule(state: KeyState): void {
    const deadline = this.automaton.deadline(state);
    if (deadline < state.scheduledAt) {
      state.scheduledAt = deadline;
      this.timers.push(deadline, state, state.createdSeq);
    }
  }

  private fireTimers(now: number): void {
    const timers = this.timers;
    while (timers.size !== 0 && timers.peekTime() <= now) {
      const time = timers.peekTime();
      const state = timers.popTarget();
      if (state.removed || time !== state.scheduledAt) continue;
      state.scheduledAt = Number.POSITIVE_INFINITY;
      this.automaton.expire(state, Math.max(now, time), this.seq);
      this.settle(state);
    }
  }

  private drainBuffer(watermark: number): void {
    this.sortBuffer();
    const events = this.bufferEvents;
    const times = this.bufferTimes;
    const keys = this.bufferKeys;
    let index = this.bufferHead;
    while (index < times.length && times[index]! <= watermark) {
      this.processOne(events[index], keys[index]!, times[index]!);
      events[index] = undefined;
      index += 1;
    }
    if (index === times.length) {
      events.length = 0;
      times.length = 0;
      keys.length = 0;
      this.bufferHead = 0;
    } else if (index > 4096 && index > times.length / 2) {
      events.splice(0, index);
      times.splice(0, index);
      keys.splice(0, index);
      this.bufferHead = 0;
    } else {
      this.bufferHead = index;
    }
  }

  /** Orders the buffered events by time; the sort is stable, so ties keep arrival order. */
  private sortBuffer(): void {
    if (this.bufferSorted) return;
    const head = this.bufferHead;
    const order: number[] = [];
    for (let index = head; index < this.bufferTimes.length; index += 1) order.push(index);
    const times = this.bufferTimes;
    order.sort((left, right) => times[left]! - times[right]!);
    this.bufferEvents = order.map((index) => this.bufferEvents[index]);
    this.bufferTimes = order.map((index) => times[index]!);
    this.bufferKeys = order.map((index) => this.bufferKeys[index]!);
    this.bufferHead = 0;
    this.bufferSorted = true;
  }

  private bufferedEvents(): { event: unknown; time: number; key: CepKey; arrival: number }[] {
    this.sortBuffer();
    const items = [];
    for (let index = this.bufferHead; index < this.bufferTimes.length; index += 1) {
      items.push({
        event: this.bufferEvents[index],
        time: this.bufferTimes[index]!,
        key: this.bufferKeys[index]!,
        arrival: index - this.bufferHead,
      });
    }
    return items;
  }
}
