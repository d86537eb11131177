/**
 * Tests of CepStage in real pipelines: the outputs equal matchAll's, and the end of the input
 * closes windows. Late events follow the late option, watermarks come from events, markers,
 * calls or clock ticks, and invalid options fail in the caller.
 */
import { decodeVersioned, encodeVersioned, VirtualClock } from '@starweave/actors';
import {
  type CepLate,
  CepStage,
  type CepStageOutput,
  matchAll,
  Pattern,
  Watermark,
} from '@starweave/patterns';
import { GenStage } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  pushPipeline,
  type Reading,
  readings,
  runThrough,
  useSystems,
  waitUntil,
} from './helpers.js';

const newSystem = useSystems();

// Two hot readings of one sensor within 40 ms, then a hotter one within the same window.
const heating = Pattern.begin('hot', (r: Reading) => r.celsius > 60)
  .times(2)
  .followedBy('hotter', (r, context) => r.celsius > context.events('hot')[1]!.celsius)
  .within(40);

type Output = CepStageOutput<Reading, { hot: Reading; hotter: Reading }>;

const idsOf = (output: Output) =>
  output.type === 'late'
    ? `late ${output.event.id}`
    : `${output.type} ${output.key} ${Object.values(output.events as Record<string, Reading[]>)
        .flat()
        .map((r) => r.id)
        .join(',')}`;

