/**
 * The source stage on a virtual clock: hour ticks for every partition, the speed-up schedule,
 * and the offset a restart resumes from.
 */
import type { ProcessContext } from '@starweave/actors';
import { type ConsumerSpec, GenStage } from '@starweave/stages';
import { createTestSystem } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import type { Flight } from '../src/data/flight.js';
import { arraySource } from '../src/data/flight-source.js';
import { RunMetrics } from '../src/pipeline/run-metrics.js';
import { SourceStage } from '../src/pipeline/source-stage.js';
import { type SourceEvent, Tick } from '../src/pipeline/tick.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2001, 0, 2, 8, 0);

function flight(offset: number, minute: number, origin: string): Flight {
  return {
    offset,
    time: T0 + minute * MINUTE,
    delay: 0,
    distance: 100,
    origin,
    destination: 'XXX',
  };
}

type Seen = Array<{ at: number; event: SourceEvent }>;

/** Returns a consumer of one partition that records each event with its virtual arrival time. */
function recorder(seen: Seen): ConsumerSpec<null, { partition: number }, SourceEvent> {
  return {
    type: 'consumer',
    init: ({ partition }) => ({
      state: null,
      subscribeTo: [{ to: 'source', partition, maxDemand: 10, minDemand: 5 }],
    }),
    handleEvents: (events, _from, state, self: ProcessContext) => {
      for (const event of events) seen.push({ at: self.system.clock.now(), event });
      return { state };
    },
  };
}

function describeEvent({ event }: { event: SourceEvent }): string {
  return event instanceof Tick
    ? `tick ${(event.to - T0) / MINUTE}${event.final ? ' final' : ''}`
    : `flight ${event.offset}`;
}

describe('SourceStage', () => {
  it('ticks every partition each hour', async () => {
    const t = createTestSystem({ seed: 42 });
    const flights = [
      flight(0, 0, 'AAA'),
      flight(1, 30, 'AAB'),
      flight(2, 70, 'AAA'),
      flight(3, 190, 'AAB'),
    ];
    const arg = {
      source: arraySource(flights),
      partitions: 2,
      limit: 4,
      speedup: null,
      metrics: new RunMetrics(),
    };
    await GenStage.startLink(t.system, SourceStage, arg, { name: 'source' });
    const seen: [Seen, Seen] = [[], []];
    await GenStage.startLink(t.system, recorder(seen[0]), { partition: 0 });
    await GenStage.startLink(t.system, recorder(seen[1]), { partition: 1 });
    await t.runUntilIdle();

    const ticks = (list: Seen) =>
      list.filter(({ event }) => event instanceof Tick).map(describeEvent);
    expect(ticks(seen[0])).toEqual(['tick 60', 'tick 180', 'tick 240 final']);
    expect(ticks(seen[1])).toEqual(['tick 60', 'tick 180', 'tick 240 final']);
    expect(seen.flat().filter(({ event }) => !(event instanceof Tick))).toHaveLength(4);
    await t.shutdown();
  });

  it('releases records on the speed-up schedule', async () => {
    const t = createTestSystem({ seed: 42 });
    // 3600x: one hour of event time per second of wall-clock time.
    const flights = [flight(0, 0, 'AAA'), flight(1, 30, 'AAA'), flight(2, 120, 'AAA')];
    const arg = {
      source: arraySource(flights),
      partitions: 1,
      limit: 3,
      speedup: 3600,
      metrics: new RunMetrics(),
    };
    await GenStage.startLink(t.system, SourceStage, arg, { name: 'source' });
    const seen: Seen = [];
    const start = t.now();
    await GenStage.startLink(t.system, recorder(seen), { partition: 0 });
    await t.advance(3000);

    const arrivals = seen
      .filter(({ event }) => !(event instanceof Tick))
      .map(({ at, event }) => [(event as Flight).offset, at - start]);
    expect(arrivals[0]).toEqual([0, 0]);
    expect(arrivals[1]![1]).toBeGreaterThanOrEqual(500);
    expect(arrivals[1]![1]).toBeLessThan(600);
    expect(arrivals[2]![1]).toBeGreaterThanOrEqual(2000);
    expect(arrivals[2]![1]).toBeLessThan(2100);
    await t.shutdown();
  });

  it('resumes from its snapshot offset', () => {
    const snapshot = SourceStage.snapshotState!({ offset: 7, hour: T0, done: false } as never);
    const restored = SourceStage.restoreState!(snapshot, {
      offset: 0,
      hour: null,
      done: false,
    } as never);
    expect(restored).toMatchObject({ offset: 7, hour: T0, done: false });
  });
});
