/**
 * The time source of a system. Every timer (sendAfter, receive and call timeouts, state
 * timeouts, back-off) reads the system's clock, so a test can substitute virtual time.
 */

/** An opaque handle for a scheduled callback. */
export type TimerHandle = unknown;

/** A source of time and timers, in milliseconds. */
export interface Clock {
  /** Returns the current time in milliseconds; only differences between readings matter. */
  now(): number;
  /** Schedules `callback` after `delayMs` and returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a callback scheduled by {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The maximum delay of a Node.js timer (2^31 - 1 ms, about 24.8 days). */
const MAX_NODE_DELAY_MS = 2 ** 31 - 1;

interface LongTimer {
  timeout: NodeJS.Timeout;
}

// Node.js turns a longer delay into 1 ms, so a long delay is waited for in steps.
function setLongTimeout(callback: () => void, delayMs: number): LongTimer {
  const timer: LongTimer = { timeout: undefined as unknown as NodeJS.Timeout };
  const due = performance.now() + delayMs;
  const step = () => {
    const left = due - performance.now();
    if (left <= MAX_NODE_DELAY_MS) {
      timer.timeout = setTimeout(callback, Math.max(0, left));
    } else {
      timer.timeout = setTimeout(step, MAX_NODE_DELAY_MS);
    }
  };
  step();
  return timer;
}

/** The real clock: `performance.now()` and Node's timers, with delays past 24.8 days kept. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) =>
    delayMs > MAX_NODE_DELAY_MS ? setLongTimeout(callback, delayMs) : setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    if (handle !== null && typeof handle === 'object' && 'timeout' in handle) {
      clearTimeout((handle as LongTimer).timeout);
    } else {
      clearTimeout(handle as NodeJS.Timeout);
    }
  },
};

interface VirtualTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers fire in order of their due time (ties in the
 * order they were set) when {@link VirtualClock.advance} passes them.
 *
 * @example
 * ```ts
 * import { VirtualClock } from '@starweave/actors';
 * const clock = new VirtualClock();
 * let fired = false;
 * clock.setTimeout(() => { fired = true; }, 100);
 * clock.advance(99);
 * console.assert(!fired);
 * clock.advance(1);
 * console.assert(fired);
 * ```
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  // A binary heap ordered by (at, seq); small and allocation-light for test timers.
  private readonly heap: VirtualTimer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer: VirtualTimer = {
      at: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle && typeof handle === 'object' && 'cancelled' in handle) {
      (handle as VirtualTimer).cancelled = true;
    }
  }

  /** Returns the number of timers that have not fired or been cancelled. */
  pendingTimers(): number {
    let count = 0;
    for (const timer of this.heap) if (!timer.cancelled) count++;
    return count;
  }

  /** Returns the due time of the next live timer, or undefined when none is set. */
  nextDue(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order. A timer set by a
   * firing callback fires in the same call when it falls due before the end.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance expects a non-negative number, got ${ms}`);
    const end = this.current + ms;
    for (;;) {
      this.dropCancelled();
      const next = this.heap[0];
      if (next === undefined || next.at > end) break;
      this.pop();
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = end;
  }

  /** Moves time to the next due timer and fires it; returns false when none is set. */
  fireNext(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.advance(due - this.current);
    return true;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.less(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && this.less(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
