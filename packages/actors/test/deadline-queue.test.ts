import { describe, expect, it } from 'vitest';
import { VirtualClock, realClock } from '@starweave/actors';
import { DeadlineQueue } from '../src/deadline-queue.js';

describe('DeadlineQueue', () => {
  it('fires deadlines of one duration in order at their due time', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    queue.schedule(100, () => fired.push('a'));
    clock.advance(10);
    queue.schedule(100, () => fired.push('b'));
    clock.advance(89);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['a']);
    clock.advance(10);
    expect(fired).toEqual(['a', 'b']);
    expect(queue.size).toBe(0);
  });

  it('fires deadlines of different durations independently', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    const fired: number[] = [];
    queue.schedule(300, () => fired.push(300));
    queue.schedule(100, () => fired.push(100));
    queue.schedule(200, () => fired.push(200));
    clock.advance(300);
    expect(fired).toEqual([100, 200, 300]);
  });

  it('never fires a cancelled deadline and reports the cancel once', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    let fired = 0;
    const entry = queue.schedule(50, () => fired++);
    expect(queue.cancel(entry)).toBe(true);
    expect(queue.cancel(entry)).toBe(false);
    clock.advance(100);
    expect(fired).toBe(0);
    expect(queue.size).toBe(0);
  });

  it('keeps live deadlines when many cancelled ones are compacted away', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    const fired: number[] = [];
    const entries = [];
    for (let i = 0; i < 1000; i++) entries.push(queue.schedule(1000, () => fired.push(i)));
    for (let i = 0; i < 1000; i++) if (i % 10 !== 0) queue.cancel(entries[i]!);
    expect(queue.size).toBe(100);
    clock.advance(1000);
    expect(fired).toEqual(Array.from({ length: 100 }, (_, k) => k * 10));
  });

  it('leaves no clock timer after clear', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    queue.schedule(10, () => {});
    queue.schedule(20, () => {});
    queue.clear();
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('DeadlineQueue.cancel', () => {
  it('clears the clock timer when no live deadline is left', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    const first = queue.schedule(60_000, () => {});
    const second = queue.schedule(60_000, () => {});
    queue.cancel(first);
    expect(clock.pendingTimers()).toBe(1);
    queue.cancel(second);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps one clock timer when a callback schedules into its own list', () => {
    const clock = new VirtualClock();
    const queue = new DeadlineQueue(clock);
    let ticks = 0;
    const tick = () => {
      ticks++;
      if (ticks < 5) queue.schedule(100, tick);
    };
    queue.schedule(100, tick);
    queue.schedule(100, () => {});
    clock.advance(50);
    queue.schedule(100, () => {});
    clock.advance(50);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(1000);
    expect(ticks).toBe(5);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('DeadlineQueue on the real clock', () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout');

  it('unrefs its timer while no deadline is live', () => {
    const queue = new DeadlineQueue(realClock);
    const before = timeouts().length;

    const first = queue.schedule(60_000, () => {});
    expect(timeouts().length).toBe(before + 1);
    queue.cancel(first);
    expect(timeouts().length).toBe(before);

    const second = queue.schedule(60_000, () => {});
    expect(timeouts().length).toBe(before + 1);
    queue.cancel(second);
    queue.clear();
    expect(timeouts().length).toBe(before);
  });

  it('fires a deadline scheduled after the list fell idle', async () => {
    const queue = new DeadlineQueue(realClock);
    queue.cancel(queue.schedule(5, () => {}));
    let fired = false;

    queue.schedule(5, () => {
      fired = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 40));

    expect(fired).toBe(true);
    expect(queue.size).toBe(0);
    queue.clear();
  });
});
