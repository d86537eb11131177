import {
  GenServer,
  isStarweaveError,
  MemoryLogger,
  type Pid,
  StarweaveError,
} from '@starweave/actors';
import {
  type ConsumerLink,
  type ConsumerSpec,
  type Dispatcher,
  type DispatchTarget,
  GenStage,
  type ProducerConsumerSpec,
  type ProducerSpec,
  type Subscription,
} from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  Counter,
  type CounterState,
  collected,
  collector,
  downOf,
  nextTurn,
  settle,
  useSystems,
  waitUntil,
} from './helpers.js';

const newSystem = useSystems();

/** A producer that emits only the events a cast carries, whatever the demand. */
interface PushState {
  demand: number;
}
const Pusher: ProducerSpec<
  PushState,
  { bufferSize?: number; bufferKeep?: 'first' | 'last' } | undefined,
  number
> = {
  type: 'producer',
  init: (arg) => ({
    state: { demand: 0 },
    bufferSize: arg?.bufferSize,
    bufferKeep: arg?.bufferKeep,
  }),
  handleDemand: (demand, state) => ({ state: { demand: state.demand + demand } }),
  handleCast: (events: number[], state) => ({ events, state }),
  handleCall: (_request, _from, state) => ({ reply: state.demand, state }),
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('GenStage.startLink', () => {
  it('resolves with the pid once init has run', async () => {
    const system = newSystem();
    const pid = await GenStage.startLink(system, Counter, { start: 5 });
    expect(system.isAlive(pid)).toBe(true);
    const state = await GenServer.getState<CounterState>(system, pid);
    expect(state.next).toBe(5);
  });

  it('fails with ERR_INVALID_ARGUMENT for a spec without its required callback', () => {
    const system = newSystem();
    const spec = {
      type: 'consumer',
      init: () => ({ state: null }),
    } as unknown as ConsumerSpec<null>;
    expect(() => GenStage.startLink(system, spec, undefined)).toThrow(StarweaveError);
  });

  it('fails with ERR_INVALID_ARGUMENT for an unknown stage type', () => {
    const system = newSystem();
    const spec = { type: 'sink', init: () => ({ state: null }) } as unknown as ConsumerSpec<null>;
    expect(() => GenStage.startLink(system, spec, undefined)).toThrowError(/spec\.type/);
  });

  it('fails to start with ERR_START_FAILED when init returns a bad buffer size', async () => {
    const system = newSystem();
    const spec: ProducerSpec<null> = {
      type: 'producer',
      init: () => ({ state: null, bufferSize: -1 }),
      handleDemand: (_demand, state) => ({ state }),
    };
    const error = await GenStage.start(system, spec, undefined).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
  });

  it('fails to start with noproc when a permanent subscribeTo names no process', async () => {
    const system = newSystem();
    const spec: ConsumerSpec<null> = {
      type: 'consumer',
      init: () => ({ state: null, subscribeTo: ['missing-producer'] }),
      handleEvents: (_events, _from, state) => ({ state }),
    };
    const error = await GenStage.start(system, spec, undefined).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
    expect((error as StarweaveError).cause).toBeInstanceOf(StarweaveError);
  });

  it('starts when a temporary subscribeTo names no process', async () => {
    const system = newSystem();
    const spec: ConsumerSpec<null> = {
      type: 'consumer',
      init: () => ({ state: null, subscribeTo: [{ to: 'missing-producer', cancel: 'temporary' }] }),
      handleEvents: (_events, _from, state) => ({ state }),
    };
    const pid = await GenStage.start(system, spec, undefined);
    expect(system.isAlive(pid)).toBe(true);
  });

  it('subscribes to the producers of subscribeTo during init', async () => {
    const system = newSystem();
    await GenStage.startLink(system, Counter, { limit: 3 }, { name: 'numbers' });
    const seen = collected();
    await GenStage.startLink(
      system,
      { ...collector(seen), init: () => ({ state: null, subscribeTo: ['numbers'] }) },
      undefined,
    );
    await waitUntil(() => seen.events.length === 3);
    expect(seen.events).toEqual([0, 1, 2]);
  });
});

describe('GenStage demand', () => {
  it('asks for maxDemand first and then exactly enough to get back to it', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 30 });
    const seen = collected();
    const consumer = await GenStage.startLink(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 10, minDemand: 5 });
    await waitUntil(() => seen.events.length === 30);
    await settle(system);
    const { demands } = await GenServer.getState<CounterState>(system, producer);
    expect(demands[0]).toBe(10);
    // Every event received is asked for again, so the total asked is 30 plus the standing 10.
    expect(demands.reduce((sum, d) => sum + d, 0)).toBe(40);
  });

  it('hands events to handleEvents in batches of at most maxDemand - minDemand', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 100 });
    const seen = collected();
    const consumer = await GenStage.startLink(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 10, minDemand: 7 });
    await waitUntil(() => seen.events.length === 100);
    expect(Math.max(...seen.batches.map((batch) => batch.events.length))).toBe(3);
    expect(seen.events).toEqual(range(0, 100));
  });

  it('uses maxDemand 1000 and minDemand 500 by default', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 3000 });
    const seen = collected();
    const consumer = await GenStage.startLink(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, producer);
    await waitUntil(() => seen.events.length === 3000);
    const { demands } = await GenServer.getState<CounterState>(system, producer);
    expect(demands[0]).toBe(1000);
    expect(Math.max(...seen.batches.map((batch) => batch.events.length))).toBe(500);
  });

  it('never sends a consumer more than it asked for, buffering the rest', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Pusher, undefined);
    const seen = collected();
    const consumer = await GenStage.startLink(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 10, minDemand: 0 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 25));
    await settle(system);
    // The consumer asks for 10 more after each batch of 10: the 25 arrive as 10, 10 and 5.
    expect(seen.batches.map((batch) => batch.events.length)).toEqual([10, 10, 5]);
    expect(await GenStage.estimateBufferedCount(system, producer)).toBe(0);
  });

  it('adds up demand: two asks of 10 are 20 owed', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Pusher, undefined);
    const seen = collected();
    const consumer = await GenStage.startLink(
      system,
      collector(seen, {
        handleSubscribe: (_kind, _options, _from, state) => ({ state, demand: 'manual' }),
        handleInfo: (from: Subscription, state, self) => {
          GenStage.ask(self, from, 10);
          GenStage.ask(self, from, 10);
          return { state };
        },
      }),
      undefined,
    );
    const from = await GenStage.subscribe(system, consumer, { to: producer });
    system.send(consumer, from);
    await settle(system);
    expect(await GenStage.call<number>(system, producer, 'demand')).toBe(20);
    GenStage.cast(system, producer, range(0, 25));
    await settle(system);
    expect(seen.events).toEqual(range(0, 20));
    expect(await GenStage.estimateBufferedCount(system, producer)).toBe(5);
  });

  it('logs events beyond the demand as an error and keeps running', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });

    // A dispatcher that ignores each consumer's demand and sends every event to everyone.
    const links: ConsumerLink[] = [];
    let target!: DispatchTarget;
    let asked = 0;
    const greedy: Dispatcher = {
      start: (dispatchTarget) => {
        target = dispatchTarget;
      },
      subscribe: (link) => void links.push(link),
      cancel: () => undefined,
      ask: (demand) => {
        asked += demand;
      },
      capacity: () => asked,
      dispatch: (events) => {
        asked = Math.max(0, asked - events.length);
        for (const link of links) target.send(link, events);
        return [];
      },
      barrier: () => undefined,
      bufferedCount: () => 0,
    };

    const producer = await GenStage.start(
      system,
      { ...Pusher, init: () => ({ state: { demand: 0 }, dispatcher: greedy }) },
      undefined,
    );
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 5, minDemand: 0 });
    await settle(system);

    GenStage.cast(system, producer, range(0, 8));
    await waitUntil(() => seen.events.length === 8);
    expect(system.isAlive(consumer)).toBe(true);
    const excess = logger.find('stage.excess_events');
    expect(excess).toHaveLength(1);
    expect(excess[0]!.fields.excess).toBe(3);
    expect(excess[0]!.level).toBe('error');
  });

  it('lets a consumer in manual mode ask at its own pace', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 100 });
    const seen = collected();
    const consumer = await GenStage.startLink(
      system,
      collector(seen, {
        handleSubscribe: (_kind, _options, _from, state) => ({ state, demand: 'manual' }),
        handleInfo: (message: { ask: number; from: Subscription }, state, self) => {
          GenStage.ask(self, message.from, message.ask);
          return { state };
        },
      }),
      undefined,
    );
    const from = await GenStage.subscribe(system, consumer, { to: producer });
    await settle(system);
    expect(seen.events).toEqual([]);
    system.send(consumer, { ask: 3, from });
    await waitUntil(() => seen.events.length === 3);
    system.send(consumer, { ask: 2, from });
    await waitUntil(() => seen.events.length === 5);
    await settle(system);
    expect(seen.events).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails ask with ERR_NOT_FOUND outside the consumer that holds the subscription', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 100 });
    const consumer = await GenStage.startLink(system, collector(collected()), undefined);
    const from = await GenStage.subscribe(system, consumer, { to: producer });
    let error: unknown;
    try {
      GenStage.ask(system, from, 1);
    } catch (thrown) {
      error = thrown;
    }
    expect(isStarweaveError(error, 'ERR_NOT_FOUND')).toBe(true);
  });

  it('holds demand in accumulate mode until switched to forward', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(
      system,
      {
        ...Counter,
        init: () => ({ state: { next: 0, limit: 10, demands: [] }, demand: 'accumulate' }),
      },
      undefined,
    );
    const seen = collected();
    const consumer = await GenStage.startLink(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 4 });
    await settle(system);
    expect(seen.events).toEqual([]);
    await GenStage.demand(system, producer, 'forward');
    await waitUntil(() => seen.events.length === 10);
    expect(seen.events).toEqual(range(0, 10));
  });
});

