/**
 * A binary min-heap of timers ordered by time, then by a tiebreak number, used by the engines
 * to fire window deadlines without scanning every key. Entries live in parallel arrays, so a
 * push allocates nothing once the arrays have grown.
 */

/** A min-heap of timer entries ordered by time, then by tiebreak. */
export class TimerHeap<T> {
  private readonly times: number[] = [];
  private readonly tiebreaks: number[] = [];
  private readonly targets: T[] = [];

  /** The number of entries, stale ones included. */
  get size(): number {
    return this.times.length;
  }

  /** Returns the earliest time, or Infinity when the heap is empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Adds an entry. */
  push(time: number, target: T, tiebreak = 0): void {
    const { times, tiebreaks, targets } = this;
    let index = times.length;
    times.push(time);
    tiebreaks.push(tiebreak);
    targets.push(target);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < time || (parentTime === time && tiebreaks[parent]! <= tiebreak)) break;
      times[index] = parentTime;
      tiebreaks[index] = tiebreaks[parent]!;
      targets[index] = targets[parent]!;
      index = parent;
    }
    times[index] = time;
    tiebreaks[index] = tiebreak;
    targets[index] = target;
  }

  /** Returns the tiebreak of the earliest entry; the heap must not be empty. */
  peekTiebreak(): number {
    return this.tiebreaks[0]!;
  }

  /**
   * Removes the earliest entry and returns its target, allocating nothing; read its time and
   * tiebreak with `peekTime` and `peekTiebreak` first. The heap must not be empty.
   */
  popTarget(): T {
    const { times, tiebreaks, targets } = this;
    const top = targets[0]!;
    const time = times.pop()!;
    const tiebreak = tiebreaks.pop()!;
    const target = targets.pop()!;
    const length = times.length;
    if (length === 0) return top;

    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (
        right < length &&
        (times[right]! < times[left]! ||
          (times[right] === times[left] && tiebreaks[right]! < tiebreaks[left]!))
      ) {
        child = right;
      }
      const childTime = times[child]!;
      if (childTime > time || (childTime === time && tiebreaks[child]! >= tiebreak)) break;
      times[index] = childTime;
      tiebreaks[index] = tiebreaks[child]!;
      targets[index] = targets[child]!;
      index = child;
    }
    times[index] = time;
    tiebreaks[index] = tiebreak;
    targets[index] = target;
    return top;
  }

  /** Removes every entry. */
  clear(): void {
    this.times.length = 0;
    this.tiebreaks.length = 0;
    this.targets.length = 0;
  }
}
