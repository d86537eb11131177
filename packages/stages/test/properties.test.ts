import { ActorSystem, MemoryLogger, type Pid } from '@starweave/actors';
import {
  type ConsumerSpec,
  type DispatcherOption,
  GenStage,
  type ProducerConsumerSpec,
  type Subscription,
} from '@starweave/stages';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pusher, settle } from './helpers.js';

/** One event: which producer made it and its place in that producer's sequence. */
interface Token {
  producer: number;
  seq: number;
}

interface ConsumerPlan {
  manual: boolean;
  maxDemand: number;
  minDemand: number;
}

interface Scenario {
  dispatcher: 'demand' | 'broadcast' | 'partition';
  viaStage: boolean;
  producers: Array<{ bufferSize: number; bufferKeep: 'first' | 'last' }>;
  consumers: ConsumerPlan[];
  actions: Array<
    | { kind: 'push'; producer: number; count: number }
    | { kind: 'ask'; consumer: number; demand: number }
  >;
}

const consumerPlan: fc.Arbitrary<ConsumerPlan> = fc
  .record({
    manual: fc.boolean(),
    maxDemand: fc.integer({ min: 1, max: 20 }),
    minRatio: fc.double({ min: 0, max: 0.99, noNaN: true }),
  })
  .map(({ manual, maxDemand, minRatio }) => ({
    manual,
    maxDemand,
    minDemand: Math.floor(maxDemand * minRatio),
  }));

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    dispatcher: fc.constantFrom('demand' as const, 'broadcast' as const, 'partition' as const),
    viaStage: fc.boolean(),
    producers: fc.array(
      fc.record({
        bufferSize: fc.constantFrom(2, 5, 50),
        bufferKeep: fc.constantFrom('first' as const, 'last' as const),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    consumers: fc.array(consumerPlan, { minLength: 1, maxLength: 3 }),
    actions: fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('push' as const),
          producer: fc.nat(1),
          count: fc.integer({ min: 1, max: 12 }),
        }),
        fc.record({
          kind: fc.constant('ask' as const),
          consumer: fc.nat(2),
          demand: fc.integer({ min: 1, max: 25 }),
        }),
      ),
      { minLength: 1, maxLength: 15 },
    ),
  })
  .map((raw) => ({
    ...raw,
    actions: raw.actions.map((action) =>
      action.kind === 'push'
        ? { ...action, producer: action.producer % raw.producers.length }
        : { ...action, consumer: action.consumer % raw.consumers.length },
    ),
  }));

/** What one consumer saw. */
interface Observed {
  received: Token[];
  asked: Map<number, number>;
  got: Map<number, number>;
  overDemand: number;
  froms: Subscription[];
}

function observingConsumer(
  plan: ConsumerPlan,
  observed: Observed,
): ConsumerSpec<null, void, Token> {
  return {
    type: 'consumer',
    init: () => ({ state: null }),
    handleSubscribe: (_kind, options, from, state) => {
      observed.froms.push(from);
      // An automatic subscription asks for maxDemand as it starts.
      observed.asked.set(from.ref.id, plan.manual ? 0 : (options.maxDemand as number));
      return { state, demand: plan.manual ? 'manual' : 'automatic' };
    },
    handleEvents: (events, from, state) => {
      observed.received.push(...events);
      const got = (observed.got.get(from.ref.id) ?? 0) + events.length;
      observed.got.set(from.ref.id, got);
      if (plan.manual && got > observed.asked.get(from.ref.id)!) observed.overDemand++;
      if (!plan.manual && events.length > plan.maxDemand - plan.minDemand) observed.overDemand++;
      return { state };
    },
    handleInfo: (demand: number, state, self) => {
      for (const from of observed.froms) {
        observed.asked.set(from.ref.id, observed.asked.get(from.ref.id)! + demand);
        GenStage.ask(self, from, demand);
      }
      return { state };
    },
  };
}

const Identity: ProducerConsumerSpec<null, DispatcherOption, Token, Token> = {
  type: 'producerConsumer',
  init: (dispatcher) => ({ state: null, dispatcher }),
  handleEvents: (events, _from, state) => ({ events, state }),
};

