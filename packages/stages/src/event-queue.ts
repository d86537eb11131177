/**
 * A bounded queue of events with checkpoint barriers in between: the buffer of a producer and
 * the queue of a partition. When full it keeps the first or the last events and reports how
 * many it dropped; barriers are never dropped and keep their place among the events.
 */
import { Barrier } from './messages.js';

/** Which events a full queue keeps. */
export type BufferKeep = 'first' | 'last';

/** A FIFO of events and barriers with a capacity counted in events. */
export class EventQueue<E = unknown> {
  private items: unknown[] = [];
  private head = 0;
  private barriers = 0;
  /** Events (not barriers) in the queue. */
  events = 0;

  constructor(
    readonly capacity: number,
    readonly keep: BufferKeep,
  ) {}

  /** True when the queue holds neither events nor barriers. */
  get isEmpty(): boolean {
    return this.head === this.items.length;
  }

  /** True when a barrier waits in the queue. */
  get hasBarriers(): boolean {
    return this.barriers > 0;
  }

  /**
   * Appends `events` from index `from` on and returns how many events the capacity dropped:
   * new ones when keeping the first, the oldest ones when keeping the last.
   */
  push(events: readonly E[], from = 0): number {
    let count = events.length - from;
    if (count <= 0) return 0;
    let dropped = 0;
    const free = this.capacity - this.events;
    if (count > free) {
      if (this.keep === 'first') {
        dropped = count - Math.max(0, free);
        count = Math.max(0, free);
      } else if (count >= this.capacity) {
        dropped = this.events + count - this.capacity;
        this.dropOldest(this.events);
        from += count - this.capacity;
        count = this.capacity;
      } else {
        dropped = count - free;
        this.dropOldest(dropped);
      }
    }
    if (count === 0) return dropped;

    if (this.isEmpty) {
      this.items = events.slice(from, from + count);
      this.head = 0;
    } else {
      const items = this.items;
      for (let i = from; i < from + count; i++) items.push(events[i]);
    }
    this.events += count;
    return dropped;
  }

  /** Appends a barrier after every event queued so far. */
  pushBarrier(barrier: Barrier): void {
    if (this.isEmpty) {
      this.items = [];
      this.head = 0;
    }
    this.items.push(barrier);
    this.barriers++;
  }

  /** Puts events back at the front, as when a dispatcher could not take them all. */
  unshift(events: readonly E[]): void {
    if (events.length === 0) return;
    this.items = events.concat(this.items.slice(this.head) as E[]);
    this.head = 0;
    this.events += events.length;
  }

  /**
   * Removes and returns the barrier at the front, or up to `max` events that come before the
   * next barrier; undefined when the queue is empty.
   */
  shift(max: number): E[] | Barrier | undefined {
    const items = this.items;
    const head = this.head;
    if (head === items.length) return undefined;
    const first = items[head];
    if (first instanceof Barrier) {
      items[head] = undefined;
      this.advance(1);
      this.barriers--;
      return first;
    }
    if (max <= 0) return undefined;

    let end = Math.min(items.length, head + max);
    if (this.barriers > 0) {
      for (let i = head; i < end; i++) {
        if (items[i] instanceof Barrier) {
          end = i;
          break;
        }
      }
    }
    let taken: E[];
    if (head === 0 && end === items.length) {
      taken = items as E[];
      this.items = [];
      this.head = 0;
    } else {
      taken = items.slice(head, end) as E[];
      items.fill(undefined, head, end);
      this.advance(end - head);
    }
    this.events -= taken.length;
    return taken;
  }

  /** Drops every event and barrier. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.events = 0;
    this.barriers = 0;
  }

  private advance(count: number): void {
    this.head += count;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  // Removes the `count` oldest events; barriers stay where they are.
  private dropOldest(count: number): void {
    if (count <= 0) return;
    if (this.barriers === 0) {
      this.items.fill(undefined, this.head, this.head + count);
      this.events -= count;
      this.advance(count);
      return;
    }
    const kept: unknown[] = [];
    let left = count;
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i];
      if (left > 0 && !(item instanceof Barrier)) {
        left--;
        continue;
      }
      kept.push(item);
    }
    this.items = kept;
    this.head = 0;
    this.events -= count - left;
  }
}
