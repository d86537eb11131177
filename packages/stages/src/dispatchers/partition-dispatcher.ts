/**
 * The partition dispatcher: a hash of each event picks its partition, and each partition has
 * at most one consumer. Events for a partition without a consumer, or beyond its consumer's
 * demand, wait in that partition's queue, which the producer's buffer size bounds. A backed-up
 * partition slows the others, because the producer forwards demand for all of them together.
 */
import { describe, invalidArgument, StarweaveError } from '@starweave/actors';
import type { ConsumerLink, Dispatcher, DispatchTarget } from '../dispatcher.js';
import { type BufferKeep, EventQueue } from '../event-queue.js';
import { Barrier } from '../messages.js';
import { hashValue } from './hash.js';

/** A partition's name. */
export type PartitionKey = string | number;

/** Options of the partition dispatcher. */
export interface PartitionDispatcherOptions {
  /** The partitions: a count (named 0 to count - 1) or a list of names. */
  partitions: number | readonly PartitionKey[];
  /**
   * Picks the partition of an event; `null` drops the event. Default: a stable hash of the
   * event modulo the number of partitions.
   */
  hash?: (event: any) => PartitionKey | null;
}

interface Partition {
  readonly key: PartitionKey;
  link: ConsumerLink | null;
  demand: number;
  queue: EventQueue;
  // Events of the current dispatch bound for this partition.
  batch: unknown[] | null;
}

const NO_EVENTS: unknown[] = [];

/** Sends each event to the consumer of the partition its hash picks. */
export class PartitionDispatcher implements Dispatcher {
  private readonly partitions = new Map<PartitionKey, Partition>();
  private readonly order: Partition[] = [];
  private readonly byRef = new Map<number, Partition>();
  private readonly hash: (event: unknown) => PartitionKey | null;
  // Events the producer may hand over now: all demand asked, less the events taken since.
  private waiting = 0;
  private target!: DispatchTarget;

  constructor(options: PartitionDispatcherOptions) {
    if (options === null || typeof options !== 'object') {
      invalidArgument('dispatcher', "{ type: 'partition', partitions, hash? }", options);
    }
    const keys = partitionKeys(options.partitions);
    for (const key of keys) {
      this.partitions.set(key, {
        key,
        link: null,
        demand: 0,
        queue: new EventQueue(Number.POSITIVE_INFINITY, 'last'),
        batch: null,
      });
    }
    this.order = [...this.partitions.values()];
    if (options.hash !== undefined && typeof options.hash !== 'function') {
      invalidArgument('dispatcher.hash', 'a function (event) => partition', options.hash);
    }
    this.hash = options.hash ?? ((event) => keys[hashValue(event) % keys.length]!);
  }

  start(target: DispatchTarget, buffer: { size: number; keep: BufferKeep }): void {
    this.target = target;
    for (const partition of this.order) partition.queue = new EventQueue(buffer.size, buffer.keep);
  }

  subscribe(link: ConsumerLink): void {
    const key = link.options.partition;
    if (key === undefined) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `consumer ${link.pid} subscribed to a partition dispatcher without a partition; pass partition: one of ${describe(this.keys())}.`,
        { details: { consumer: link.pid } },
      );
    }
    const partition = this.partitions.get(key);
    if (partition === undefined) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid partition: expected one of ${describe(this.keys())}, received ${describe(key)}.`,
        { details: { consumer: link.pid, partition: key } },
      );
    }
    if (partition.link !== null) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `partition ${describe(key)} is already taken by ${partition.link.pid}; cancel that subscription first or pick another partition.`,
        { details: { consumer: link.pid, partition: key, holder: partition.link.pid } },
      );
    }
    partition.link = link;
    this.byRef.set(link.ref.id, partition);
  }

  cancel(link: ConsumerLink): void {
    const partition = this.byRef.get(link.ref.id);
    if (partition === undefined) return;
    this.byRef.delete(link.ref.id);
    partition.link = null;
    // The demand stays forwarded: the events it brings wait in the queue for a new consumer.
    partition.demand = 0;
  }

  ask(demand: number, link: ConsumerLink): void {
    const partition = this.byRef.get(link.ref.id);
    if (partition === undefined) return;
    this.waiting += demand;
    let left = demand;
    while (!partition.queue.isEmpty) {
      const item = partition.queue.shift(left);
      if (item === undefined) break;
      if (item instanceof Barrier) {
        this.target.sendBarrier(link, item);
        continue;
      }
      this.target.send(link, item);
      left -= item.length;
    }
    partition.demand += left;
  }

  capacity(): number {
    return this.waiting;
  }

  dispatch(events: unknown[]): unknown[] {
    if (this.waiting === 0) return events;
    const length = events.length;
    const count = Math.min(this.waiting, length);
    this.waiting -= count;

    let discarded = 0;
    for (let i = 0; i < count; i++) {
      const event = events[i];
      const key = this.hash(event);
      const partition = key === null ? undefined : this.partitions.get(key);
      if (partition === undefined) {
        if (key !== null) this.reportUnknown(key, event);
        discarded++;
        continue;
      }
      if (partition.batch === null) partition.batch = [event];
      else partition.batch.push(event);
    }
    if (discarded > 0) this.target.dropped(discarded, 'partition');

    for (const partition of this.order) {
      const batch = partition.batch;
      if (batch === null) continue;
      partition.batch = null;
      this.deliver(partition, batch);
    }
    if (count === length) return NO_EVENTS;
    return events.slice(count);
  }

  barrier(barrier: Barrier): void {
    for (const partition of this.order) {
      if (!partition.queue.isEmpty) partition.queue.pushBarrier(barrier);
      else if (partition.link !== null) this.target.sendBarrier(partition.link, barrier);
    }
  }

  bufferedCount(): number {
    let count = 0;
    for (const partition of this.order) count += partition.queue.events;
    return count;
  }

  private deliver(partition: Partition, batch: unknown[]): void {
    let from = 0;
    if (partition.link !== null && partition.queue.isEmpty && partition.demand > 0) {
      const count = Math.min(partition.demand, batch.length);
      this.target.send(partition.link, count === batch.length ? batch : batch.slice(0, count));
      partition.demand -= count;
      from = count;
    }
    if (from < batch.length) {
      const dropped = partition.queue.push(batch, from);
      if (dropped > 0) this.target.dropped(dropped, 'partition_queue');
    }
  }

  private reportUnknown(key: PartitionKey, event: unknown): void {
    this.target.log('error', 'stage.unknown_partition', {
      partition: key,
      partitions: this.keys(),
      event,
    });
  }

  private keys(): PartitionKey[] {
    return this.order.map((partition) => partition.key);
  }
}

function partitionKeys(partitions: unknown): PartitionKey[] {
  if (typeof partitions === 'number') {
    if (!Number.isInteger(partitions) || partitions < 1) {
      invalidArgument(
        'dispatcher.partitions',
        'a count of at least 1 or a list of names',
        partitions,
      );
    }
    return Array.from({ length: partitions }, (_, index) => index);
  }
  if (!Array.isArray(partitions) || partitions.length === 0) {
    return invalidArgument(
      'dispatcher.partitions',
      'a count of at least 1 or a list of names',
      partitions,
    );
  }
  const keys = new Set<PartitionKey>();
  for (const key of partitions) {
    if ((typeof key !== 'string' && typeof key !== 'number') || keys.has(key)) {
      invalidArgument('dispatcher.partitions', 'distinct string or number names', partitions);
    }
    keys.add(key);
  }
  return [...keys];
}
