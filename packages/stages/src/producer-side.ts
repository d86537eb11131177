/**
 * The producer side of a stage (producers and producer-consumers): its consumers, its
 * dispatcher, its buffer, and the demand it forwards upstream.
 *
 * The demand rule: the stage forwards only what its dispatcher could take now (its capacity)
 * beyond the events already buffered and the demand already forwarded but not yet met
 * (`owed`). For a producer the forwarded demand goes to `handleDemand`; for a
 * producer-consumer it lets queued input events through to `handleEvents`.
 */
import { isStarweaveError, type Ref, StarweaveError } from '@starweave/actors';
import {
  type ConsumerLink,
  createDispatcher,
  type Dispatcher,
  type DispatcherOption,
} from './dispatcher.js';
import { type BufferKeep, EventQueue } from './event-queue.js';
import {
  Barrier,
  BarrierMessage,
  CancelNotice,
  EventsMessage,
  type SubscribeMessage,
} from './messages.js';
import type { StageCore } from './stage-core.js';
import { andThen, type Step } from './step.js';

/** A consumer's subscription as the producer records it, with the producer's monitor on it. */
interface Consumer extends ConsumerLink {
  readonly monitor: Ref;
}

/** The buffer and dispatcher settings of a producer side. */
export interface ProducerSettings {
  bufferSize: number;
  bufferKeep: BufferKeep;
  dispatcher: DispatcherOption | undefined;
  accumulate: boolean;
}

/** The consumers, dispatcher and buffer of one stage. */
export class ProducerSide {
  readonly consumers = new Map<number, Consumer>();
  private readonly monitors = new Map<number, Consumer>();
  readonly dispatcher: Dispatcher;
  readonly buffer: EventQueue;
  /** Demand forwarded upstream that no event has met yet. */
  owed = 0;
  /** Events dropped by the buffer or the dispatcher's queues since start. */
  droppedTotal = 0;
  private accumulate: boolean;
  private accumulated = 0;

  constructor(
    private readonly core: StageCore,
    settings: ProducerSettings,
  ) {
    this.buffer = new EventQueue(settings.bufferSize, settings.bufferKeep);
    this.accumulate = settings.accumulate;
    this.dispatcher = createDispatcher(settings.dispatcher);
    const self = core.self;
    this.dispatcher.start(
      {
        send: (link, events) => self.send(link.pid, new EventsMessage(self.pid, link.ref, events)),
        sendBarrier: (link, barrier) =>
          self.send(link.pid, new BarrierMessage(self.pid, link.ref, barrier.checkpointId)),
        dropped: (count, reason) => this.reportDropped(count, reason),
        log: (level, event, fields) => core.log(level, event, fields),
      },
      { size: settings.bufferSize, keep: settings.bufferKeep },
    );
  }

  /** Returns true when `ref` is the ref of the producer's monitor on a consumer. */
  watches(ref: Ref): boolean {
    return this.monitors.has(ref.id);
  }

  /** Handles a new subscription from a consumer. */
  onSubscribe(message: SubscribeMessage): Step {
    const self = this.core.self;
    if (this.consumers.has(message.ref.id)) {
      this.core.log('error', 'stage.duplicate_subscription', { consumer: message.consumer });
      return undefined;
    }
    const consumer: Consumer = {
      pid: message.consumer,
      ref: message.ref,
      options: message.options,
      from: { pid: message.consumer, ref: message.ref },
      monitor: self.monitor(message.consumer),
    };
    this.consumers.set(consumer.ref.id, consumer);
    this.monitors.set(consumer.monitor.id, consumer);

    return this.core.callSubscribe('consumer', consumer.options, consumer.from, (mode) => {
      if (mode === 'manual') {
        return {
          stop: new StarweaveError(
            'ERR_BAD_RETURN',
            `${this.core.label}.handleSubscribe returned demand: 'manual' for a consumer; only consumers may set manual demand on their producers.`,
          ),
        };
      }
      try {
        this.dispatcher.subscribe(consumer);
      } catch (error) {
        if (!isStarweaveError(error)) throw error;
        this.reject(consumer, error);
      }
      return undefined;
    });
  }

  /** Adds a consumer's demand. */
  onAsk(ref: Ref, demand: number): void {
    const consumer = this.consumers.get(ref.id);
    if (consumer === undefined) return;
    if (!Number.isInteger(demand) || demand < 1) {
      this.core.log('error', 'stage.invalid_demand', { consumer: consumer.pid, demand });
      return;
    }
    this.dispatcher.ask(demand, consumer);
  }

  /** Ends the subscription `ref` because it was cancelled; returns false when unknown. */
  cancelByRef(ref: Ref, reason: unknown): Step | false {
    const consumer = this.consumers.get(ref.id);
    if (consumer === undefined) return false;
    return this.cancel(consumer, 'cancel', reason);
  }

