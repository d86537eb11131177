import { Barrier, EventQueue } from '@starweave/stages';
import { describe, expect, it } from 'vitest';

function drain(
  queue: EventQueue<number>,
  max = Number.POSITIVE_INFINITY,
): Array<number[] | string> {
  const out: Array<number[] | string> = [];
  for (;;) {
    const item = queue.shift(max);
    if (item === undefined) return out;
    out.push(item instanceof Barrier ? `barrier ${item.checkpointId}` : item);
  }
}

describe('EventQueue.push', () => {
  it('keeps every event below its capacity, in order', () => {
    const queue = new EventQueue<number>(10, 'last');
    expect(queue.push([1, 2, 3])).toBe(0);
    expect(queue.push([4, 5])).toBe(0);
    expect(queue.events).toBe(5);
    expect(drain(queue)).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('drops the oldest events when full and keeping the last', () => {
    const queue = new EventQueue<number>(4, 'last');
    queue.push([1, 2, 3]);
    expect(queue.push([4, 5, 6])).toBe(2);
    expect(drain(queue)).toEqual([[3, 4, 5, 6]]);
  });

  it('drops the new events when full and keeping the first', () => {
    const queue = new EventQueue<number>(4, 'first');
    queue.push([1, 2, 3]);
    expect(queue.push([4, 5, 6])).toBe(2);
    expect(drain(queue)).toEqual([[1, 2, 3, 4]]);
  });

  it('keeps only the last `capacity` events of a push larger than the capacity', () => {
    const queue = new EventQueue<number>(3, 'last');
    queue.push([1, 2]);
    expect(queue.push([3, 4, 5, 6, 7])).toBe(4);
    expect(drain(queue)).toEqual([[5, 6, 7]]);
  });

  it('drops everything with a capacity of zero', () => {
    const queue = new EventQueue<number>(0, 'last');
    expect(queue.push([1, 2])).toBe(2);
    expect(queue.isEmpty).toBe(true);
  });

  it('pushes from an index on', () => {
    const queue = new EventQueue<number>(10, 'last');
    queue.push([1, 2, 3, 4], 2);
    expect(drain(queue)).toEqual([[3, 4]]);
  });

  it('does not change the array it was given', () => {
    const queue = new EventQueue<number>(10, 'last');
    const events = [1, 2];
    queue.push(events);
    queue.push([3]);
    expect(events).toEqual([1, 2]);
  });
});

describe('EventQueue.shift', () => {
  it('returns at most `max` events', () => {
    const queue = new EventQueue<number>(10, 'last');
    queue.push([1, 2, 3, 4, 5]);
    expect(drain(queue, 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('stops a batch at a barrier and returns the barrier in its place', () => {
    const queue = new EventQueue<number>(10, 'last');
    queue.push([1, 2]);
    queue.pushBarrier(new Barrier(7));
    queue.push([3]);
    expect(drain(queue)).toEqual([[1, 2], 'barrier 7', [3]]);
  });

  it('returns a barrier at the front even with a max of zero', () => {
    const queue = new EventQueue<number>(10, 'last');
    queue.pushBarrier(new Barrier(1));
    queue.push([1]);
    expect(queue.shift(0)).toBeInstanceOf(Barrier);
    expect(queue.shift(0)).toBeUndefined();
  });

  it('keeps barriers when dropping the oldest events', () => {
    const queue = new EventQueue<number>(3, 'last');
    queue.push([1, 2]);
    queue.pushBarrier(new Barrier(1));
    queue.push([3]);
    expect(queue.push([4, 5])).toBe(2);
    expect(drain(queue)).toEqual(['barrier 1', [3, 4, 5]]);
  });
});

describe('EventQueue.unshift', () => {
  it('puts events back at the front', () => {
    const queue = new EventQueue<number>(10, 'last');
    queue.push([1, 2, 3, 4]);
    queue.shift(3);
    queue.unshift([2, 3]);
    expect(drain(queue)).toEqual([[2, 3, 4]]);
    expect(queue.events).toBe(0);
  });
});