async function run(plan: Scenario): Promise<void> {
  const logger = new MemoryLogger();
  const system = new ActorSystem({ logger });
  try {
    let dropped = 0;
    system.telemetry.on('stage.events_dropped', (event) => {
      dropped += event.dropped;
    });
    const partitions = plan.consumers.length;
    const dispatcher: DispatcherOption =
      plan.dispatcher === 'partition'
        ? { type: 'partition', partitions, hash: (token: Token) => token.seq % partitions }
        : plan.dispatcher;

    const producers: Pid[] = [];
    for (const producer of plan.producers) {
      const options = { ...producer, dispatcher: plan.viaStage ? undefined : dispatcher };
      producers.push(await GenStage.start(system, Pusher, options));
    }
    const stage = plan.viaStage ? await GenStage.start(system, Identity, dispatcher) : null;
    if (stage !== null) {
      for (const producer of producers)
        await GenStage.subscribe(system, stage, { to: producer, maxDemand: 7, minDemand: 3 });
    }
    const observed: Observed[] = [];
    const consumers: Pid[] = [];
    for (const [index, consumerPlanned] of plan.consumers.entries()) {
      const seen: Observed = {
        received: [],
        asked: new Map(),
        got: new Map(),
        overDemand: 0,
        froms: [],
      };
      observed.push(seen);
      const consumer = await GenStage.start(
        system,
        observingConsumer(consumerPlanned, seen),
        undefined,
      );
      consumers.push(consumer);
      for (const to of stage === null ? producers : [stage]) {
        await GenStage.subscribe(system, consumer, {
          to,
          maxDemand: consumerPlanned.maxDemand,
          minDemand: consumerPlanned.minDemand,
          partition: index,
        });
      }
    }
    await settle(system);

    const next = plan.producers.map(() => 0);
    for (const action of plan.actions) {
      if (action.kind === 'push') {
        const tokens = Array.from({ length: action.count }, () => ({
          producer: action.producer,
          seq: next[action.producer]!++,
        }));
        GenStage.cast(system, producers[action.producer]!, tokens);
      } else {
        system.send(consumers[action.consumer]!, action.demand);
      }
      await settle(system);
      // A producer buffers at most its buffer size, and a partition dispatcher as much again
      // per partition.
      for (const [index, producer] of plan.producers.entries()) {
        const queues = plan.dispatcher === 'partition' && !plan.viaStage ? partitions : 0;
        const held = await GenStage.estimateBufferedCount(system, producers[index]!);
        expect(held).toBeLessThanOrEqual(producer.bufferSize * (1 + queues));
      }
    }

    const pushed = next.reduce((sum, count) => sum + count, 0);
    let buffered = 0;
    for (const pid of [...producers, ...(stage === null ? [] : [stage])]) {
      buffered += await GenStage.estimateBufferedCount(system, pid);
    }

    for (const seen of observed) {
      // Never more than asked, never a batch over maxDemand - minDemand.
      expect(seen.overDemand).toBe(0);
      // Per producer, each consumer receives that producer's events in order, each at most once.
      for (const producer of plan.producers.keys()) {
        const seqs = seen.received
          .filter((token) => token.producer === producer)
          .map((token) => token.seq);
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
      }
    }
    expect(logger.find('stage.excess_events')).toEqual([]);

    if (plan.dispatcher === 'broadcast') {
      // Every consumer accounts for every event: received, dropped, or still buffered.
      for (const seen of observed) expect(seen.received.length + dropped + buffered).toBe(pushed);
    } else {
      const all = observed.flatMap((seen) =>
        seen.received.map((token) => `${token.producer}:${token.seq}`),
      );
      expect(new Set(all).size).toBe(all.length);
      expect(all.length + dropped + buffered).toBe(pushed);
    }
    // Only a buffer that could overflow drops anything.
    const couldOverflow = plan.producers.some((producer) => producer.bufferSize < pushed);
    if (!couldOverflow) expect(dropped).toBe(0);
  } finally {
    await system.shutdown();
  }
}

describe('stage properties', () => {
  it('lose, repeat and reorder nothing beyond what the buffer policy drops', async () => {
    await fc.assert(fc.asyncProperty(scenario, run), { seed: 42, numRuns: 150, verbose: true });
  }, 60_000);
});
