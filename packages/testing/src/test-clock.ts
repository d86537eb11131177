/**
 * A virtual clock that can fire its timers one at a time, so a test system lets the work a
 * timer starts finish before the next timer fires, even when both are due at the same
 * millisecond.
 */
import { type TimerHandle, VirtualClock } from '@starweave/actors';

interface HeldTimer {
  handle: TimerHandle;
  callback: () => void;
}

/**
 * A {@link VirtualClock} with {@link TestClock.step}. Used on its own (`advance`, `fireNext`),
 * it behaves as a VirtualClock: timers fire in order of due time, ties in the order they were
 * set.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TestClock } from '@starweave/testing';
 *
 * const clock = new TestClock();
 * const fired: string[] = [];
 * clock.setTimeout(() => fired.push('a'), 10);
 * clock.setTimeout(() => fired.push('b'), 10);
 * assert.equal(clock.step(10), true);
 * assert.deepEqual(fired, ['a']);
 * assert.equal(clock.step(10), true);
 * assert.deepEqual(fired, ['a', 'b']);
 * assert.equal(clock.step(10), false);
 * ```
 */
export class TestClock extends VirtualClock {
  private stepping = false;
  private firedInStep = false;
  // Timers that fell due during a step after its first timer fired. They are due now and fire
  // before any timer set later, so timers keep the (due time, order set) order.
  private readonly held: HeldTimer[] = [];
  private readonly cancelled = new WeakSet<object>();

  override setTimeout(callback: () => void, delayMs: number): TimerHandle {
    let handle: TimerHandle;
    const fire = () => {
      if (this.stepping && this.firedInStep) {
        this.held.push({ handle, callback });
        return;
      }
      this.firedInStep = true;
      callback();
    };
    handle = super.setTimeout(fire, delayMs);
    return handle;
  }

  override clearTimeout(handle: TimerHandle): void {
    if (handle !== null && typeof handle === 'object') this.cancelled.add(handle);
    super.clearTimeout(handle);
  }

  override pendingTimers(): number {
    return super.pendingTimers() + this.liveHeld();
  }

  override nextDue(): number | undefined {
    return this.liveHeld() > 0 ? this.now() : super.nextDue();
  }

  override advance(ms: number): void {
    while (this.fireHeld()) {
      // Fires every held timer first: they were due before anything the advance reaches.
    }
    super.advance(ms);
  }

  /**
   * Fires exactly one timer due at or before `limitMs` (an absolute clock time) and moves time
   * to its due time. Returns false when no timer is due by then.
   */
  step(limitMs: number): boolean {
    if (this.fireHeld()) return true;
    const due = super.nextDue();
    if (due === undefined || due > limitMs) return false;
    this.stepping = true;
    this.firedInStep = false;
    try {
      super.advance(Math.max(0, due - this.now()));
    } finally {
      this.stepping = false;
    }
    return true;
  }

  private fireHeld(): boolean {
    while (this.held.length > 0) {
      const timer = this.held.shift()!;
      if (this.cancelled.has(timer.handle as object)) continue;
      timer.callback();
      return true;
    }
    return false;
  }

  private liveHeld(): number {
    let count = 0;
    for (const timer of this.held) if (!this.cancelled.has(timer.handle as object)) count++;
    return count;
  }
}
