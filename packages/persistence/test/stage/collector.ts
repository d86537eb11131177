/**
 * A consumer for the producer tests: it records the ordering of each event it receives and
 * acknowledges every `ackEvery`-th batch, so that the batches in between form the window of
 * events not yet acknowledged.
 */
import { EventsByTagProducer, type PersistedEvent } from '@starweave/persistence';
import type { ConsumerSpec } from '@starweave/stages';

/** Options of {@link collector}. */
export interface CollectorOptions {
  /** The registered name of the producer to subscribe to and acknowledge to. */
  producer: string;
  /** Where the orderings of received events go, across restarts of the consumer. */
  received: number[];
  /** Acknowledges the last event of every this many batches. Default: never. */
  ackEvery?: number;
  /** The subscription's maxDemand. Default 10. */
  maxDemand?: number;
  /** Where each start of the consumer records the length of `received` at that moment. */
  starts?: number[];
}

/** Returns the consumer spec. */
export function collector(options: CollectorOptions): ConsumerSpec<number, void, PersistedEvent> {
  const maxDemand = options.maxDemand ?? 10;
  return {
    type: 'consumer',
    init: () => {
      options.starts?.push(options.received.length);
      return {
        state: 0,
        subscribeTo: [{ to: options.producer, maxDemand, minDemand: Math.floor(maxDemand / 2) }],
      };
    },
    handleEvents: async (events, _from, batches, self) => {
      for (const event of events) options.received.push(event.ordering);
      const count = batches + 1;
      if (options.ackEvery !== undefined && count % options.ackEvery === 0) {
        await EventsByTagProducer.ack(self, options.producer, events[events.length - 1]!.ordering);
      }
      return { state: count };
    },
  };
}

/** Returns `count` events tagged `tag`, for appending straight to a journal. */
export function tagged(tag: string, count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => ({
    payload: { type: 'placed', n: from + i },
    tags: [tag],
  }));
}
