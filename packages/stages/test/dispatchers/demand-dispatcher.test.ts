import { MemoryLogger } from '@starweave/actors';
import { GenStage } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  Counter,
  collected,
  collector,
  manualCollector,
  Pusher,
  range,
  settle,
  useSystems,
  waitUntil,
} from '../helpers.js';

const newSystem = useSystems();

describe('DemandDispatcher', () => {
  it('sends each batch to the consumer with the most pending demand', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, undefined);
    const small = collected();
    const large = collected();
    const a = await GenStage.start(system, manualCollector(small), undefined);
    const b = await GenStage.start(system, manualCollector(large), undefined);
    await GenStage.subscribe(system, a, { to: producer });
    await GenStage.subscribe(system, b, { to: producer });
    system.send(a, { ask: 5 });
    system.send(b, { ask: 10 });
    await settle(system);
    GenStage.cast(system, producer, range(0, 12));
    await settle(system);
    expect(large.events).toEqual(range(0, 10));
    expect(small.events).toEqual([10, 11]);
  });

  it('delivers each event to exactly one consumer', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 3000 });
    const all = [collected(), collected(), collected()];
    for (const seen of all) {
      const consumer = await GenStage.start(system, collector(seen), undefined);
      await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 50 });
    }
    await waitUntil(() => all.reduce((sum, seen) => sum + seen.events.length, 0) === 3000);
    const received = all.flatMap((seen) => seen.events as number[]).sort((x, y) => x - y);
    expect(received).toEqual(range(0, 3000));
    for (const seen of all) {
      const events = seen.events as number[];
      expect(events).toEqual([...events].sort((x, y) => x - y));
    }
  });

  it('sends the events in flight for a cancelled consumer to the others', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Pusher, undefined);
    const first = collected();
    const second = collected();
    const a = await GenStage.start(system, manualCollector(first), undefined);
    const b = await GenStage.start(system, manualCollector(second), undefined);
    await GenStage.subscribe(system, a, { to: producer });
    await GenStage.subscribe(system, b, { to: producer });
    system.send(a, { ask: 5 });
    await settle(system);
    system.exit(a, 'kill');
    await settle(system);
    // The 5 asked for by a were forwarded; once b asks, they reach b and nothing more is asked.
    system.send(b, { ask: 5 });
    await settle(system);
    expect(await GenStage.call<number>(system, producer, 'demand')).toBe(5);
    GenStage.cast(system, producer, range(0, 5));
    await settle(system);
    expect(second.events).toEqual(range(0, 5));
  });

  it('logs a warning when a consumer asks more than the first maxDemand', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const a = await GenStage.start(system, collector(collected()), undefined);
    const b = await GenStage.start(system, collector(collected()), undefined);
    await GenStage.subscribe(system, a, { to: producer, maxDemand: 5 });
    await GenStage.subscribe(system, b, { to: producer, maxDemand: 50 });
    await settle(system);
    expect(logger.find('stage.uneven_demand').length).toBeGreaterThan(0);
  });

  it('accepts shuffleDemandsOnFirstDispatch', async () => {
    const system = newSystem();
    const producer = await GenStage.start(
      system,
      {
        ...Counter,
        init: () => ({
          state: { next: 0, limit: 40, demands: [] },
          dispatcher: { type: 'demand', shuffleDemandsOnFirstDispatch: true },
        }),
      },
      undefined,
    );
    const all = [collected(), collected()];
    for (const seen of all) {
      const consumer = await GenStage.start(system, collector(seen), undefined);
      await GenStage.subscribe(system, consumer, { to: producer, maxDemand: 10 });
    }
    await waitUntil(() => all[0]!.events.length + all[1]!.events.length === 40);
    expect([...all[0]!.events, ...all[1]!.events].sort((x: any, y: any) => x - y)).toEqual(
      range(0, 40),
    );
  });
});
