/**
 * The messages stages exchange. They are classes, so that a stage tells them from user
 * messages with one `instanceof` check; each also carries a `type` for traces.
 */
import type { Pid, Reason, Ref } from '@starweave/actors';
import type { ResolvedSubscribeOptions } from './subscription.js';

/** Consumer to producer: starts a subscription whose ref the consumer chose. */
export class SubscribeMessage {
  readonly type = 'stage.subscribe';
  constructor(
    readonly consumer: Pid,
    readonly ref: Ref,
    readonly options: ResolvedSubscribeOptions,
  ) {}
}

/** Consumer to producer: asks for `demand` more events on subscription `ref`. */
export class AskMessage {
  readonly type = 'stage.ask';
  constructor(
    readonly consumer: Pid,
    readonly ref: Ref,
    readonly demand: number,
  ) {}
}

/**
 * Either side to the other: ends subscription `ref` with `reason`. The producer confirms with
 * a {@link CancelNotice}.
 */
export class CancelMessage {
  readonly type = 'stage.cancel';
  constructor(
    readonly ref: Ref,
    readonly reason: Reason,
  ) {}
}

/** Producer to consumer: events on subscription `ref`, never more than the consumer asked for. */
export class EventsMessage {
  readonly type = 'stage.events';
  constructor(
    readonly producer: Pid,
    readonly ref: Ref,
    readonly events: unknown[],
  ) {}
}

/** Producer to consumer: subscription `ref` has ended with `reason`. */
export class CancelNotice {
  readonly type = 'stage.cancelled';
  constructor(
    readonly producer: Pid,
    readonly ref: Ref,
    readonly reason: Reason,
  ) {}
}

/** Producer to consumer: checkpoint barrier `checkpointId`, in order with the events. */
export class BarrierMessage {
  readonly type = 'stage.barrier';
  constructor(
    readonly producer: Pid,
    readonly ref: Ref,
    readonly checkpointId: number,
  ) {}
}

/** A checkpoint barrier while it waits in a buffer or a partition queue. */
export class Barrier {
  constructor(readonly checkpointId: number) {}
}

/** API to stage: a call that subscribes the stage to a producer. */
export class SubscribeRequest {
  constructor(readonly options: unknown) {}
}

/** API to stage: a call that sets a producer's demand mode. */
export class DemandModeRequest {
  constructor(readonly mode: 'forward' | 'accumulate') {}
}

/** API to stage: a call that returns how many events the stage holds in its buffer. */
export class BufferedCountRequest {}
