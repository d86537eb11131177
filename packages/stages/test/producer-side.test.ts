import { GenServer, MemoryLogger } from '@starweave/actors';
import {
  type EventsDropped,
  GenStage,
  type ProducerConsumerSpec,
  type ProducerSpec,
} from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  Counter,
  type CounterState,
  collected,
  collector,
  manualCollector,
  Pusher,
  range,
  settle,
  useSystems,
  waitUntil,
} from './helpers.js';

const newSystem = useSystems();

describe('producer buffer', () => {
  it('keeps 10,000 events by default and drops the oldest beyond', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, undefined);
    GenStage.cast(system, producer, range(0, 10_005));
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    await waitUntil(() => seen.events.length === 10_000);
    expect(seen.events[0]).toBe(5);
    expect(seen.events.at(-1)).toBe(10_004);
  });

  it('drops the newest events when keeping the first', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, { bufferSize: 3, bufferKeep: 'first' });
    GenStage.cast(system, producer, range(0, 10));
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    await settle(system);
    expect(seen.events).toEqual([0, 1, 2]);
  });

  it('counts, logs and reports dropped events', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const drops: EventsDropped[] = [];
    system.telemetry.on('stage.events_dropped', (event) => drops.push(event));
    const producer = await GenStage.start(system, Pusher, { bufferSize: 4 });
    GenStage.cast(system, producer, range(0, 6));
    GenStage.cast(system, producer, range(6, 9));
    await settle(system);
    expect(drops.map((drop) => [drop.dropped, drop.total])).toEqual([
      [2, 2],
      [3, 5],
    ]);
    expect(drops[0]!.pid.equals(producer)).toBe(true);
    expect(drops[0]!.bufferKeep).toBe('last');
    const logged = logger.find('stage.events_dropped');
    expect(logged).toHaveLength(2);
    expect(logged[0]!.level).toBe('warn');
    expect(logged[1]!.fields.total).toBe(5);
  });

  it('gives a producer-consumer an unbounded buffer by default', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 1 });
    const expander: ProducerConsumerSpec<null, void, number, number> = {
      type: 'producerConsumer',
      init: () => ({ state: null }),
      handleEvents: (events, _from, state) => ({
        events: events.flatMap(() => range(0, 20_000)),
        state,
      }),
    };
    const stage = await GenStage.start(system, expander, undefined);
    const seen = collected();
    const consumer = await GenStage.start(system, manualCollector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: stage });
    await GenStage.subscribe(system, stage, { to: producer });
    system.send(consumer, { ask: 1 });
    await waitUntil(() => seen.events.length === 1);
    await settle(system);
    expect(await GenStage.estimateBufferedCount(system, stage)).toBe(19_999);
  });

  it('sends buffered events before new ones', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, undefined);
    GenStage.cast(system, producer, [1, 2, 3]);
    const seen = collected();
    const consumer = await GenStage.start(system, manualCollector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    system.send(consumer, { ask: 2 });
    await settle(system);
    GenStage.cast(system, producer, [4, 5]);
    system.send(consumer, { ask: 10 });
    await settle(system);
    expect(seen.events).toEqual([1, 2, 3, 4, 5]);
  });

  it('forwards only the demand that buffered events do not cover', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, undefined);
    GenStage.cast(system, producer, range(0, 4));
    const consumer = await GenStage.start(system, manualCollector(collected()), undefined);
    await GenStage.subscribe(system, consumer, { to: producer });
    system.send(consumer, { ask: 10 });
    await settle(system);
    expect(await GenStage.call<number>(system, producer, 'demand')).toBe(6);
  });
});

describe('bounded memory', () => {
  it('holds at most the buffer and the demand with a slow consumer', async () => {
    const system = newSystem();
    let produced = 0;
    let consumed = 0;
    let peak = 0;
    // A producer that emits 1000 events on every tick, whatever the demand.
    const flood: ProducerSpec<null, void, number> = {
      type: 'producer',
      init: (_arg, self) => {
        self.sendAfter(self.pid, 'tick', 1);
        return { state: null, bufferSize: 500 };
      },
      handleDemand: (_demand, state) => ({ state }),
      handleInfo: (_tick, state, self) => {
        self.sendAfter(self.pid, 'tick', 1);
        produced += 1000;
        return { events: range(0, 1000), state };
      },
    };
    let dropped = 0;
    system.telemetry.on('stage.events_dropped', (event) => {
      dropped += event.dropped;
    });

    const producer = await GenStage.start(system, flood, undefined);
    const slow = collector(collected(), {
      handleEvents: async (events, _from, state) => {
        consumed += events.length;
        peak = Math.max(peak, produced - consumed - dropped);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return { state };
      },
    });
    const consumer = await GenStage.start(system, slow, undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 50, minDemand: 25 });
    await waitUntil(() => consumed >= 500, 5000);

    // In flight at most: the buffer (500), what the consumer has asked for (50) and one tick.
    expect(peak).toBeLessThanOrEqual(500 + 50 + 1000);
    expect(dropped).toBeGreaterThan(0);
    expect(await GenStage.estimateBufferedCount(system, producer)).toBeLessThanOrEqual(500);
  });

  it('asks a demand-driven producer for no more than the pipeline holds', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, undefined);
    const map: ProducerConsumerSpec<null, void, number, number> = {
      type: 'producerConsumer',
      init: () => ({ state: null }),
      handleEvents: (events, _from, state) => ({ events: events.map((x) => x + 1), state }),
    };
    const stage = await GenStage.start(system, map, undefined);
    let consumed = 0;
    const slow = collector(collected(), {
      handleEvents: async (events, _from, state) => {
        consumed += events.length;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { state };
      },
    });
    const consumer = await GenStage.start(system, slow, undefined);
    await GenStage.subscribe(system, consumer, { to: stage, maxDemand: 20 });
    await GenStage.subscribe(system, stage, { to: producer, maxDemand: 30 });
    await waitUntil(() => consumed >= 200, 5000);
    const { next } = await GenServer.getState<CounterState>(system, producer);
    // Produced but not consumed: the consumer's demand (20), the stage's input demand (30), and
    // at most one batch of output the stage made beyond its consumer's demand (15).
    expect(next - consumed).toBeLessThanOrEqual(20 + 30 + 15);
  });
});
