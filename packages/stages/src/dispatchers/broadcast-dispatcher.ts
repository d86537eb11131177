/**
 * The broadcast dispatcher: every event goes to every consumer, so the slowest consumer sets
 * the pace. A subscription's `selector` filters what that consumer receives; the events it
 * filters out count as delivered to it, so they do not use up its demand.
 */
import { StarweaveError } from '@starweave/actors';
import type { ConsumerLink, Dispatcher, DispatchTarget } from '../dispatcher.js';
import type { Barrier } from '../messages.js';

interface Entry {
  readonly link: ConsumerLink;
  readonly selector: ((event: unknown) => boolean) | undefined;
  // The position in the broadcast sequence up to which this consumer has asked.
  limit: number;
}

const NO_EVENTS: unknown[] = [];

/** Sends every event to every subscription, within the smallest demand among them. */
export class BroadcastDispatcher implements Dispatcher {
  private entries: Entry[] = [];
  // Events broadcast so far. A consumer that subscribes receives the events from this
  // position on, and only within what it asks for, so it starts as the slowest.
  private position = 0;
  private target!: DispatchTarget;

  start(target: DispatchTarget): void {
    this.target = target;
  }

  subscribe(link: ConsumerLink): void {
    for (const entry of this.entries) {
      if (entry.link.pid.equals(link.pid)) {
        throw new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `consumer ${link.pid} is already subscribed to this broadcast producer; a consumer subscribes to it at most once.`,
          { details: { consumer: link.pid } },
        );
      }
    }
    this.entries.push({ link, selector: link.options.selector, limit: this.position });
  }

  cancel(link: ConsumerLink): void {
    const index = this.entries.findIndex((entry) => entry.link.ref.equals(link.ref));
    if (index >= 0) this.entries.splice(index, 1);
  }

  ask(demand: number, link: ConsumerLink): void {
    const entry = this.entries.find((candidate) => candidate.link.ref.equals(link.ref));
    if (entry !== undefined) entry.limit += demand;
  }

  capacity(): number {
    if (this.entries.length === 0) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (const entry of this.entries) if (entry.limit < min) min = entry.limit;
    return Math.max(0, min - this.position);
  }

  dispatch(events: unknown[]): unknown[] {
    const capacity = this.capacity();
    if (capacity === 0) return events;
    const length = events.length;
    const count = Math.min(capacity, length);
    const now = count === length ? events : events.slice(0, count);
    this.position += count;

    for (const entry of this.entries) {
      if (entry.selector === undefined) {
        this.target.send(entry.link, now);
        continue;
      }
      const selected = now.filter(entry.selector);
      // Filtered-out events were never sent, so the consumer may still receive that many.
      entry.limit += now.length - selected.length;
      if (selected.length > 0) this.target.send(entry.link, selected);
    }
    if (count === length) return NO_EVENTS;
    return events.slice(count);
  }

  barrier(barrier: Barrier): void {
    for (const entry of this.entries) this.target.sendBarrier(entry.link, barrier);
  }

  bufferedCount(): number {
    return 0;
  }
}
