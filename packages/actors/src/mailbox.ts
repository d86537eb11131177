/**
 * The mailbox: the ordered queue of messages a process has not yet received. Pushing and taking
 * the oldest message are O(1); a selective receive may also take one from the middle.
 */
export class Mailbox {
  private items: unknown[] = [];
  private head = 0;

  /** Returns the number of messages waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends a message at the end. */
  push(message: unknown): void {
    this.items.push(message);
  }

  /** Removes and returns the oldest message; call only when `length > 0`. */
  shift(): unknown {
    const message = this.items[this.head];
    this.items[this.head++] = undefined;
    this.compact();
    return message;
  }

  // Compacts now and then so that the array does not grow without bound under steady flow.
  private compact(): void {
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Returns the message at `index`, where 0 is the oldest. */
  at(index: number): unknown {
    return this.items[this.head + index];
  }

  /**
   * Removes and returns the message at `index`, where 0 is the oldest. It moves the messages
   * on the shorter side of `index`, so taking one near either end costs little even when
   * many unmatched messages wait behind it.
   */
  removeAt(index: number): unknown {
    if (index === 0) return this.shift();
    const at = this.head + index;
    const message = this.items[at];
    if (index * 2 < this.length) {
      for (let i = at; i > this.head; i--) this.items[i] = this.items[i - 1];
      this.items[this.head++] = undefined;
      this.compact();
    } else {
      this.items.splice(at, 1);
    }
    return message;
  }

  /** Removes every message for which `predicate` holds; returns how many were removed. */
  removeWhere(predicate: (message: unknown) => boolean): number {
    const kept: unknown[] = [];
    let removed = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const message = this.items[i];
      if (predicate(message)) removed++;
      else kept.push(message);
    }
    this.items = kept;
    this.head = 0;
    return removed;
  }

  /** Returns a copy of the waiting messages, oldest first. */
  toArray(): unknown[] {
    return this.items.slice(this.head);
  }

  /** Drops every message. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
