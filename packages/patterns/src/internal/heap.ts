/**
 * A binary min-heap of timers ordered by time, used by the engines to fire window deadlines
 * without scanning every key.
 */

/** One scheduled time and what it is for. */
export interface TimerEntry<T> {
  time: number;
  /** Orders entries of equal time, so that firing order does not depend on insertion order. */
  tiebreak: number;
  target: T;
}

function before(left: TimerEntry<unknown>, right: TimerEntry<unknown>): boolean {
  return left.time < right.time || (left.time === right.time && left.tiebreak < right.tiebreak);
}

/** A min-heap of timer entries ordered by time, then by tiebreak. */
export class TimerHeap<T> {
  private readonly entries: TimerEntry<T>[] = [];

  /** The number of entries, stale ones included. */
  get size(): number {
    return this.entries.length;
  }

  /** Returns the earliest time, or Infinity when the heap is empty. */
  peekTime(): number {
    return this.entries.length === 0 ? Number.POSITIVE_INFINITY : this.entries[0]!.time;
  }

  /** Adds an entry. */
  push(time: number, target: T, tiebreak = 0): void {
    const entries = this.entries;
    const entry = { time, tiebreak, target };
    entries.push(entry);
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, entries[parent]!)) break;
      entries[index] = entries[parent]!;
      index = parent;
    }
    entries[index] = entry;
  }

  /** Removes and returns the earliest entry, or undefined when empty. */
  pop(): TimerEntry<T> | undefined {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined || entries.length === 0) return top;
    let index = 0;
    const length = entries.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(entries[right]!, entries[left]!) ? right : left;
      if (!before(entries[child]!, last)) break;
      entries[index] = entries[child]!;
      index = child;
    }
    entries[index] = last;
    return top;
  }

  /** Removes every entry. */
  clear(): void {
    this.entries.length = 0;
  }
}
