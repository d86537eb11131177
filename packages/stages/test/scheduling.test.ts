import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, silentLogger } from '@starweave/actors';
import { type ConsumerSpec, GenStage, type ProducerSpec } from '@starweave/stages';

const systems: ActorSystem[] = [];
afterEach(async () => {
  for (const system of systems.splice(0)) await system.shutdown();
});

// An endless producer: every demand is met at once, so the flow never pauses by itself.
const Endless: ProducerSpec<number, void, number> = {
  type: 'producer',
  init: () => ({ state: 0 }),
  handleDemand: (demand, next) => ({
    events: Array.from({ length: demand }, (_, i) => next + i),
    state: next + demand,
  }),
};

describe('stage scheduling', () => {
  it('lets a timer fire close to its due time under an endless flow of events', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    systems.push(system);
    let seen = 0;
    const Count: ConsumerSpec<null, void, number> = {
      type: 'consumer',
      init: () => ({ state: null }),
      handleEvents: (events, _from, state) => {
        seen += events.length;
        return { state };
      },
    };
    const producer = await GenStage.startLink(system, Endless, undefined);
    const consumer = await GenStage.startLink(system, Count, undefined);
    await GenStage.subscribe(system, consumer, { to: producer });

    const lateness: number[] = [];
    for (let i = 0; i < 5; i++) {
      const due = performance.now() + 20;
      await new Promise((resolve) => setTimeout(resolve, 20));
      lateness.push(performance.now() - due);
    }
    expect(seen).toBeGreaterThan(100_000);
    // Each event counts as a reduction, so slices stay short; 100 ms leaves room for a busy CI.
    expect(Math.max(...lateness)).toBeLessThan(100);
  });
});
