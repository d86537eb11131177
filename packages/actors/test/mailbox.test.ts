/**
 * Mailbox: an ordered queue with O(1) push and shift, and removal from the middle for
 * selective receive.
 */
import { describe, expect, it } from 'vitest';
import { Mailbox } from '@starweave/actors';

function filled(count: number): Mailbox {
  const box = new Mailbox();
  for (let i = 0; i < count; i++) box.push(i);
  return box;
}

describe('Mailbox', () => {
  it('returns messages oldest first', () => {
    const box = filled(3);

    expect([box.shift(), box.shift(), box.shift()]).toEqual([0, 1, 2]);
    expect(box.length).toBe(0);
  });

  it('reads a message by its index from the oldest', () => {
    const box = filled(5);
    box.shift();

    expect(box.at(0)).toBe(1);
    expect(box.at(3)).toBe(4);
  });

  it('removes a message from the middle and keeps the others in order', () => {
    const box = filled(5);

    expect(box.removeAt(2)).toBe(2);

    expect(box.toArray()).toEqual([0, 1, 3, 4]);
    expect(box.length).toBe(4);
  });

  it('removes from either half and keeps order', () => {
    const box = filled(10);

    expect(box.removeAt(2)).toBe(2);
    expect(box.removeAt(7)).toBe(8);
    expect(box.removeAt(1)).toBe(1);

    expect(box.toArray()).toEqual([0, 3, 4, 5, 6, 7, 9]);
    expect(box.at(1)).toBe(3);
  });

  it('takes 100k messages behind one left at the head without quadratic cost', () => {
    const box = new Mailbox();
    box.push('skipped');
    for (let i = 0; i < 100_000; i++) box.push(i);
    const start = performance.now();

    let inOrder = true;
    for (let i = 0; i < 100_000; i++) if (box.removeAt(1) !== i) inOrder = false;
    const elapsed = performance.now() - start;

    expect(inOrder).toBe(true);
    expect(box.toArray()).toEqual(['skipped']);
    expect(elapsed).toBeLessThan(500);
  });

  it('removes the oldest message with removeAt(0)', () => {
    const box = filled(3);

    expect(box.removeAt(0)).toBe(0);

    expect(box.toArray()).toEqual([1, 2]);
  });

  it('keeps order across compaction under steady flow', () => {
    const box = new Mailbox();
    const out: number[] = [];

    for (let i = 0; i < 10_000; i++) {
      box.push(i);
      box.push(i + 0.5);
      out.push(box.shift() as number);
    }
    while (box.length > 0) out.push(box.shift() as number);

    const expected: number[] = [];
    for (let i = 0; i < 10_000; i++) expected.push(i, i + 0.5);
    expect(out).toEqual(expected);
  });

  it('frees the slots of taken messages', () => {
    const box = new Mailbox();

    for (let i = 0; i < 100_000; i++) {
      box.push({ payload: i });
      box.shift();
    }

    expect(box.length).toBe(0);
    expect(box.capacity).toBeLessThan(2048);
  });

  it('keeps order across many segments', () => {
    const box = filled(100_000);

    for (let i = 0; i < 100_000; i++) expect(box.shift()).toBe(i);

    expect(box.length).toBe(0);
    expect(box.shift()).toBeUndefined();
  });

  it('reads and removes by index across segments', () => {
    const box = filled(20_000);
    box.shift();

    expect(box.at(8_999)).toBe(9_000);
    expect(box.removeAt(8_999)).toBe(9_000);
    expect(box.removeAt(15_000)).toBe(15_002);

    expect(box.length).toBe(19_997);
    expect(box.at(8_999)).toBe(9_001);
    expect(box.at(19_996)).toBe(19_999);
    expect(box.at(19_997)).toBeUndefined();
  });

  it('keeps order when pushes follow a removal from the middle', () => {
    const box = filled(100);
    box.removeAt(50);

    for (let i = 100; i < 10_000; i++) box.push(i);

    const expected = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i !== 50);
    expect(box.toArray()).toEqual(expected);
  });

  it('returns to a small segment once emptied after a long backlog', () => {
    const pushed = filled(100_000);
    const joined = filled(100_000);
    joined.removeAt(1);

    for (const box of [pushed, joined]) {
      while (box.length > 0) box.shift();
      expect(box.capacity).toBeLessThanOrEqual(1024);
    }
  });

  it('keeps every message when a removeWhere predicate throws', () => {
    const box = filled(5);

    expect(() =>
      box.removeWhere((message) => {
        if (message === 3) throw new Error('bad predicate');
        return true;
      }),
    ).toThrow('bad predicate');

    expect(box.toArray()).toEqual([0, 1, 2, 3, 4]);
  });

  it('removes every message a predicate accepts and returns the count', () => {
    const box = filled(10);
    box.shift();

    const removed = box.removeWhere((message) => (message as number) % 2 === 0);

    expect(removed).toBe(4);
    expect(box.toArray()).toEqual([1, 3, 5, 7, 9]);
  });

  it('drops everything with clear', () => {
    const box = filled(10);

    box.clear();

    expect(box.length).toBe(0);
    expect(box.toArray()).toEqual([]);
  });
});
