/**
 * The stage core: one per stage process. It runs as a GenServer whose state is the user's
 * state, routes the stage protocol's messages to the producer and consumer sides, calls the
 * user's callbacks and checks what they return.
 */
import {
  describe,
  type From,
  type GenServer,
  invalidArgument,
  isReason,
  type ProcessContext,
  type Reason,
  Ref,
  StarweaveError,
} from '@starweave/actors';
import { TriggerCheckpoint } from './checkpoint/checkpoint-messages.js';
import type { CheckpointOptions } from './checkpoint/checkpoint-options.js';
import { CheckpointParticipant } from './checkpoint/participant.js';
import { ConsumerSide } from './consumer-side.js';
import {
  AskMessage,
  BarrierMessage,
  BufferedCountRequest,
  CancelMessage,
  CancelNotice,
  DemandModeRequest,
  EventsMessage,
  SubscribeMessage,
  SubscribeRequest,
} from './messages.js';
import { ProducerSide } from './producer-side.js';
import { andThen, isThenable, type Step, thenValue } from './step.js';
import type { SubscribeOptions } from './subscription.js';
import type { Cancellation, StageSpec, StageType, Subscription } from './types.js';

type AnySpec = StageSpec<unknown, unknown>;
type NoReply = { noreply: true; state: unknown } | { stop: Reason; state: unknown };
type Maybe<T> = T | Promise<T>;

const stages = new WeakMap<ProcessContext, StageCore>();

/** Returns the stage core that runs in the process of `ctx`, if that process is a stage. */
export function stageOf(ctx: ProcessContext): StageCore | undefined {
  return stages.get(ctx);
}

const LABELS: Record<StageType, string> = {
  producer: 'Producer',
  producerConsumer: 'ProducerConsumer',
  consumer: 'Consumer',
};

/** The state and behaviour of one stage process. */
export class StageCore {
  readonly label: string;
  state: unknown = undefined;
  self!: ProcessContext;
  producer: ProducerSide | null = null;
  consumer: ConsumerSide | null = null;
  /** Returns true while the stage's process is alive. */
  readonly alive = (): boolean => this.self.system.isAlive(this.self.pid);
  private readonly noreply = { noreply: true as const, state: undefined as unknown };
  private readonly pumpProducer = (): Step =>
    andThen(this.producer!.pump(), this.stopIfDrained, this.alive);
  // A normal stop that waits until the buffer has gone to the consumers.
  private drainingStop: Reason | null = null;
  private readonly stopIfDrained = (): Step => {
    const reason = this.drainingStop;
    if (reason === null) return undefined;
    const producer = this.producer!;
    const drained =
      producer.buffer.isEmpty &&
      producer.dispatcher.bufferedCount() === 0 &&
      this.consumer!.queueEmpty;
    if (drained || producer.consumers.size === 0) return { stop: reason };
    return undefined;
  };
  private readonly participant = new CheckpointParticipant(this);

  constructor(
    readonly spec: AnySpec,
    readonly checkpoint: CheckpointOptions | undefined,
    readonly name: string | undefined,
  ) {
    this.label = spec.name ?? LABELS[spec.type];
  }

  get type(): StageType {
    return this.spec.type;
  }

  /** Returns the GenServer spec that runs this stage. */
  serverSpec(): GenServer.Spec<unknown, unknown> {
    return {
      name: this.label,
      init: (arg, self) => this.init(arg, self) as never,
      handleCall: (request, from) => this.handleCall(request, from) as never,
      handleCast: (request) =>
        this.afterStep(this.callResult('handleCast', this.callCast(request))) as never,
      handleInfo: (message) => this.afterStep(this.route(message)) as never,
      terminate: (reason, _state, self) => this.spec.terminate?.(reason, this.state, self),
    };
  }

  // ---- init ----

  private init(arg: unknown, self: ProcessContext): unknown {
    this.self = self;
    stages.set(self, this);
    return thenValue(this.spec.init(arg, self), (result) => this.afterInit(result));
  }

  private afterInit(result: unknown): unknown {
    if (!isObject(result)) return { stop: this.badReturn('init', result) };
    if (result.ignore === true) return { ignore: true };
    if ('stop' in result) return { stop: result.stop };
    if (!('state' in result)) return { stop: this.badReturn('init', result) };
    this.state = result.state;
    try {
      this.setUp(result);
    } catch (error) {
      return { stop: error };
    }
    return thenValue(this.participant.restore(), () =>
      thenValue(
        this.subscribeAll((result.subscribeTo as unknown[] | undefined) ?? [], 0),
        (stop) => {
          if (stop !== undefined) return stop;
          this.participant.register();
          return { state: this.state };
        },
      ),
    );
  }

