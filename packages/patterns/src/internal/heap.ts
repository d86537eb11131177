/**
 * A binary min-heap of timers ordered by time, used by the engines to fire window deadlines
 * without scanning every key.
 */

/** One scheduled time and what it is for. */
export interface TimerEntry<T> {
  time: number;
  target: T;
}

/** A min-heap of timer entries; ties pop in no particular order. */
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
  push(time: number, target: T): void {
    const entries = this.entries;
    entries.push({ time, target });
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (entries[parent]!.time <= time) break;
      entries[index] = entries[parent]!;
      index = parent;
    }
    entries[index] = { time, target };
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
      const child = right < length && entries[right]!.time < entries[left]!.time ? right : left;
      if (entries[child]!.time >= last.time) break;
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
