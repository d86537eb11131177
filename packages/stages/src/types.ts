/**
 * The types of a stage: its spec (plain callbacks for a producer, a producer-consumer or a
 * consumer), the results those callbacks return, and the options `init` may add.
 */
import type { Dest, From, Pid, ProcessContext, Reason, Ref } from '@starweave/actors';
import type { CheckpointOptions } from './checkpoint/checkpoint-options.js';
import type { DispatcherOption } from './dispatcher.js';
import type { CancelMode, SubscribeOptions } from './subscription.js';

/** A value or a promise of it: a callback that returns a promise suspends the stage. */
export type MaybePromise<T> = T | Promise<T>;

/** The three kinds of stage. */
export type StageType = 'producer' | 'producerConsumer' | 'consumer';

/**
 * One side of a subscription, as callbacks see it: the pid of the stage on the other side and
 * the subscription's ref. A consumer gets its producer's pid; a producer its consumer's.
 */
export interface Subscription {
  readonly pid: Pid;
  readonly ref: Ref;
}

/** Why a subscription ended: cancelled by a message, or the other stage exited. */
export interface Cancellation {
  readonly kind: 'cancel' | 'down';
  readonly reason: Reason;
}

/** The result of most callbacks: events to dispatch (producers only) and the new state. */
export interface StageResult<S, E = never> {
  events?: E[];
  state: S;
}

/** Stops the stage with `reason` after its `terminate` has run. */
export interface StopResult<S> {
  stop: Reason;
  state: S;
}

/** The result of `handleSubscribe`. With `demand: 'manual'` the stage asks through `GenStage.ask`. */
export type SubscribeResult<S> = { state: S; demand?: 'automatic' | 'manual' } | StopResult<S>;

/** The result of `handleCall`. */
export type StageCallResult<S, E = never> =
  | { reply: unknown; events?: E[]; state: S }
  | { noreply: true; events?: E[]; state: S }
  | { stop: Reason; reply?: unknown; state: S };

/** Options that `init` of a producer or producer-consumer may return. */
export interface ProducerInitOptions {
  /**
   * Events kept while no consumer has demand. Default 10,000 for producers and `Infinity` for
   * producer-consumers, as in GenStage.
   */
  bufferSize?: number;
  /** The events a full buffer keeps: the `'first'` or the `'last'` ones. Default `'last'`. */
  bufferKeep?: 'first' | 'last';
  /** The dispatcher that shares events among consumers. Default `'demand'`. */
  dispatcher?: DispatcherOption;
}

/** Options that `init` of a consumer or producer-consumer may return. */
export interface ConsumerInitOptions {
  /** Producers to subscribe to once `init` has run: a pid or name, or full options. */
  subscribeTo?: Array<Dest | SubscribeOptions>;
}

/** The result of a producer's `init`. */
export type ProducerInit<S> =
  | ({
      state: S;
      /** `'accumulate'` keeps demand until `GenStage.demand(..., 'forward')`. */
      demand?: 'forward' | 'accumulate';
    } & ProducerInitOptions)
  | { stop: Reason }
  | { ignore: true };

/** The result of a producer-consumer's `init`. */
export type ProducerConsumerInit<S> =
  | ({ state: S } & ProducerInitOptions & ConsumerInitOptions)
  | { stop: Reason }
  | { ignore: true };

/** The result of a consumer's `init`. */
export type ConsumerInit<S> =
  | ({ state: S } & ConsumerInitOptions)
  | { stop: Reason }
  | { ignore: true };

/** Callbacks that every kind of stage may define. */
export interface BaseSpec<S, Out> {
  /** A label for crash reports and introspection. Default: the stage type. */
  readonly name?: string;
  /**
   * Runs when a subscription starts. A consumer receives `kind: 'producer'` and may return
   * `demand: 'manual'`, and a producer receives `kind: 'consumer'`.
   */
  handleSubscribe?(
    kind: 'producer' | 'consumer',
    options: SubscribeOptions,
    from: Subscription,
    state: S,
    self: ProcessContext,
  ): MaybePromise<SubscribeResult<S>>;
  /** Runs when a subscription ends, on both sides. */
  handleCancel?(
    cancellation: Cancellation,
    from: Subscription,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageResult<S, Out> | StopResult<S>>;
  /** Handles any other message. */
  handleInfo?(
    message: any,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageResult<S, Out> | StopResult<S>>;
  /** Handles a `GenStage.call`; may reply later through `GenStage.reply`. */
  handleCall?(
    request: any,
    from: From,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageCallResult<S, Out>>;
  /** Handles a `GenStage.cast`. */
  handleCast?(
    request: any,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageResult<S, Out> | StopResult<S>>;
  /** Cleans up before the stage exits. */
  terminate?(reason: Reason, state: S, self: ProcessContext): unknown;
  /** Returns what a checkpoint stores of the state; it must survive the codec. */
  snapshotState?(state: S): unknown;
  /** Rebuilds the state from a stored snapshot; `state` is what `init` returned. */
  restoreState?(snapshot: any, state: S): S;
}

/**
 * A producer: it emits events when consumers ask. `handleDemand` receives the new demand and
 * may return fewer events (keep the rest of the demand in the state) or more (the buffer keeps
 * the excess).
 */
export interface ProducerSpec<S, A = void, Out = unknown> extends BaseSpec<S, Out> {
  readonly type: 'producer';
  init(arg: A, self: ProcessContext): MaybePromise<ProducerInit<S>>;
  handleDemand(
    demand: number,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageResult<S, Out> | StopResult<S>>;
}

/** A producer-consumer: it turns the events it receives into events for its consumers. */
export interface ProducerConsumerSpec<S, A = void, In = unknown, Out = unknown>
  extends BaseSpec<S, Out> {
  readonly type: 'producerConsumer';
  init(arg: A, self: ProcessContext): MaybePromise<ProducerConsumerInit<S>>;
  handleEvents(
    events: In[],
    from: Subscription,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageResult<S, Out> | StopResult<S>>;
}

/** A consumer: it receives events and sends demand upstream. */
export interface ConsumerSpec<S, A = void, In = unknown> extends BaseSpec<S, never> {
  readonly type: 'consumer';
  init(arg: A, self: ProcessContext): MaybePromise<ConsumerInit<S>>;
  handleEvents(
    events: In[],
    from: Subscription,
    state: S,
    self: ProcessContext,
  ): MaybePromise<StageResult<S, never> | StopResult<S>>;
}

/** Any stage spec. */
export type StageSpec<S = any, A = any> =
  | ProducerSpec<S, A, any>
  | ProducerConsumerSpec<S, A, any, any>
  | ConsumerSpec<S, A, any>;

/** Options of `GenStage.start` and `GenStage.startLink`. */
export interface StageStartOptions {
  /** Registers the stage under this name before `init` runs. */
  name?: string;
  /** Fails the start with ERR_CALL_TIMEOUT when `init` takes longer. Default `'infinity'`. */
  timeoutMs?: number | 'infinity';
  /** Mailbox length past which a warning fires. */
  mailboxWarning?: number;
  /** Takes part in checkpoints: restores the last completed one at start and saves new ones. */
  checkpoint?: CheckpointOptions;
}

export type { CancelMode, SubscribeOptions };