describe('GenStage producer-consumer', () => {
  const Doubler: ProducerConsumerSpec<null, void, number, number> = {
    type: 'producerConsumer',
    init: () => ({ state: null }),
    handleEvents: (events, _from, state) => ({ events: events.map((x) => x * 2), state }),
  };

  it('passes transformed events downstream in order', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 50 });
    const doubler = await GenStage.startLink(system, Doubler, undefined);
    const seen = collected();
    const consumer = await GenStage.startLink(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: doubler, maxDemand: 8 });
    await GenStage.subscribe(system, doubler, { to: producer, maxDemand: 6 });
    await waitUntil(() => seen.events.length === 50);
    expect(seen.events).toEqual(range(0, 50).map((x) => x * 2));
  });

  it('handles no input while its consumers have no demand', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 100 });
    let handled = 0;
    const counting: ProducerConsumerSpec<null, void, number, number> = {
      ...Doubler,
      handleEvents: (events, from, state, self) => {
        handled += events.length;
        return Doubler.handleEvents(events, from, state, self) as never;
      },
    };
    const stage = await GenStage.startLink(system, counting, undefined);
    await GenStage.subscribe(system, stage, { to: producer, maxDemand: 20 });
    await settle(system);
    // The 20 events arrived, but with no consumer none was handled, and none was asked again.
    expect(handled).toBe(0);
    expect(await GenStage.estimateBufferedCount(system, stage)).toBe(20);
    const { demands } = await GenServer.getState<CounterState>(system, producer);
    expect(demands).toEqual([20]);
  });

  it('buffers without bound by default but handles only what downstream demand covers', async () => {
    const system = newSystem();
    const producer = await GenStage.startLink(system, Counter, { limit: 100 });
    const expander: ProducerConsumerSpec<null, void, number, number> = {
      type: 'producerConsumer',
      init: () => ({ state: null }),
      // Each input becomes 100 outputs: far more than the consumer asked for.
      handleEvents: (events, _from, state) => ({
        events: events.flatMap((x) => range(x * 100, x * 100 + 100)),
        state,
      }),
    };
    const stage = await GenStage.startLink(system, expander, undefined);
    const seen = collected();
    const consumer = await GenStage.startLink(
      system,
      collector(seen, { handleSubscribe: (_k, _o, _f, state) => ({ state, demand: 'manual' }) }),
      undefined,
    );
    await GenStage.subscribe(system, consumer, { to: stage });
    await GenStage.subscribe(system, stage, { to: producer, maxDemand: 10, minDemand: 0 });
    await settle(system);
    expect(seen.events).toEqual([]);
    expect(await GenStage.estimateBufferedCount(system, stage)).toBe(10);
  });
});