  private setUp(options: Record<string, unknown>): void {
    const type = this.spec.type;
    if (type !== 'consumer') {
      const bufferSize =
        options.bufferSize ?? (type === 'producer' ? 10_000 : Number.POSITIVE_INFINITY);
      if (
        bufferSize !== Number.POSITIVE_INFINITY &&
        (!Number.isInteger(bufferSize) || (bufferSize as number) < 0)
      ) {
        invalidArgument('init result bufferSize', 'a non-negative integer or Infinity', bufferSize);
      }
      const bufferKeep = options.bufferKeep ?? 'last';
      if (bufferKeep !== 'first' && bufferKeep !== 'last') {
        invalidArgument('init result bufferKeep', "'first' or 'last'", bufferKeep);
      }
      const demand = options.demand ?? 'forward';
      if (demand !== 'forward' && demand !== 'accumulate') {
        invalidArgument('init result demand', "'forward' or 'accumulate'", demand);
      }
      this.producer = new ProducerSide(this, {
        bufferSize: bufferSize as number,
        bufferKeep,
        dispatcher: options.dispatcher as never,
        accumulate: demand === 'accumulate',
      });
    }
    if (type !== 'producer') {
      if (options.subscribeTo !== undefined && !Array.isArray(options.subscribeTo)) {
        invalidArgument(
          'init result subscribeTo',
          'an array of producers or subscribe options',
          options.subscribeTo,
        );
      }
      this.consumer = new ConsumerSide(this);
    } else if (options.subscribeTo !== undefined) {
      invalidArgument(
        'init result subscribeTo',
        'nothing for a producer, which has no producers',
        options.subscribeTo,
      );
    }
  }

  private subscribeAll(list: unknown[], index: number): Maybe<{ stop: Reason } | undefined> {
    if (index >= list.length) return undefined;
    return thenValue(this.consumer!.subscribe(list[index]), (outcome) => {
      if ('stop' in outcome && !('error' in outcome)) return { stop: outcome.stop as Reason };
      if ('error' in outcome) {
        if (outcome.stop !== undefined) return { stop: outcome.error };
        this.log('warn', 'stage.subscribe_failed', { reason: outcome.error });
      }
      return this.subscribeAll(list, index + 1);
    });
  }

  /**
   * Runs when checkpoint `checkpointId` has reached this stage from all its inputs (or, for a
   * source, when the coordinator triggered it); see {@link CheckpointParticipant.reached}.
   */
  checkpointReached(checkpointId: number): Step {
    return this.participant.reached(checkpointId);
  }

  // ---- messages ----

  // Ends the handling of a message: a producer side forwards the demand it may now have.
  private afterStep(step: Step): Maybe<NoReply> {
    return this.finish(
      this.producer === null ? step : andThen(step, this.pumpProducer, this.alive),
    );
  }

  private route(message: unknown): Step {
    if (message instanceof EventsMessage) {
      if (this.consumer !== null) return this.consumer.onEvents(message);
      return this.misdirected(message);
    }
    if (message instanceof AskMessage) {
      if (this.producer !== null) this.producer.onAsk(message.ref, message.demand);
      return undefined;
    }
    if (message instanceof SubscribeMessage) {
      if (this.producer !== null) return this.producer.onSubscribe(message);
      this.self.send(
        message.consumer,
        new CancelNotice(
          this.self.pid,
          message.ref,
          new StarweaveError(
            'ERR_INVALID_ARGUMENT',
            `stage ${this.self.pid} is a consumer and takes no subscriptions.`,
          ),
        ),
      );
      return undefined;
    }
    if (message instanceof CancelMessage) {
      const step = this.producer?.cancelByRef(message.ref, message.reason) ?? false;
      if (step !== false) return step;
      this.consumer?.forwardCancel(message);
      return undefined;
    }
    if (message instanceof CancelNotice) return this.consumer?.onCancelNotice(message);
    if (message instanceof BarrierMessage) return this.consumer?.onBarrier(message);
    if (message instanceof TriggerCheckpoint) return this.onTrigger(message.checkpointId);
    if (isDown(message)) {
      if (this.consumer?.producers.has(message.ref.id))
        return this.consumer.onDown(message.ref, message.reason);
      if (this.producer?.watches(message.ref))
        return this.producer.onDown(message.ref, message.reason);
    }
    return this.callResult('handleInfo', this.callInfo(message));
  }

