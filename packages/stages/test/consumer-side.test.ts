import { fromAsyncIterable, GenStage, type ProducerConsumerSpec } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  Counter,
  collected,
  collector,
  downOf,
  manualCollector,
  range,
  settle,
  useSystems,
  waitUntil,
} from './helpers.js';

const newSystem = useSystems();

const Identity: ProducerConsumerSpec<null, void, number, number> = {
  type: 'producerConsumer',
  init: () => ({ state: null }),
  handleEvents: (events, _from, state) => ({ events, state }),
};

describe('producer-consumer input queue', () => {
  it('hands queued input on before acting on its producer ending', async () => {
    const system = newSystem();
    const source = await GenStage.start(system, fromAsyncIterable(range(0, 30)), undefined);
    const stage = await GenStage.start(system, Identity, undefined);
    const seen = collected();
    const consumer = await GenStage.start(system, manualCollector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: stage });
    const stageDown = downOf(system, stage);
    await GenStage.subscribe(system, stage, { to: source });
    await settle(system);
    // The source has ended, but its 30 events wait in the stage for demand.
    expect(system.isAlive(source)).toBe(false);
    expect(system.isAlive(stage)).toBe(true);
    system.send(consumer, { ask: 30 });
    await waitUntil(() => seen.events.length === 30);
    expect(seen.events).toEqual(range(0, 30));
    expect((await stageDown).reason).toBe('normal');
  });

  it('takes input from several producers in arrival order per producer', async () => {
    const system = newSystem();
    const a = await GenStage.start(system, Counter, { limit: 100 });
    const b = await GenStage.start(system, Counter, { start: 1000, limit: 1100 });
    const stage = await GenStage.start(system, Identity, undefined);
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: stage, maxDemand: 7 });
    await GenStage.subscribe(system, stage, { to: a, maxDemand: 5 });
    await GenStage.subscribe(system, stage, { to: b, maxDemand: 9 });
    await waitUntil(() => seen.events.length === 200);
    const events = seen.events as number[];
    expect(events.filter((x) => x < 1000)).toEqual(range(0, 100));
    expect(events.filter((x) => x >= 1000)).toEqual(range(1000, 1100));
  });
});

describe('consumer batches', () => {
  it('asks for exactly what it handled once minDemand is reached', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 12 });
    const seen = collected();
    const consumer = await GenStage.start(system, collector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 6, minDemand: 2 });
    await waitUntil(() => seen.events.length === 12);
    expect(seen.batches.map((batch) => batch.events.length)).toEqual([4, 2, 4, 2]);
  });
});

describe('producer-consumer exit', () => {
  it('sends its buffered output before exiting with an input that ended normally', async () => {
    const system = newSystem();
    const expand: ProducerConsumerSpec<null, void, number, number> = {
      type: 'producerConsumer',
      init: () => ({ state: null }),
      handleEvents: (events, _from, state) => ({ events: events.flatMap((x) => [x, x, x]), state }),
    };
    const source = await GenStage.start(system, fromAsyncIterable([1, 2]), undefined);
    const stage = await GenStage.start(system, expand, undefined);
    const seen = collected();
    const consumer = await GenStage.start(system, manualCollector(seen), undefined);
    await GenStage.subscribe(system, consumer, { to: stage });
    const stageDown = downOf(system, stage);
    await GenStage.subscribe(system, stage, { to: source });
    system.send(consumer, { ask: 2 });
    await settle(system);
    expect(system.isAlive(source)).toBe(false);
    expect(system.isAlive(stage)).toBe(true);
    system.send(consumer, { ask: 10 });
    await waitUntil(() => seen.events.length === 6);
    expect(seen.events).toEqual([1, 1, 1, 2, 2, 2]);
    expect((await stageDown).reason).toBe('normal');
  });

  it('exits at once with an input that crashed', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 10 });
    const stage = await GenStage.start(system, Identity, undefined);
    const consumer = await GenStage.start(system, manualCollector(collected()), undefined);
    await GenStage.subscribe(system, consumer, { to: stage, cancel: 'temporary' });
    await GenStage.subscribe(system, stage, { to: producer });
    system.send(consumer, { ask: 1 });
    await settle(system);
    const stageDown = downOf(system, stage);
    system.exit(producer, 'kill');
    expect((await stageDown).reason).toBe('killed');
  });
});
