/**
 * VirtualClock: time that moves only when a test advances it, firing timers in due order.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, realClock } from '@starweave/actors';

describe('VirtualClock', () => {
  it('starts at the given time and stays there until advanced', async () => {
    const clock = new VirtualClock(500);

    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(clock.now()).toBe(500);
  });

  it('fires a timer when advance reaches its due time, not before', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);

    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);

    expect(fired).toEqual([100]);
  });

  it('fires timers in due order, and ties in the order they were set', () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('c'), 30);
    clock.setTimeout(() => order.push('a1'), 10);
    clock.setTimeout(() => order.push('b'), 20);
    clock.setTimeout(() => order.push('a2'), 10);

    clock.advance(30);

    expect(order).toEqual(['a1', 'a2', 'b', 'c']);
  });

  it('shows each timer its own due time as now while it fires', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    for (const delay of [5, 15, 25]) clock.setTimeout(() => seen.push(clock.now()), delay);

    clock.advance(100);

    expect(seen).toEqual([5, 15, 25]);
    expect(clock.now()).toBe(100);
  });

  it('fires a timer set while firing within the same advance', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 10);
    }, 10);

    clock.advance(25);

    expect(seen).toEqual([10, 20]);
  });

  it('skips a cleared timer', () => {
    const clock = new VirtualClock();
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);

    clock.clearTimeout(handle);
    clock.advance(10);

    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('ignores an unknown handle in clearTimeout', () => {
    const clock = new VirtualClock();

    expect(() => clock.clearTimeout(undefined)).not.toThrow();
    expect(() => clock.clearTimeout({})).not.toThrow();
  });

  it('treats a negative delay as zero', () => {
    const clock = new VirtualClock(50);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, -10);

    clock.advance(0);

    expect(fired).toBe(true);
  });

  it('reports the next due time and moves to it with fireNext', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('late'), 40);
    clock.setTimeout(() => fired.push('early'), 15);

    expect(clock.nextDue()).toBe(15);
    expect(clock.fireNext()).toBe(true);
    expect(fired).toEqual(['early']);
    expect(clock.now()).toBe(15);
    expect(clock.fireNext()).toBe(true);
    expect(clock.fireNext()).toBe(false);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('counts the timers that have neither fired nor been cleared', () => {
    const clock = new VirtualClock();
    const first = clock.setTimeout(() => {}, 10);
    clock.setTimeout(() => {}, 20);
    clock.setTimeout(() => {}, 30);

    clock.clearTimeout(first);
    clock.advance(20);

    expect(clock.pendingTimers()).toBe(1);
  });

  it('rejects a negative advance with a RangeError naming the value', () => {
    const clock = new VirtualClock();

    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(/-1/);
    expect(() => clock.advance(Number.NaN)).toThrow(/NaN/);
  });

  it('keeps 10k timers in due order', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const delays = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    for (const delay of delays) clock.setTimeout(() => fired.push(delay), delay);

    clock.advance(20_000);

    expect(fired).toEqual([...delays].sort((a, b) => a - b));
  });
});

describe('realClock', () => {
  it('runs a callback after the delay and cancels one with clearTimeout', async () => {
    const start = realClock.now();
    let cancelledFired = false;
    const cancelled = realClock.setTimeout(() => {
      cancelledFired = true;
    }, 5);
    realClock.clearTimeout(cancelled);

    const elapsed = await new Promise<number>((resolve) => {
      realClock.setTimeout(() => resolve(realClock.now() - start), 20);
    });

    expect(elapsed).toBeGreaterThanOrEqual(19);
    expect(cancelledFired).toBe(false);
  });
});