  private misdirected(message: unknown): Step {
    this.log('error', 'stage.misdirected_message', { message });
    return undefined;
  }

  private onTrigger(checkpointId: number): Step {
    if (this.type !== 'producer') {
      this.log('warn', 'stage.trigger_ignored', { checkpointId, type: this.type });
      return undefined;
    }
    return this.checkpointReached(checkpointId);
  }

  private handleCall(request: unknown, from: From): unknown {
    if (request instanceof SubscribeRequest) return this.callSubscribeRequest(request);
    if (request instanceof DemandModeRequest) {
      if (this.producer === null || this.type !== 'producer') {
        return this.reply(
          invalid(`stage ${this.self.pid} is not a producer, so it has no demand mode`),
        );
      }
      return thenValue(this.afterStep(this.producer.setDemandMode(request.mode)), (result) =>
        'stop' in result ? result : this.reply({ ok: true }),
      );
    }
    if (request instanceof BufferedCountRequest) {
      const count = (this.producer?.bufferedCount() ?? 0) + (this.consumer?.queuedCount() ?? 0);
      return this.reply({ ok: count });
    }

    const handleCall = this.spec.handleCall;
    if (handleCall === undefined) {
      throw new StarweaveError(
        'ERR_BAD_CALL',
        `${this.label} got the call ${describe(request)} but defines no handleCall`,
        {
          details: { request },
        },
      );
    }
    return thenValue(handleCall(request, from, this.state, this.self) as unknown, (result) =>
      this.applyCall(result),
    );
  }

  private callSubscribeRequest(request: SubscribeRequest): unknown {
    if (this.consumer === null) {
      return this.reply(
        invalid(
          `stage ${this.self.pid} is a producer; only consumers and producer-consumers subscribe`,
        ),
      );
    }
    return thenValue(this.consumer.subscribe(request.options), (outcome) => {
      if ('subscription' in outcome) return this.reply({ ok: outcome.subscription });
      if ('error' in outcome) {
        if (outcome.stop !== undefined)
          return { stop: outcome.stop, reply: { error: outcome.error }, state: this.state };
        return this.reply({ error: outcome.error });
      }
      return {
        stop: outcome.stop,
        reply: { error: invalid('the stage stopped in handleSubscribe') },
        state: this.state,
      };
    });
  }

  private applyCall(result: unknown): unknown {
    if (!isObject(result) || !('state' in result))
      return { stop: this.badReturn('handleCall', result), state: this.state };
    if ('stop' in result) {
      this.state = result.state;
      return result;
    }
    this.state = result.state;
    return thenValue(this.afterStep(this.emitFrom('handleCall', result.events)), (outcome) => {
      if ('stop' in outcome) return outcome;
      if ('reply' in result) return { reply: result.reply, state: this.state };
      if (result.noreply === true) return { noreply: true, state: this.state };
      return { stop: this.badReturn('handleCall', result), state: this.state };
    });
  }

  private reply(value: unknown): { reply: unknown; state: unknown } {
    return { reply: value, state: this.state };
  }

  /**
   * Stops with `reason` once the events in the stage's buffer and input queue have gone to its
   * consumers, or at once when it has no consumers.
   */
  stopWhenDrained(reason: Reason): Step {
    this.drainingStop = reason;
    return undefined;
  }

  // ---- callbacks ----

  /** Calls `handleDemand`. */
  callDemand(demand: number): Step {
    const spec = this.spec;
    if (spec.type !== 'producer') return undefined;
    return this.callResult('handleDemand', spec.handleDemand(demand, this.state, this.self));
  }

  /** Calls `handleEvents`. */
  callEvents(events: unknown[], from: Subscription): Step {
    const spec = this.spec;
    if (spec.type === 'producer') return undefined;
    return this.callResult('handleEvents', spec.handleEvents(events, from, this.state, this.self));
  }

  /** Calls `handleCancel`, when the spec defines it. */
  callCancel(cancellation: Cancellation, from: Subscription): Step {
    const handleCancel = this.spec.handleCancel;
    if (handleCancel === undefined) return undefined;
    return this.callResult('handleCancel', handleCancel(cancellation, from, this.state, this.self));
  }

