/**
 * The events of a producer as an async iterable, for `for await` loops and stream helpers.
 * A consumer process subscribes in manual demand mode and asks only as the loop takes events,
 * so a slow loop holds back the producer; leaving the loop cancels the subscription.
 */
import {
  type ActorSystem,
  type Caller,
  callerContext,
  type Dest,
  formatReason,
  isNormalReason,
  type Pid,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import * as GenStage from '../gen-stage.js';
import { resolveSubscribeOptions, type SubscribeOptions } from '../subscription.js';
import type { ConsumerSpec, Subscription } from '../types.js';

/** Subscription options of {@link toAsyncIterable}; `to` is its second argument. */
export type IterableOptions = Omit<SubscribeOptions, 'to' | 'cancel'>;

// The events the loop has not taken yet, shared by the consumer process and the iterator.
class Channel<E> {
  items: E[] = [];
  head = 0;
  ended: { reason: Reason } | null = null;
  wake: (() => void) | null = null;

  push(events: E[]): void {
    for (const event of events) this.items.push(event);
    this.notify();
  }

  end(reason: Reason): void {
    if (this.ended === null) this.ended = { reason };
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

class AskMore {
  constructor(readonly demand: number) {}
}

interface State {
  from: Subscription | null;
}

function consumerSpec<E>(channel: Channel<E>, initialDemand: number): ConsumerSpec<State, void, E> {
  return {
    type: 'consumer',
    name: 'IterableConsumer',
    init: () => ({ state: { from: null } }),
    handleSubscribe: (_kind, _options, from, state, self) => {
      state.from = from;
      GenStage.ask(self, from, initialDemand);
      return { state, demand: 'manual' };
    },
    handleEvents: (events, _from, state) => {
      channel.push(events);
      return { state };
    },
    handleCancel: (cancellation, _from, state) => {
      channel.end(cancellation.reason);
      return { stop: 'normal', state };
    },
    handleInfo: (message, state, self) => {
      if (message instanceof AskMore && state.from !== null)
        GenStage.ask(self, state.from, message.demand);
      return { state };
    },
  };
}

/**
 * Returns the events of `producer` as an async iterable. The loop ends when the producer
 * exits normally or cancels the subscription normally, and throws ERR_CANCELLED when it
 * exits otherwise. Either way, the events received before the end come first. Each
 * iteration starts its own consumer and subscription.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { GenStage, fromAsyncIterable, toAsyncIterable } from '@starweave/stages';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const numbers = await GenStage.start(system, fromAsyncIterable([1, 2, 3, 4]), undefined);
 * let total = 0;
 * for await (const n of toAsyncIterable<number>(system, numbers, { maxDemand: 2 })) total += n;
 * console.assert(total === 10);
 * await system.shutdown();
 * ```
 */
export function toAsyncIterable<E = unknown>(
  caller: Caller,
  producer: Dest,
  options: IterableOptions = {},
): AsyncIterable<E> {
  const resolved = resolveSubscribeOptions({ ...options, to: producer });
  const system: ActorSystem = callerContext(caller).system;
  return {
    [Symbol.asyncIterator]: () => iterate<E>(caller, system, resolved),
  };
}

function iterate<E>(
  caller: Caller,
  system: ActorSystem,
  options: ReturnType<typeof resolveSubscribeOptions>,
): AsyncIterator<E> {
  const channel = new Channel<E>();
  const { maxDemand, minDemand } = options;
  // Asked of the producer so far, and taken by the loop so far.
  let asked = maxDemand;
  let taken = 0;
  let consumer: Pid | null = null;

  const started = (async () => {
    const pid = await GenStage.start(caller, consumerSpec(channel, maxDemand), undefined);
    consumer = pid;
    try {
      await GenStage.subscribe(caller, pid, { ...options, cancel: 'temporary' });
    } catch (error) {
      system.exit(pid, 'kill');
      throw error;
    }
  })();

  const stopConsumer = () => {
    if (consumer !== null && system.isAlive(consumer)) system.exit(consumer, 'shutdown');
  };

  return {
    async next(): Promise<IteratorResult<E>> {
      await started;
      for (;;) {
        if (channel.head < channel.items.length) {
          const value = channel.items[channel.head]!;
          channel.head++;
          if (channel.head === channel.items.length) {
            channel.items = [];
            channel.head = 0;
          }
          taken++;
          // Asks for enough to get back to maxDemand once no more than minDemand are left.
          const outstanding = asked - taken;
          if (channel.ended === null && outstanding <= minDemand) {
            const more = maxDemand - outstanding;
            asked += more;
            system.send(consumer!, new AskMore(more));
          }
          return { value, done: false };
        }
        if (channel.ended !== null) {
          const { reason } = channel.ended;
          stopConsumer();
          if (isNormalReason(reason)) return { value: undefined, done: true };
          throw new StarweaveError(
            'ERR_CANCELLED',
            `the producer ended with ${formatReason(reason)}`,
            {
              cause: reason,
              details: { reason },
            },
          );
        }
        await new Promise<void>((resolve) => {
          channel.wake = resolve;
        });
      }
    },
    async return(): Promise<IteratorResult<E>> {
      await started.catch(() => undefined);
      channel.end('normal');
      stopConsumer();
      return { value: undefined, done: true };
    },
  };
}
