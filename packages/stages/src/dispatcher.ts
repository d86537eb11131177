/**
 * The dispatcher contract: the part of a producer that tracks each consumer's demand and
 * shares events among subscriptions, and the choice of dispatcher that `init` returns.
 */
import { invalidArgument, type Pid, type Ref } from '@starweave/actors';
import { BroadcastDispatcher } from './dispatchers/broadcast-dispatcher.js';
import { DemandDispatcher, type DemandDispatcherOptions } from './dispatchers/demand-dispatcher.js';
import {
  PartitionDispatcher,
  type PartitionDispatcherOptions,
} from './dispatchers/partition-dispatcher.js';
import type { BufferKeep } from './event-queue.js';
import type { Barrier } from './messages.js';
import type { ResolvedSubscribeOptions } from './subscription.js';
import type { Subscription } from './types.js';

/** A producer's record of one consumer's subscription. */
export interface ConsumerLink {
  /** The consumer's pid. */
  readonly pid: Pid;
  /** The subscription's ref. */
  readonly ref: Ref;
  /** The options the consumer subscribed with. */
  readonly options: ResolvedSubscribeOptions;
  /** The value callbacks get as `from`: the consumer's pid and the ref. */
  readonly from: Subscription;
}

/** What a dispatcher uses to reach consumers and to report. */
export interface DispatchTarget {
  /** Sends a non-empty batch of events to a consumer. */
  send(link: ConsumerLink, events: unknown[]): void;
  /** Sends a checkpoint barrier to a consumer, after every event sent to it so far. */
  sendBarrier(link: ConsumerLink, barrier: Barrier): void;
  /** Reports events a dispatcher's own queue dropped or could not place. */
  dropped(count: number, reason: string): void;
  /** Logs a warning or an error from the dispatcher. */
  log(level: 'warn' | 'error', event: string, fields: Record<string, unknown>): void;
}

/**
 * A dispatcher. It records subscriptions and their demand, and reports its `capacity`: how
 * many events it would take now. The producer forwards upstream (to `handleDemand`, or to its
 * own producers) only the capacity that its buffer and the demand already forwarded do not
 * cover, so a dispatcher never has to track what upstream owes.
 */
export interface Dispatcher {
  /** Receives the target and the producer's buffer settings before any other call. */
  start(target: DispatchTarget, buffer: { size: number; keep: BufferKeep }): void;
  /** Adds a subscription; throws a StarweaveError to reject it. */
  subscribe(link: ConsumerLink): void;
  /** Removes a subscription. */
  cancel(link: ConsumerLink): void;
  /** Adds `demand` to a subscription. */
  ask(demand: number, link: ConsumerLink): void;
  /** Returns how many events `dispatch` would take now. */
  capacity(): number;
  /** Sends events within the demand held; returns the rest, in order. */
  dispatch(events: unknown[]): unknown[];
  /** Sends a checkpoint barrier to every subscription, in order with its events. */
  barrier(barrier: Barrier): void;
  /** Returns the events the dispatcher holds in queues of its own. */
  bufferedCount(): number;
}

/** The dispatcher a producer uses: a name, a name with options, or a custom dispatcher. */
export type DispatcherOption =
  | 'demand'
  | 'broadcast'
  | ({ type: 'demand' } & DemandDispatcherOptions)
  | { type: 'broadcast' }
  | ({ type: 'partition' } & PartitionDispatcherOptions)
  | Dispatcher;

/** Creates the dispatcher that `option` names. */
export function createDispatcher(option: DispatcherOption | undefined): Dispatcher {
  if (option === undefined || option === 'demand') return new DemandDispatcher();
  if (option === 'broadcast') return new BroadcastDispatcher();
  if (option !== null && typeof option === 'object') {
    if (isDispatcher(option)) return option;
    const type = (option as { type?: unknown }).type;
    if (type === 'demand') return new DemandDispatcher(option as DemandDispatcherOptions);
    if (type === 'broadcast') return new BroadcastDispatcher();
    if (type === 'partition') return new PartitionDispatcher(option as PartitionDispatcherOptions);
  }
  return invalidArgument(
    'dispatcher',
    "'demand', 'broadcast', { type: 'partition', partitions, hash? } or a Dispatcher object",
    option,
  );
}

function isDispatcher(value: object): value is Dispatcher {
  const candidate = value as Partial<Dispatcher>;
  return (
    typeof candidate.dispatch === 'function' &&
    typeof candidate.ask === 'function' &&
    typeof candidate.subscribe === 'function' &&
    typeof candidate.cancel === 'function'
  );
}
