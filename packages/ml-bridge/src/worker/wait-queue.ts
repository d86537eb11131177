/**
 * The requests waiting for an in-flight slot, oldest first. A request that leaves early
 * (cancelled, or past its deadline) stays in the array and is skipped when its turn comes, so
 * leaving costs nothing. The array is compacted as its head advances.
 */
import type { PendingRequest } from './pending-request.js';

/** A first-in, first-out queue of waiting requests. */
export class WaitQueue {
  private entries: PendingRequest[] = [];
  private head = 0;

  /** Adds a request at the back. */
  push(entry: PendingRequest): void {
    this.entries.push(entry);
  }

  /** Removes and returns the oldest request still waiting, or undefined. */
  shift(): PendingRequest | undefined {
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head]!;
      this.entries[this.head] = undefined as unknown as PendingRequest;
      this.head++;
      if (entry.state === 'queued') {
        this.compact();
        return entry;
      }
    }
    this.clear();
    return undefined;
  }

  /** Drops every entry. */
  clear(): void {
    this.entries = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