  /** Ends the subscription whose consumer exited; `ref` is the producer's monitor. */
  onDown(ref: Ref, reason: unknown): Step {
    const consumer = this.monitors.get(ref.id);
    if (consumer === undefined) return undefined;
    return this.cancel(consumer, 'down', reason);
  }

  private cancel(consumer: Consumer, kind: 'cancel' | 'down', reason: unknown): Step {
    const self = this.core.self;
    this.consumers.delete(consumer.ref.id);
    this.monitors.delete(consumer.monitor.id);
    if (kind === 'cancel') {
      self.demonitor(consumer.monitor, { flush: true });
      self.send(consumer.pid, new CancelNotice(self.pid, consumer.ref, reason as never));
    }
    const step = this.core.callCancel({ kind, reason: reason as never }, consumer.from);
    return andThen(
      step,
      () => {
        this.dispatcher.cancel(consumer);
        return undefined;
      },
      this.core.alive,
    );
  }

  // A dispatcher rejected the subscription: the consumer learns why through a cancel notice.
  private reject(consumer: Consumer, error: StarweaveError): void {
    const self = this.core.self;
    this.consumers.delete(consumer.ref.id);
    this.monitors.delete(consumer.monitor.id);
    self.demonitor(consumer.monitor, { flush: true });
    this.core.log('error', 'stage.subscription_rejected', {
      consumer: consumer.pid,
      reason: error,
    });
    self.send(consumer.pid, new CancelNotice(self.pid, consumer.ref, error));
  }

  /** Dispatches events a callback returned, buffering what the dispatcher cannot take. */
  dispatchEvents(events: unknown[]): void {
    this.owed = Math.max(0, this.owed - events.length);
    if (this.consumers.size === 0 || !this.buffer.isEmpty) {
      this.bufferEvents(events, 0);
      return;
    }
    const rest = this.dispatcher.dispatch(events);
    if (rest.length > 0) this.bufferEvents(rest, 0);
  }

  /** Sends checkpoint barrier `checkpointId` after every event emitted so far. */
  emitBarrier(checkpointId: number): void {
    const barrier = new Barrier(checkpointId);
    if (this.consumers.size === 0 || !this.buffer.isEmpty) this.buffer.pushBarrier(barrier);
    else this.dispatcher.barrier(barrier);
  }

  /**
   * Moves buffered events to consumers and forwards the demand they do not cover. Call after
   * anything that may raise the dispatcher's capacity.
   */
  pump(): Step {
    if (this.consumers.size === 0) return undefined;
    if (!this.buffer.isEmpty) this.drainBuffer();
    const need = this.dispatcher.capacity() - this.buffer.events - this.owed;
    if (need <= 0) return undefined;
    this.owed += need;

    if (this.core.type === 'producerConsumer') {
      return andThen(this.core.consumer!.takeQueued(), () => this.pump(), this.core.alive);
    }
    if (this.accumulate) {
      this.accumulated += need;
      return undefined;
    }
    return andThen(this.core.callDemand(need), () => this.pump(), this.core.alive);
  }

  /** Switches between forwarding demand to `handleDemand` and accumulating it. */
  setDemandMode(mode: 'forward' | 'accumulate'): Step {
    if (mode === 'accumulate') {
      this.accumulate = true;
      return undefined;
    }
    this.accumulate = false;
    const demand = this.accumulated;
    this.accumulated = 0;
    if (demand === 0) return undefined;
    return this.core.callDemand(demand);
  }

  /** Returns the events held in the buffer and the dispatcher's queues. */
  bufferedCount(): number {
    return this.buffer.events + this.dispatcher.bufferedCount();
  }

  private drainBuffer(): void {
    const buffer = this.buffer;
    while (!buffer.isEmpty) {
      const item = buffer.shift(this.dispatcher.capacity());
      if (item === undefined) return;
      if (item instanceof Barrier) {
        this.dispatcher.barrier(item);
        continue;
      }
      const rest = this.dispatcher.dispatch(item);
      if (rest.length > 0) {
        buffer.unshift(rest);
        return;
      }
    }
  }

  private bufferEvents(events: unknown[], from: number): void {
    const dropped = this.buffer.push(events, from);
    if (dropped > 0) this.reportDropped(dropped, 'buffer');
  }

  private reportDropped(count: number, reason: string): void {
    this.droppedTotal += count;
    const fields = {
      pid: this.core.self.pid,
      name: this.core.name,
      dropped: count,
      total: this.droppedTotal,
      reason,
      bufferSize: this.buffer.capacity,
      bufferKeep: this.buffer.keep,
    };
    this.core.log('warn', 'stage.events_dropped', fields);
    this.core.self.system.telemetry.emit('stage.events_dropped', fields);
  }
}