describe('CepStage', () => {
  it('emits the matches and timeouts that matchAll finds', async () => {
    const system = newSystem();
    const input = readings(600, 4, 7, 5);
    const options = {
      key: (r: Reading) => r.sensor,
      timestamp: (r: Reading) => r.at,
      maxOutOfOrdernessMs: 5,
    };
    const stage = await CepStage.start(system, { pattern: heating, ...options });
    const outputs = await runThrough<Output>(system, stage, input);

    const expected = matchAll(heating, input, options);
    expect(expected.matches.length).toBeGreaterThan(5);
    expect(expected.timeouts.length).toBeGreaterThan(5);
    expect(expected.late).toEqual([]);
    expect(outputs.filter((o) => o.type === 'match')).toEqual(expected.matches);
    expect(outputs.filter((o) => o.type === 'timeout')).toEqual(expected.timeouts);
    expect(outputs.filter((o) => o.type === 'late')).toEqual([]);
  });

  it('closes the windows when its input ends', async () => {
    const system = newSystem();
    const pattern = Pattern.begin('placed', (r: Reading) => r.celsius === 1)
      .followedBy('paid', (r) => r.celsius === 2)
      .within(1_000);
    const stage = await CepStage.start(system, { pattern, timestamp: (r) => r.at });
    const outputs = await runThrough<Output>(system, stage, [
      { id: 1, sensor: 'a', at: 0, celsius: 1 },
    ]);
    expect(outputs.map((o) => o.type)).toEqual(['timeout']);
    expect((outputs[0] as { timedOutAt: number }).timedOutAt).toBe(1_000);
  });

  it('counts late events and drops them by default', async () => {
    const system = newSystem();
    const stage = await CepStage.start(system, { pattern: heating, timestamp: (r) => r.at });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 100, celsius: 70 },
      { id: 2, sensor: 'a', at: 50, celsius: 70 },
    ]);
    await waitUntil(() => received.length > 0 || system.isIdle());
    const stats = await CepStage.stats(system, stage);
    expect(stats.late).toBe(1);
    expect(stats.events).toBe(2);
    expect(received).toEqual([]);
  });

  it('emits late events downstream with late: emit', async () => {
    const system = newSystem();
    const stage = await CepStage.start(system, {
      pattern: heating,
      timestamp: (r) => r.at,
      late: 'emit',
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 100, celsius: 70 },
      { id: 2, sensor: 'a', at: 50, celsius: 70 },
    ]);
    await waitUntil(() => received.length === 1);
    expect(received.map(idsOf)).toEqual(['late 2']);
    expect((received[0] as CepLate<Reading>).watermark).toBe(100);
  });

  it('sends late events to a side output with late: { sendTo }', async () => {
    const system = newSystem();
    const late: CepLate<Reading>[] = [];
    const side = system.spawn(async (self) => {
      for (;;) late.push((await self.receive({ type: 'late' })) as CepLate<Reading>);
    });
    const stage = await CepStage.start(system, {
      pattern: heating,
      timestamp: (r) => r.at,
      late: { sendTo: side },
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 100, celsius: 70 },
      { id: 2, sensor: 'a', at: 50, celsius: 70 },
      { id: 3, sensor: 'a', at: 60, celsius: 70 },
    ]);
    await waitUntil(() => late.length === 2);
    expect(late.map((output) => output.event.id)).toEqual([2, 3]);
    expect(received).toEqual([]);
    expect((await CepStage.stats(system, stage)).late).toBe(2);
  });

  it('moves a manual watermark on markers and calls only', async () => {
    const system = newSystem();
    const pattern = Pattern.begin('a', (r: Reading) => r.celsius === 1).next(
      'b',
      (r) => r.celsius === 2,
    );
    const stage = await CepStage.start(system, {
      pattern,
      timestamp: (r) => r.at,
      watermark: 'manual',
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 10, celsius: 1 },
      { id: 2, sensor: 'a', at: 20, celsius: 2 },
      { id: 3, sensor: 'a', at: 30, celsius: 1 },
      { id: 4, sensor: 'a', at: 40, celsius: 2 },
    ]);
    await waitUntil(() => system.isIdle());
    expect(received).toEqual([]);
    expect((await CepStage.stats(system, stage)).buffered).toBe(4);

    GenStage.cast(system, pusher, [new Watermark(20)]);
    await waitUntil(() => received.length === 1);
    expect(received.map(idsOf)).toEqual(['match  1,2']);

    await CepStage.advanceWatermark(system, stage, 40);
    await waitUntil(() => received.length === 2);
    expect(received.map(idsOf)).toEqual(['match  1,2', 'match  3,4']);
  });

  it('follows the largest timestamp minus the bound', async () => {
    const system = newSystem();
    const pattern = Pattern.begin('a', (r: Reading) => r.celsius === 1).next(
      'b',
      (r) => r.celsius === 2,
    );
    const stage = await CepStage.start(system, {
      pattern,
      timestamp: (r) => r.at,
      maxOutOfOrdernessMs: 10,
    });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [
      { id: 1, sensor: 'a', at: 20, celsius: 2 },
      { id: 2, sensor: 'a', at: 15, celsius: 1 },
      { id: 3, sensor: 'a', at: 29, celsius: 0 },
    ]);
    await waitUntil(() => system.isIdle());
    expect(received).toEqual([]);
    GenStage.cast(system, pusher, [{ id: 4, sensor: 'a', at: 30, celsius: 0 }]);
    await waitUntil(() => received.length === 1);
    expect(received.map(idsOf)).toEqual(['match  2,1']);
  });

  it('times out partial matches on clock ticks in arrival time', async () => {
    const clock = new VirtualClock(1_000);
    const system = newSystem({ clock });
    const pattern = Pattern.begin('a', (r: Reading) => r.celsius === 1)
      .followedBy('b', (r) => r.celsius === 2)
      .within(100);
    const stage = await CepStage.start(system, { pattern, time: 'arrival', tickMs: 50 });
    const { pusher, received } = await pushPipeline<Output>(system, stage);
    GenStage.cast(system, pusher, [{ id: 1, sensor: 'a', at: 0, celsius: 1 }]);
    await waitUntil(() => system.isIdle());
    clock.advance(60);
    await waitUntil(() => system.isIdle());
    expect(received).toEqual([]);

    clock.advance(50);
    await waitUntil(() => received.length === 1);
    expect(received[0]!.type).toBe('timeout');
    expect((received[0] as { timedOutAt: number }).timedOutAt).toBe(1_100);
  });

  it('fails in the caller on invalid options', () => {
    const system = newSystem();
    const invalid = [
      { pattern: heating, timestamp: (r: Reading) => r.at, tickMs: 10 },
      { pattern: heating, late: 'later' },
      { pattern: heating, late: { sendTo: '' } },
      { pattern: heating, time: 'wall' },
      { pattern: heating, watermark: 'sometimes', timestamp: (r: Reading) => r.at },
      { pattern: heating, time: 'event' },
      { pattern: {} },
    ];
    for (const options of invalid) {
      expect(() => CepStage.startLink(system, options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });

  it('saves a snapshot that restores through the codec', () => {
    const spec = CepStage.spec({ pattern: heating, timestamp: (r) => r.at });
    const fakeSelf = { pid: null, system: { clock: { now: () => 0 } }, sendAfter: () => null };
    const init = spec.init(undefined, fakeSelf as never) as { state: any };
    init.state.engine.push({ id: 1, sensor: 'a', at: 5, celsius: 70 });
    const bytes = encodeVersioned(spec.snapshotState!(init.state));

    const fresh = spec.init(undefined, fakeSelf as never) as { state: any };
    const restored = spec.restoreState!(decodeVersioned(bytes), fresh.state);
    expect(restored.engine.snapshot()).toEqual(init.state.engine.snapshot());
  });

  it('rejects the snapshot of another kind of stage', () => {
    const spec = CepStage.spec({ pattern: heating, timestamp: (r) => r.at });
    const fakeSelf = { pid: null, system: { clock: { now: () => 0 } }, sendAfter: () => null };
    const { state } = spec.init(undefined, fakeSelf as never) as { state: any };
    expect(() =>
      spec.restoreState!({ format: 'starweave.window-stage', version: 1 }, state),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
