/**
 * Deadlines grouped by duration. Calls mostly share a few timeouts (5000 ms by default), so a
 * list per duration stays sorted by due time as entries are appended, and one clock timer per
 * list, armed for its head, replaces a Node timer per call. Cancelling marks an entry; lists
 * compact when cancelled entries outnumber live ones, so memory stays proportional to live
 * deadlines. A list with no live entry left releases its clock timer, so it does not hold the
 * Node.js event loop open.
 */
import type { Clock, TimerHandle } from './clock.js';

/** One scheduled deadline. */
export interface Deadline {
  readonly due: number;
  callback: (() => void) | null;
}

interface Entry extends Deadline {
  readonly list: DurationList;
}

class DurationList {
  entries: Deadline[] = [];
  head = 0;
  cancelled = 0;
  /** Entries that have neither fired nor been cancelled. */
  live = 0;
  timer: TimerHandle | undefined = undefined;
  /** True while `timer` is a Node.js timer kept armed but unref'd, because no entry is live. */
  dormant = false;
}

/**
 * Refs or unrefs a Node.js timer and returns true, or returns false for the handle of another
 * clock (such as VirtualClock), which has no such switch.
 */
function setTimerRef(handle: TimerHandle | undefined, ref: boolean): boolean {
  const timer = handle as { ref?: unknown; unref?: unknown } | null | undefined;
  if (typeof timer !== 'object' || timer === null) return false;
  if (typeof timer.ref !== 'function' || typeof timer.unref !== 'function') return false;
  if (ref) (timer as NodeJS.Timeout).ref();
  else (timer as NodeJS.Timeout).unref();
  return true;
}

/** @internal Deadlines of one system, on its clock. */
export class DeadlineQueue {
  private readonly lists = new Map<number, DurationList>();
  private live = 0;

  constructor(private readonly clock: Clock) {}

  /** Runs `callback` after `delayMs`; cancel with {@link DeadlineQueue.cancel}. */
  schedule(delayMs: number, callback: () => void): Deadline {
    let list = this.lists.get(delayMs);
    if (list === undefined) {
      list = new DurationList();
      this.lists.set(delayMs, list);
    }
    if (list.dormant) {
      list.dormant = false;
      setTimerRef(list.timer, true);
    }
    const entry: Entry = { due: this.clock.now() + delayMs, callback, list };
    list.entries.push(entry);
    list.live++;
    this.live++;
    if (list.timer === undefined) this.arm(delayMs, list, entry.due);
    return entry;
  }

  /** Cancels a deadline; returns false when it already fired or was cancelled. */
  cancel(entry: Deadline): boolean {
    if (entry.callback === null) return false;
    entry.callback = null;
    this.live--;
    const list = (entry as Entry).list;
    list.live--;
    if (list.live === 0) {
      // Nothing left to fire, so the timer must not keep the Node.js event loop alive. A Node.js
      // timer is unref'd and left armed: sequential calls cancel their deadline and schedule
      // the next one at once, and clearing and arming a timer for each cost them about a third
      // of a round trip. When it fires with nothing live, the list goes. The timer of any other
      // clock is cleared.
      if (setTimerRef(list.timer, false)) {
        list.dormant = true;
        // Popping the one entry of a sequential call keeps the array's storage for the next
        // push; setting length to 0 would drop it.
        if (list.entries.length === 1) list.entries.pop();
        else list.entries.length = 0;
        list.head = 0;
        list.cancelled = 0;
      } else {
        this.drop(list);
      }
      return true;
    }
    list.cancelled++;
    if (list.cancelled > 64 && list.cancelled * 2 > list.entries.length - list.head) this.compact(list);
    return true;
  }

  /** Returns the number of deadlines that have neither fired nor been cancelled. */
  get size(): number {
    return this.live;
  }

  /** Cancels every deadline and its clock timer. */
  clear(): void {
    for (const list of this.lists.values()) {
      if (list.timer !== undefined) this.clock.clearTimeout(list.timer);
    }
    this.lists.clear();
    this.live = 0;
  }

  private drop(list: DurationList): void {
    if (list.timer !== undefined) this.clock.clearTimeout(list.timer);
    list.timer = undefined;
    list.entries = [];
    list.head = 0;
    list.cancelled = 0;
    for (const [duration, candidate] of this.lists) {
      if (candidate === list) {
        this.lists.delete(duration);
        break;
      }
    }
  }

  private compact(list: DurationList): void {
    const kept: Deadline[] = [];
    for (let i = list.head; i < list.entries.length; i++) {
      const entry = list.entries[i]!;
      if (entry.callback !== null) kept.push(entry);
    }
    list.entries = kept;
    list.head = 0;
    list.cancelled = 0;
  }

  private arm(duration: number, list: DurationList, due: number): void {
    list.timer = this.clock.setTimeout(() => this.fire(duration, list), Math.max(0, due - this.clock.now()));
  }

  private fire(duration: number, list: DurationList): void {
    list.timer = undefined;
    list.dormant = false;
    const now = this.clock.now();
    while (list.head < list.entries.length) {
      const entry = list.entries[list.head]!;
      if (entry.callback !== null && entry.due > now) break;
      list.entries[list.head++] = undefined as unknown as Deadline;
      const callback = entry.callback;
      if (callback === null) {
        list.cancelled--;
        continue;
      }
      entry.callback = null;
      list.live--;
      this.live--;
      callback();
    }
    if (list.head >= list.entries.length) {
      list.entries = [];
      list.head = 0;
      list.cancelled = 0;
      if (this.lists.get(duration) === list) this.lists.delete(duration);
      return;
    }
    if (list.head > 1024 && list.head * 2 > list.entries.length) {
      list.entries = list.entries.slice(list.head);
      list.head = 0;
    }
    // A callback that scheduled into this list has armed it already; one timer per list.
    if (list.timer !== undefined) this.clock.clearTimeout(list.timer);
    this.arm(duration, list, list.entries[list.head]!.due);
  }
}