  /**
   * Calls `handleSubscribe` (automatic demand when the spec has none), then `next` with the
   * demand mode it chose.
   */
  callSubscribe(
    kind: 'producer' | 'consumer',
    options: SubscribeOptions,
    from: Subscription,
    next: (mode: 'automatic' | 'manual') => Step,
  ): Step {
    const handleSubscribe = this.spec.handleSubscribe;
    if (handleSubscribe === undefined) return next('automatic');
    const apply = (result: unknown): Step => {
      if (!isObject(result) || !('state' in result))
        return { stop: this.badReturn('handleSubscribe', result) };
      this.state = result.state;
      if ('stop' in result) return { stop: result.stop as Reason };
      const mode = result.demand ?? 'automatic';
      if (mode !== 'automatic' && mode !== 'manual')
        return { stop: this.badReturn('handleSubscribe', result) };
      return next(mode);
    };
    const result = handleSubscribe(kind, options, from, this.state, this.self);
    if (!isThenable(result)) return apply(result);
    return Promise.resolve(result).then((value) => (this.alive() ? apply(value) : undefined));
  }

  private callInfo(message: unknown): unknown {
    const handleInfo = this.spec.handleInfo;
    if (handleInfo === undefined) {
      this.log('warn', 'stage.unexpected_message', { message });
      return { state: this.state };
    }
    return handleInfo(message, this.state, this.self);
  }

  private callCast(request: unknown): unknown {
    const handleCast = this.spec.handleCast;
    if (handleCast === undefined) {
      throw new StarweaveError(
        'ERR_BAD_CALL',
        `${this.label} got a cast ${describe(request)} but defines no handleCast`,
        {
          details: { request },
        },
      );
    }
    return handleCast(request, this.state, this.self);
  }

  /**
   * Checks what a callback returned (`{ events?, state }` or `{ stop, state }`), takes the new
   * state and dispatches the events.
   */
  callResult(callback: string, value: unknown): Step {
    if (isThenable(value)) {
      return Promise.resolve(value).then((result) =>
        this.alive() ? this.applyResult(callback, result) : undefined,
      );
    }
    return this.applyResult(callback, value);
  }

  private applyResult(callback: string, result: unknown): Step {
    if (!isObject(result) || !('state' in result))
      return { stop: this.badReturn(callback, result) };
    this.state = result.state;
    if ('stop' in result) {
      if (!isReason(result.stop)) return { stop: this.badReturn(callback, result) };
      return { stop: result.stop };
    }
    return this.emitFrom(callback, result.events);
  }

  private emitFrom(callback: string, events: unknown): Step {
    if (events === undefined) return undefined;
    if (!Array.isArray(events)) return { stop: this.badReturn(callback, { events }) };
    if (events.length === 0) return undefined;
    if (this.producer === null) {
      this.log('error', 'stage.consumer_events', { callback, count: events.length });
      return undefined;
    }
    this.producer.dispatchEvents(events);
    return undefined;
  }

  /** Turns a step into what the GenServer loop expects from a callback. */
  finish(step: Step): Maybe<NoReply> {
    if (step === undefined) {
      this.noreply.state = this.state;
      return this.noreply;
    }
    if (isThenable(step)) return step.then((outcome) => this.finish(outcome));
    return { stop: step.stop, state: this.state };
  }

  /** Logs an event with the stage's pid and name. */
  log(
    level: 'debug' | 'info' | 'warn' | 'error',
    event: string,
    fields: Record<string, unknown>,
  ): void {
    this.self.system.logger.log(level, event, {
      pid: this.self.pid,
      name: this.name,
      label: this.label,
      ...fields,
    });
  }

  private badReturn(callback: string, value: unknown): StarweaveError {
    return new StarweaveError(
      'ERR_BAD_RETURN',
      `${this.label}.${callback} returned ${describe(value)}; expected { events?, state } or { stop: reason, state }` +
        (callback === 'handleCall'
          ? ' (handleCall: { reply, events?, state } or { noreply: true, state })'
          : '') +
        '.',
      { details: { callback, value } },
    );
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object';
}

function isDown(message: unknown): message is { type: 'DOWN'; ref: Ref; reason: Reason } {
  return isObject(message) && message.type === 'DOWN' && message.ref instanceof Ref;
}

function invalid(message: string): { error: StarweaveError } {
  return { error: new StarweaveError('ERR_INVALID_ARGUMENT', `${message}.`) };
}