describe('GenStage cancel modes', () => {
  async function pipeline(cancel: 'permanent' | 'transient' | 'temporary') {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, cancel });
    return { system, producer, consumer };
  }

  it('permanent: the consumer exits with the reason of the producer', async () => {
    const { system, producer, consumer } = await pipeline('permanent');
    const down = downOf(system, consumer);
    const reason = new Error('producer broke');
    system.exit(producer, reason);
    expect((await down).reason).toBe(reason);
  });

  it('permanent: the consumer exits normally with a producer that ends normally', async () => {
    const { system, producer, consumer } = await pipeline('permanent');
    const down = downOf(system, consumer);
    await GenStage.stop(system, producer, 'normal');
    expect((await down).reason).toBe('normal');
  });

  it('transient: the consumer stays when the producer ends normally', async () => {
    const { system, producer, consumer } = await pipeline('transient');
    await GenStage.stop(system, producer, 'shutdown');
    await settle(system);
    expect(system.isAlive(consumer)).toBe(true);
  });

  it('transient: the consumer exits when the producer crashes', async () => {
    const { system, producer, consumer } = await pipeline('transient');
    const down = downOf(system, consumer);
    system.exit(producer, 'kill');
    expect((await down).reason).toBe('killed');
  });

  it('temporary: the consumer stays whatever the reason', async () => {
    const { system, producer, consumer } = await pipeline('temporary');
    system.exit(producer, 'kill');
    await settle(system);
    expect(system.isAlive(consumer)).toBe(true);
  });

  it('runs handleCancel on the consumer with the kind and reason', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const cancellations: unknown[] = [];
    const consumer = await GenStage.start(
      system,
      collector(collected(), {
        handleCancel: (cancellation, _from, state) => {
          cancellations.push(cancellation);
          return { state };
        },
      }),
      undefined,
    );
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    system.exit(producer, 'kill');
    await waitUntil(() => cancellations.length === 1);
    expect(cancellations[0]).toEqual({ kind: 'down', reason: 'killed' });
  });

  it('cancels the subscription at the producer when the consumer exits', async () => {
    const system = newSystem();
    const cancellations: unknown[] = [];
    const producer = await GenStage.start(
      system,
      {
        ...Counter,
        handleCancel: (cancellation, _from, state) => {
          cancellations.push(cancellation);
          return { state };
        },
      },
      { limit: 100 },
    );
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    system.exit(consumer, 'kill');
    await waitUntil(() => cancellations.length === 1);
    expect(cancellations[0]).toEqual({ kind: 'down', reason: 'killed' });
    expect(system.isAlive(producer)).toBe(true);
  });

  it('GenStage.cancel of a temporary subscription leaves both stages running', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    const subscription = await GenStage.subscribe(system, consumer, {
      to: producer,
      cancel: 'temporary',
    });
    GenStage.cancel(system, subscription, 'shutdown');
    await settle(system);
    expect(system.isAlive(consumer)).toBe(true);
    expect(system.isAlive(producer)).toBe(true);
  });

  it('GenStage.cancel of a permanent subscription stops the consumer with the reason', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    const subscription = await GenStage.subscribe(system, consumer, { to: producer });
    const down = downOf(system, consumer);
    GenStage.cancel(system, subscription, { shutdown: 'done' });
    expect((await down).reason).toEqual({ shutdown: 'done' });
    expect(system.isAlive(producer)).toBe(true);
  });
});

