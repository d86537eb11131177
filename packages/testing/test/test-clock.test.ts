/**
 * TestClock: one timer per step, in (due time, order set) order, with cancelled timers skipped.
 */

import { VirtualClock } from '@starweave/actors';
import { TestClock } from '@starweave/testing';
import { describe, expect, it } from 'vitest';

describe('TestClock.step', () => {
  it('fires one timer per step when several are due at the same time', () => {
    const clock = new TestClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('b'), 10);
    clock.setTimeout(() => fired.push('c'), 20);

    expect(clock.step(100)).toBe(true);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(10);
    expect(clock.step(100)).toBe(true);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.step(100)).toBe(true);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(20);
    expect(clock.step(100)).toBe(false);
  });

  it('fires nothing past the limit', () => {
    const clock = new TestClock();
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 50);

    expect(clock.step(49)).toBe(false);
    expect(fired).toBe(false);
    expect(clock.now()).toBe(0);
  });

  it('skips a held timer cancelled before its turn', () => {
    const clock = new TestClock();
    const fired: string[] = [];
    let second: unknown;
    clock.setTimeout(() => {
      fired.push('a');
      clock.clearTimeout(second);
    }, 5);
    second = clock.setTimeout(() => fired.push('b'), 5);
    clock.setTimeout(() => fired.push('c'), 5);

    while (clock.step(10)) {}

    expect(fired).toEqual(['a', 'c']);
  });

  it('fires a held timer before a zero-delay timer set after it', () => {
    const clock = new TestClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('a');
      clock.setTimeout(() => fired.push('late'), 0);
    }, 5);
    clock.setTimeout(() => fired.push('b'), 5);

    while (clock.step(10)) {}

    expect(fired).toEqual(['a', 'b', 'late']);
  });

  it('counts held timers as pending and due now', () => {
    const clock = new TestClock();
    clock.setTimeout(() => {}, 5);
    clock.setTimeout(() => {}, 5);
    clock.step(5);

    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextDue()).toBe(5);
  });
});

describe('TestClock.advance', () => {
  it('fires in the same order as VirtualClock', () => {
    const plain = new VirtualClock();
    const stepping = new TestClock();
    const order = (clock: VirtualClock) => {
      const fired: number[] = [];
      for (const [index, delay] of [30, 10, 10, 20, 0, 30].entries()) {
        clock.setTimeout(() => fired.push(index), delay);
      }
      clock.advance(40);
      return fired;
    };

    expect(order(stepping)).toEqual(order(plain));
  });

  it('fires held timers first when advanced directly', () => {
    const clock = new TestClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('a'), 5);
    clock.setTimeout(() => fired.push('b'), 5);
    clock.setTimeout(() => fired.push('c'), 6);
    clock.step(5);

    clock.advance(10);

    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(15);
  });
});
