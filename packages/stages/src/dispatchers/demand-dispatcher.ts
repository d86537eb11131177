/**
 * The demand dispatcher, the default: each batch goes to the consumer with the most pending
 * demand, so consumers share the events as they can take them. Give every consumer the same
 * `maxDemand`, or the greedier ones get more.
 */

import type { ConsumerLink, Dispatcher, DispatchTarget } from '../dispatcher.js';
import type { Barrier } from '../messages.js';

/** Options of the demand dispatcher. */
export interface DemandDispatcherOptions {
  /**
   * Shuffles the subscriptions once before the first dispatch, so the first subscriber does
   * not take the whole first batch. Default false.
   */
  shuffleDemandsOnFirstDispatch?: boolean;
  /** The largest single ask expected; a larger one logs a warning. Default: the first ask. */
  maxDemand?: number;
}

interface Entry {
  readonly link: ConsumerLink;
  demand: number;
}

const NO_EVENTS: unknown[] = [];

/** Sends each batch to the subscription with the highest pending demand. */
export class DemandDispatcher implements Dispatcher {
  // Ordered by demand, highest first; among equals, the one that reached it first comes first.
  private entries: Entry[] = [];
  private readonly byRef = new Map<number, Entry>();
  private total = 0;
  private maxDemand: number | undefined;
  private shuffle: boolean;
  private target!: DispatchTarget;

  constructor(options: DemandDispatcherOptions = {}) {
    this.shuffle = options.shuffleDemandsOnFirstDispatch === true;
    this.maxDemand = options.maxDemand;
  }

  start(target: DispatchTarget): void {
    this.target = target;
  }

  subscribe(link: ConsumerLink): void {
    const entry: Entry = { link, demand: 0 };
    this.entries.push(entry);
    this.byRef.set(link.ref.id, entry);
  }

  cancel(link: ConsumerLink): void {
    const entry = this.byRef.get(link.ref.id);
    if (entry === undefined) return;
    this.byRef.delete(link.ref.id);
    this.entries.splice(this.entries.indexOf(entry), 1);
    this.total -= entry.demand;
  }

  ask(demand: number, link: ConsumerLink): void {
    const entry = this.byRef.get(link.ref.id);
    if (entry === undefined) return;
    if (this.maxDemand === undefined) {
      this.maxDemand = demand;
    } else if (demand > this.maxDemand) {
      this.target.log('warn', 'stage.uneven_demand', {
        consumer: link.pid,
        demand,
        maxDemand: this.maxDemand,
      });
    }

    this.entries.splice(this.entries.indexOf(entry), 1);
    entry.demand += demand;
    this.total += demand;
    this.insert(entry);
  }

  capacity(): number {
    return this.total;
  }

  dispatch(events: unknown[]): unknown[] {
    if (this.shuffle) {
      this.shuffle = false;
      shuffleInPlace(this.entries);
    }
    const length = events.length;
    let start = 0;
    while (start < length) {
      const top = this.entries[0];
      if (top === undefined || top.demand === 0) break;
      const count = Math.min(top.demand, length - start);
      const batch = start === 0 && count === length ? events : events.slice(start, start + count);
      this.target.send(top.link, batch);
      start += count;
      top.demand -= count;
      this.total -= count;
      if (this.entries.length > 1) {
        this.entries.shift();
        this.insert(top);
      }
    }
    if (start === 0) return events;
    return start === length ? NO_EVENTS : events.slice(start);
  }

  barrier(barrier: Barrier): void {
    for (const entry of this.entries) this.target.sendBarrier(entry.link, barrier);
  }

  bufferedCount(): number {
    return 0;
  }

  private insert(entry: Entry): void {
    const entries = this.entries;
    let index = 0;
    while (index < entries.length && entries[index]!.demand >= entry.demand) index++;
    entries.splice(index, 0, entry);
  }
}

function shuffleInPlace<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
}
