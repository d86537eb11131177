/**
 * Dynamic batching for one handler of one worker: requests are collected until the batch has
 * `maxBatchSize` of them or the first has waited `maxWaitMs`, whichever comes first, and then
 * go out as one `batch` frame.
 */
import type { Clock, TimerHandle } from '@starweave/actors';
import type { ResolvedBatch } from './options.js';
import type { PendingRequest } from './pending-request.js';

/** Collects the requests of one batch handler. */
export class Batcher {
  private items: PendingRequest[] = [];
  private timer: TimerHandle | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    readonly handler: string,
    readonly options: ResolvedBatch,
    private readonly clock: Clock,
    private readonly send: (handler: string, batch: PendingRequest[]) => void,
  ) {}

  /** Returns the number of requests collected and not yet sent. */
  get size(): number {
    return this.items.length;
  }

  /** Adds a request; sends the batch when it is full. */
  add(request: PendingRequest): void {
    request.state = 'batched';
    this.items.push(request);
    if (this.items.length >= this.options.maxBatchSize) {
      this.flush();
    } else if (this.items.length === 1) {
      // A wait of 0 still collects the requests made in the same turn of the event loop.
      if (this.options.maxWaitMs === 0) this.immediate = setImmediate(() => this.flush());
      else this.timer = this.clock.setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
  }

  /** Takes a request out of the batch being collected (it was cancelled or timed out). */
  remove(request: PendingRequest): void {
    const index = this.items.indexOf(request);
    if (index === -1) return;
    this.items.splice(index, 1);
    if (this.items.length === 0) this.clearTimer();
  }

  /** Sends what has been collected now. */
  flush(): void {
    this.clearTimer();
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.send(this.handler, batch);
  }

  /** Drops the collected requests without sending them and returns them. */
  takeAll(): PendingRequest[] {
    this.clearTimer();
    const batch = this.items;
    this.items = [];
    return batch;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