describe('GenStage.subscribe', () => {
  it('fails with ERR_NOPROC when the producer is not running', async () => {
    const system = newSystem();
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    const error = await GenStage.subscribe(system, consumer, {
      to: 'nobody',
      cancel: 'temporary',
    }).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_NOPROC')).toBe(true);
    expect(system.isAlive(consumer)).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for a minDemand not below maxDemand', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const consumer = await GenStage.start(system, collector(collected()), undefined);
    const error = await GenStage.subscribe(system, consumer, {
      to: producer,
      maxDemand: 5,
      minDemand: 5,
    }).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT when the subscriber is a producer', async () => {
    const system = newSystem();
    const a = await GenStage.start(system, Counter, { limit: 100 });
    const b = await GenStage.start(system, Counter, { limit: 100 });
    const error = await GenStage.subscribe(system, a, { to: b }).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('lets a consumer take events from several producers, each with its own demand', async () => {
    const system = newSystem();
    const low = await GenStage.start(system, Counter, { limit: 10 });
    const high = await GenStage.start(system, Counter, { start: 1000, limit: 1010 });
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    const fromLow = await GenStage.subscribe(system, consumer, { to: low, maxDemand: 3 });
    const fromHigh = await GenStage.subscribe(system, consumer, { to: high, maxDemand: 4 });
    await waitUntil(() => seen.events.length === 20);
    const of = (from: Subscription) =>
      seen.batches
        .filter((batch) => batch.from.ref.equals(from.ref))
        .flatMap((batch) => batch.events);
    expect(of(fromLow)).toEqual(range(0, 10));
    expect(of(fromHigh)).toEqual(range(1000, 1010));
  });
});

describe('GenStage callbacks', () => {
  it('dispatches the events that handleCall returns and replies', async () => {
    const system = newSystem();
    const producer = await GenStage.start(
      system,
      {
        ...Pusher,
        handleCall: (events: number[], _from, state) => ({ reply: 'queued', events, state }),
      },
      undefined,
    );
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    expect(await GenStage.call(system, producer, [1, 2, 3])).toBe('queued');
    await waitUntil(() => seen.events.length === 3);
    expect(seen.events).toEqual([1, 2, 3]);
  });

  it('stops the stage when a callback returns stop, running terminate', async () => {
    const system = newSystem();
    const terminated: unknown[] = [];
    const consumer = await GenStage.start(
      system,
      collector(collected(), {
        handleInfo: (_message, state) => ({ stop: { shutdown: 'asked' }, state }),
        terminate: (reason) => void terminated.push(reason),
      }),
      undefined,
    );
    const down = downOf(system, consumer);
    system.send(consumer, 'stop please');
    expect((await down).reason).toEqual({ shutdown: 'asked' });
    expect(terminated).toEqual([{ shutdown: 'asked' }]);
  });

  it('crashes with ERR_BAD_RETURN when handleEvents returns no state', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 1 });
    const consumer = await GenStage.start(
      system,
      { ...collector(collected()), handleEvents: () => ({}) as never },
      undefined,
    );
    const down = downOf(system, consumer);
    await GenStage.subscribe(system, consumer, { to: producer, cancel: 'temporary' });
    const { reason } = await down;
    expect(isStarweaveError(reason, 'ERR_BAD_RETURN')).toBe(true);
  });

  it('waits for an async handleEvents before asking for more', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handled = 0;
    const consumer = await GenStage.start(
      system,
      collector(collected(), {
        handleEvents: async (events, _from, state) => {
          handled += events.length;
          await gate;
          return { state };
        },
      }),
      undefined,
    );
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 4, minDemand: 2 });
    await waitUntil(() => handled === 2);
    for (let turn = 0; turn < 20; turn++) await nextTurn();
    expect(handled).toBe(2);
    const before = await GenServer.getState<CounterState>(system, producer);
    expect(before.demands).toEqual([4]);
    release();
    await waitUntil(() => handled >= 8);
  });
});

export type { Pid };
