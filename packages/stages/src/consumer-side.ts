/**
 * The consumer side of a stage (consumers and producer-consumers): its subscriptions to
 * producers, the demand it sends upstream, and the order in which it handles what arrives.
 *
 * Demand follows GenStage: a subscription asks for `maxDemand` at first, hands events to
 * `handleEvents` in batches of at most `maxDemand - minDemand`, and once no more than
 * `minDemand` are in flight asks for exactly enough to get back to `maxDemand`.
 *
 * A producer-consumer handles input only while its consumers have demand it has not met;
 * until then input waits in a queue, in arrival order with the barriers and cancellations of
 * the same subscriptions. During a checkpoint a subscription that has delivered the barrier
 * is held (its later input waits) until the barrier has come from every input.
 */
import {
  describe,
  isNormalReason,
  isStarweaveError,
  type Pid,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import {
  AskMessage,
  BarrierMessage,
  CancelMessage,
  type CancelNotice,
  EventsMessage,
  SubscribeMessage,
} from './messages.js';
import type { StageCore } from './stage-core.js';
import { andThen, eachStep, isThenable, type Step, type Stop } from './step.js';
import { type CancelMode, resolveSubscribeOptions } from './subscription.js';
import type { Subscription } from './types.js';

/** A consumer's record of one subscription to a producer. */
export interface ProducerLink {
  readonly pid: Pid;
  readonly from: Subscription;
  readonly cancel: CancelMode;
  readonly maxDemand: number;
  readonly minDemand: number;
  manual: boolean;
  /** Events asked for and not received yet. */
  demand: number;
  /** Demand to send with the next ask. */
  ask: number;
  /** Input held back during a checkpoint's alignment, or null when flowing. */
  held: Input[] | null;
}

/** A subscription's end, queued like the events before it. */
class CancelInput {
  constructor(
    readonly kind: 'cancel' | 'down',
    readonly reason: Reason,
  ) {}
}

type Input = EventsMessage | BarrierMessage | CancelInput;

interface Queued {
  readonly link: ProducerLink;
  readonly input: Input;
}

/** The outcome of a subscribe request. */
export type SubscribeOutcome =
  | { subscription: Subscription }
  | { error: StarweaveError; stop?: Reason }
  | Stop;

/** The subscriptions of one stage to its producers. */
export class ConsumerSide {
  readonly producers = new Map<number, ProducerLink>();
  // Input of a producer-consumer waiting for downstream demand.
  private readonly queue: Queued[] = [];
  // The checkpoint being aligned and the subscriptions whose barrier has not come yet.
  private alignment: { checkpointId: number; waiting: Set<number> } | null = null;
  private blocked: ProducerLink[] = [];

  constructor(private readonly core: StageCore) {}

  // ---- subscribing ----

  /**
   * Subscribes to a producer: monitors it, sends the subscription, runs `handleSubscribe`
   * and, in automatic mode, asks for `maxDemand`.
   */
  subscribe(input: unknown): SubscribeOutcome | Promise<SubscribeOutcome> {
    let options: ReturnType<typeof resolveSubscribeOptions>;
    try {
      options = resolveSubscribeOptions(input);
    } catch (error) {
      if (isStarweaveError(error)) return { error };
      throw error;
    }
    const self = this.core.self;
    const pid = self.system.resolve(options.to);
    if (pid === undefined) {
      const error = new StarweaveError(
        'ERR_NOPROC',
        `cannot subscribe to ${describe(options.to)}: no such process (noproc). Start the producer first.`,
        { details: { to: options.to, reason: 'noproc' } },
      );
      // As in GenStage, only a temporary subscription survives a missing producer.
      return options.cancel === 'temporary' ? { error } : { error, stop: 'noproc' };
    }
    if (pid.equals(self.pid)) {
      return {
        error: new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `stage ${self.pid} cannot subscribe to itself; subscribe it to another stage.`,
        ),
      };
    }

    const ref = self.monitor(pid);
    const link: ProducerLink = {
      pid,
      from: { pid, ref },
      cancel: options.cancel,
      maxDemand: options.maxDemand,
      minDemand: options.minDemand,
      manual: false,
      demand: 0,
      ask: 0,
      held: null,
    };
    this.producers.set(ref.id, link);
    self.send(pid, new SubscribeMessage(self.pid, ref, options));

    const step = this.core.callSubscribe('producer', options, link.from, (mode) => {
      if (mode === 'manual') {
        link.manual = true;
      } else {
        link.demand = link.maxDemand;
        self.send(pid, new AskMessage(self.pid, ref, link.maxDemand));
      }
      return undefined;
    });
    const done: SubscribeOutcome = { subscription: link.from };
    if (step === undefined) return done;
    if (isThenable(step)) return step.then((outcome) => outcome ?? done);
    return step;
  }

  /** Asks a producer for `demand` more events, as `GenStage.ask` does. */
  askManually(ref: { id: number }, demand: number): boolean {
    const link = this.producers.get(ref.id);
    if (link === undefined) return false;
    link.demand += demand;
    this.core.self.send(link.pid, new AskMessage(this.core.self.pid, link.from.ref, demand));
    return true;
  }

  // ---- arriving input ----

  /** Handles a batch of events from a producer. */
  onEvents(message: EventsMessage): Step {
    const link = this.producers.get(message.ref.id);
    if (link === undefined) {
      // Events of a subscription this stage no longer holds: tell the producer, as GenStage does.
      const self = this.core.self;
      self.send(
        message.producer,
        new CancelMessage(message.ref, unknownSubscription(message.ref.id)),
      );
      return undefined;
    }
    return this.route(link, message);
  }

  /** Handles a checkpoint barrier from a producer. */
  onBarrier(message: BarrierMessage): Step {
    const link = this.producers.get(message.ref.id);
    if (link === undefined) return undefined;
    return this.route(link, message);
  }

  /** Handles the producer's notice that a subscription ended. */
  onCancelNotice(message: CancelNotice): Step {
    const link = this.producers.get(message.ref.id);
    if (link === undefined) return undefined;
    this.core.self.demonitor(link.from.ref, { flush: true });
    return this.route(link, new CancelInput('cancel', message.reason));
  }

  /** Handles the exit of a producer; `ref` is the subscription's ref. */
  onDown(ref: { id: number }, reason: Reason): Step {
    const link = this.producers.get(ref.id);
    if (link === undefined) return undefined;
    return this.route(link, new CancelInput('down', reason));
  }

  /** Forwards a cancel request for one of this stage's subscriptions to its producer. */
  forwardCancel(message: CancelMessage): boolean {
    const link = this.producers.get(message.ref.id);
    if (link === undefined) return false;
    this.core.self.send(link.pid, message);
    return true;
  }

  private route(link: ProducerLink, input: Input): Step {
    if (link.held !== null) {
      link.held.push(input);
      return undefined;
    }
    if (this.core.type === 'producerConsumer') {
      const waits = input instanceof EventsMessage && this.core.producer!.owed <= 0;
      if (this.queue.length > 0 || waits) {
        this.queue.push({ link, input });
        return this.takeQueued();
      }
    }
    return this.handle(link, input);
  }

  /**
   * Handles queued input of a producer-consumer in order: events while consumers have unmet
   * demand, barriers and cancellations when they reach the front.
   */
  takeQueued(): Step {
    const queue = this.queue;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (next.link.held !== null) {
        queue.shift();
        next.link.held.push(next.input);
        continue;
      }
      if (next.input instanceof EventsMessage && this.core.producer!.owed <= 0) return undefined;
      queue.shift();
      const step = this.handle(next.link, next.input);
      if (step !== undefined) return andThen(step, () => this.takeQueued(), this.core.alive);
    }
    return undefined;
  }

  /** Returns true when no input waits in the queue. */
  get queueEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** Returns the events waiting in the input queue. */
  queuedCount(): number {
    let count = 0;
    for (const { input } of this.queue)
      if (input instanceof EventsMessage) count += input.events.length;
    return count;
  }

  private handle(link: ProducerLink, input: Input): Step {
    if (input instanceof EventsMessage) return this.consume(link, input.events);
    if (input instanceof BarrierMessage) return this.align(link, input.checkpointId);
    return this.cancelLink(link, input.kind, input.reason);
  }

  // ---- events and demand ----

  private consume(link: ProducerLink, events: unknown[]): Step {
    // Events beyond what was asked for are handled, but they neither use up demand nor
    // lower the next ask.
    let counted = events.length;
    if (counted > link.demand) {
      counted = link.demand;
      this.core.log('error', 'stage.excess_events', {
        producer: link.pid,
        excess: events.length - link.demand,
      });
    }
    if (link.manual) {
      link.demand -= counted;
      return this.core.callEvents(events, link.from);
    }
    return this.consumeBatches(link, events, 0, counted);
  }

  // Each event counts as a reduction, so a slice under a flood of events yields to Node's
  // event loop as often as a slice of plain messages does.
  private consumeBatches(
    link: ProducerLink,
    events: unknown[],
    start: number,
    counted: number,
  ): Step {
    const size = link.maxDemand - link.minDemand;
    const length = events.length;
    this.core.self.chargeReductions(length - start);
    while (start < length) {
      const end = Math.min(length, start + size);
      const batch = start === 0 && end === length ? events : events.slice(start, end);
      const used = Math.min(batch.length, counted);
      counted -= used;
      link.demand -= used;
      if (link.demand <= link.minDemand) {
        link.ask += link.maxDemand - link.demand;
        link.demand = link.maxDemand;
      }
      const step = this.core.callEvents(batch, link.from);
      start = end;
      if (step !== undefined) {
        if (!isThenable(step)) return step;
        const rest = start;
        const left = counted;
        // The ask goes out once the batch is handled, so a slow consumer holds back its producer.
        return andThen(
          step,
          () => {
            this.flushAsk(link);
            return this.consumeBatches(link, events, rest, left);
          },
          this.core.alive,
        );
      }
    }
    this.flushAsk(link);
    return undefined;
  }

  private flushAsk(link: ProducerLink): void {
    if (link.ask === 0) return;
    const demand = link.ask;
    link.ask = 0;
    if (!this.producers.has(link.from.ref.id)) return;
    this.core.self.send(link.pid, new AskMessage(this.core.self.pid, link.from.ref, demand));
  }

  // ---- cancellation ----

  private cancelLink(link: ProducerLink, kind: 'cancel' | 'down', reason: Reason): Step {
    if (!this.producers.delete(link.from.ref.id)) return undefined;
    const step = this.core.callCancel({ kind, reason }, link.from);
    return andThen(
      step,
      () => {
        if (
          link.cancel === 'permanent' ||
          (link.cancel === 'transient' && !isNormalReason(reason))
        ) {
          // A producer-consumer whose input ended normally first sends on what it holds.
          if (isNormalReason(reason) && this.core.producer !== null)
            return this.core.stopWhenDrained(reason);
          return { stop: reason };
        }
        return this.inputGone(link);
      },
      this.core.alive,
    );
  }

  // ---- checkpoint alignment ----

  private align(link: ProducerLink, checkpointId: number): Step {
    const current = this.alignment;
    if (current !== null && checkpointId < current.checkpointId) {
      this.core.log('warn', 'stage.stale_barrier', { checkpointId, current: current.checkpointId });
      return undefined;
    }
    if (current !== null && checkpointId > current.checkpointId) {
      // A newer checkpoint overtook one that can no longer complete: give up the older one.
      this.core.log('warn', 'stage.checkpoint_abandoned', {
        checkpointId: current.checkpointId,
        newer: checkpointId,
      });
      this.alignment = null;
      this.blocked.push(link);
      link.held = [new BarrierMessage(link.pid, link.from.ref, checkpointId)];
      return this.release();
    }

    const alignment = current ?? { checkpointId, waiting: new Set(this.producers.keys()) };
    this.alignment = alignment;
    alignment.waiting.delete(link.from.ref.id);
    if (alignment.waiting.size > 0) {
      link.held = [];
      this.blocked.push(link);
      return undefined;
    }
    return this.aligned(checkpointId);
  }

  private inputGone(link: ProducerLink): Step {
    const alignment = this.alignment;
    if (alignment === null || !alignment.waiting.delete(link.from.ref.id)) return undefined;
    if (alignment.waiting.size > 0) return undefined;
    return this.aligned(alignment.checkpointId);
  }

  private aligned(checkpointId: number): Step {
    this.alignment = null;
    return andThen(
      this.core.checkpointReached(checkpointId),
      () => this.release(),
      this.core.alive,
    );
  }

  // Lets held input flow again, oldest first within each subscription.
  private release(): Step {
    const links = this.blocked;
    this.blocked = [];
    const held: Queued[] = [];
    for (const link of links) {
      const inputs = link.held ?? [];
      link.held = null;
      for (const input of inputs) held.push({ link, input });
    }
    if (this.core.type === 'producerConsumer') {
      this.queue.unshift(...held);
      return this.takeQueued();
    }
    return eachStep(
      held.length,
      (index) => this.route(held[index]!.link, held[index]!.input),
      this.core.alive,
    );
  }
}

function unknownSubscription(id: number): StarweaveError {
  return new StarweaveError(
    'ERR_NOT_FOUND',
    `subscription ${id} is unknown to this consumer; it was cancelled or never made.`,
    { details: { ref: id } },
  );
}
