/**
 * Tests of the incremental engine: event-time ordering and watermarks, late events, arrival
 * time, per-key state, the partial match cap, bounded state on a long run, and snapshots that
 * restore an engine which then continues exactly as the original.
 */
import { decode, encode } from '@starweave/actors';
import { AfterMatchSkip, CepEngine, type CepOutput, Pattern } from '@starweave/patterns';
import { describe, expect, it } from 'vitest';

type Ev = { key: string; kind: string; t: number; value: number };

const is = (kind: string) => (e: Ev) => e.kind === kind;
const ev = (key: string, kind: string, t: number, value = 0): Ev => ({ key, kind, t, value });
const ids = (outputs: CepOutput<Ev, any>[]) =>
  outputs.map((output) =>
    output.type === 'late'
      ? `late ${output.event.kind}@${output.timestamp}`
      : `${output.type} ${Object.values(output.events as Record<string, Ev[]>)
          .flat()
          .map((e) => `${e.kind}@${e.t}`)
          .join(' ')}`,
  );

describe('CepEngine in event time', () => {
  const pattern = Pattern.begin('a', is('a')).next('b', is('b'));

  it('processes buffered events in timestamp order at the watermark', () => {
    const engine = new CepEngine(pattern, { key: (e) => e.key, timestamp: (e) => e.t });
    engine.push(ev('k', 'b', 2));
    engine.push(ev('k', 'a', 1));
    expect(engine.drain()).toEqual([]);
    expect(engine.stats().buffered).toBe(2);
    engine.advanceWatermark(2);
    expect(ids(engine.drain())).toEqual(['match a@1 b@2']);
  });

  it('routes events behind the watermark to the late output and counts them', () => {
    const engine = new CepEngine(pattern, {
      key: (e) => e.key,
      timestamp: (e) => e.t,
      maxOutOfOrdernessMs: 5,
    });
    engine.push(ev('k', 'a', 10));
    engine.push(ev('k', 'x', 20));
    engine.push(ev('k', 'b', 14));
    engine.push(ev('k', 'b', 16));
    expect(ids(engine.drain())).toEqual(['late b@14']);
    expect(engine.stats().late).toBe(1);
    engine.close();
    // In timestamp order b@16 comes right after a@10, before x@20.
    expect(ids(engine.drain())).toEqual(['match a@10 b@16']);
  });

  it('keeps the partial matches of each key apart', () => {
    const engine = new CepEngine(pattern, { key: (e) => e.key, timestamp: (e) => e.t });
    engine.pushAll([ev('x', 'a', 1), ev('y', 'a', 2), ev('x', 'b', 3), ev('y', 'c', 4)]);
    engine.advanceWatermark(10);
    const outputs = engine.drain();
    expect(outputs.map((output) => output.key)).toEqual(['x']);
    expect(engine.stats().keys).toBe(0);
  });

  it('fires timeouts when the watermark passes the window', () => {
    const windowed = Pattern.begin('a', is('a')).followedBy('b', is('b')).within(100);
    const engine = new CepEngine(windowed, { key: (e) => e.key, timestamp: (e) => e.t });
    engine.push(ev('k', 'a', 0));
    engine.advanceWatermark(99);
    expect(engine.drain()).toEqual([]);
    engine.advanceWatermark(100);
    const [timeout] = engine.drain();
    expect(timeout?.type).toBe('timeout');
    expect((timeout as { timedOutAt: number }).timedOutAt).toBe(100);
  });

  it('fails on a push after close', () => {
    const engine = new CepEngine(pattern, { timestamp: (e) => e.t });
    engine.close();
    expect(() => engine.push(ev('k', 'a', 1))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('rejects a timestamp that is not a finite number', () => {
    const engine = new CepEngine(pattern, { timestamp: () => Number.NaN });
    expect(() => engine.push(ev('k', 'a', 1))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('CepEngine in arrival time', () => {
  it('processes each event at once at the clock time', () => {
    let now = 0;
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b')).within(50);
    const engine = new CepEngine(pattern, { time: 'arrival', clock: { now: () => now } });
    engine.push(ev('k', 'a', 0));
    now = 60;
    engine.push(ev('k', 'b', 0));
    expect(ids(engine.drain())).toEqual(['timeout a@0']);
    now = 70;
    engine.push(ev('k', 'a', 0));
    engine.push(ev('k', 'b', 0));
    expect(ids(engine.drain())).toEqual(['match a@0 b@0']);
  });
});

describe('CepEngine partial match cap', () => {
  // Without a window, every `a` stays a partial match waiting for its `b`.
  const pattern = Pattern.begin('a', is('a')).followedByAny('b', is('b'));
  const feed = (engine: CepEngine<Ev, any>) => {
    for (let t = 0; t < 100; t += 1) engine.push(ev('k', 'a', t, t));
    engine.push(ev('k', 'b', 100));
    engine.close();
    const outputs = engine.drain();
    return outputs.filter((output) => output.type === 'match') as unknown as {
      events: { a: Ev[] };
    }[];
  };

  it('dropOldest keeps the newest partial matches and counts the dropped', () => {
    const engine = new CepEngine(pattern, { timestamp: (e) => e.t, maxPartialMatchesPerKey: 10 });
    const matches = feed(engine);
    expect(matches.map((match) => match.events.a[0]!.value)).toEqual([
      90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
    ]);
    expect(engine.stats().droppedByCap).toBe(90);
  });

  it('rejectNew keeps the oldest partial matches and counts the rejected', () => {
    const engine = new CepEngine(pattern, {
      timestamp: (e) => e.t,
      maxPartialMatchesPerKey: 10,
      overflow: 'rejectNew',
    });
    const matches = feed(engine);
    expect(matches.map((match) => match.events.a[0]!.value)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(engine.stats().droppedByCap).toBe(90);
  });
});

describe('CepEngine bounded state', () => {
  it('keeps partial matches bounded over a million events that never complete', () => {
    // Every `a` opens a partial match that only its window closes; 1000 keys, 1 ms apart.
    const pattern = Pattern.begin('a', is('a')).followedBy('b', is('b')).within(200);
    const engine = new CepEngine(pattern, {
      key: (e) => e.key,
      timestamp: (e) => e.t,
      emit: () => {},
    });
    const keys = Array.from({ length: 1000 }, (_, index) => `k${index}`);
    const event = { key: '', kind: 'a', t: 0, value: 0 };
    let peak = 0;
    let heapAtHalf = 0;
    const total = 1_000_000;
    for (let index = 0; index < total; index += 1) {
      // The engine keeps events in partial matches, so each needs its own object.
      engine.push({ ...event, key: keys[index % keys.length]!, t: index });
      if (index % 1000 === 999) {
        engine.advanceWatermark(index);
        peak = Math.max(peak, engine.stats().partialMatches);
      }
      if (index === total / 2) heapAtHalf = process.memoryUsage().heapUsed;
    }
    const stats = engine.stats();
    // A window of 200 ms contains at most 200 starts, plus the 1000 events not yet watermarked.
    expect(peak).toBeLessThanOrEqual(1200);
    expect(stats.expired).toBeGreaterThan(total - 2000);
    expect(stats.timeouts).toBe(stats.expired);
    expect(process.memoryUsage().heapUsed - heapAtHalf).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('CepEngine.snapshot', () => {
  // A pattern with a loop, negative steps, windows and a skip strategy, so that a snapshot
  // contains shared prefixes, fresh runs, absence windows and held matches.
  const pattern = Pattern.begin('a', is('a'))
    .followedByAny(
      'b',
      (e: Ev, context) => e.kind === 'b' && e.value >= (context.events('a')[0]?.value ?? 0),
    )
    .oneOrMore()
    .notFollowedBy('no-c', is('c'))
    .followedBy('d', is('d'))
    .notFollowedBy('no-e', is('e'))
    .within(30)
    .skip(AfterMatchSkip.skipToLast('b'));

  function randomStream(count: number, seed: number): Ev[] {
    let state = seed;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const kinds = ['a', 'b', 'b', 'c', 'd', 'e', 'x'];
    const events: Ev[] = [];
    let t = 0;
    for (let index = 0; index < count; index += 1) {
      t += Math.floor(random() * 3);
      // Some events arrive out of order, within the 4 ms bound.
      const jitter = Math.floor(random() * 4);
      events.push(
        ev(
          `k${Math.floor(random() * 4)}`,
          kinds[Math.floor(random() * kinds.length)]!,
          Math.max(0, t - jitter),
          Math.floor(random() * 4),
        ),
      );
    }
    return events;
  }

  const options = { key: (e: Ev) => e.key, timestamp: (e: Ev) => e.t, maxOutOfOrdernessMs: 4 };

  it('restores through the codec and continues exactly as the original', () => {
    const events = randomStream(3000, 7);
    const original = new CepEngine(pattern, options);
    original.pushAll(events);
    original.close();
    const expected = original.drain();
    expect(expected.filter((output) => output.type === 'match').length).toBeGreaterThan(10);

    for (const cut of [1, 500, 1499, 2222]) {
      const first = new CepEngine(pattern, options);
      first.pushAll(events.slice(0, cut));
      const before = first.drain();
      const bytes = encode(first.snapshot());
      const second = new CepEngine(pattern, options);
      second.restore(decode(bytes) as ReturnType<CepEngine<Ev>['snapshot']>);
      second.pushAll(events.slice(cut));
      second.close();
      expect([...before, ...second.drain()]).toEqual(expected);
      expect(second.stats()).toEqual(original.stats());
    }
  });

  it('rejects a snapshot of another pattern', () => {
    const engine = new CepEngine(pattern, options);
    const other = new CepEngine(Pattern.begin('z', is('z')), options);
    expect(() => other.restore(engine.snapshot())).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('CepEngine with a throwing condition', () => {
  it('propagates the error and keeps processing later events', () => {
    const pattern = Pattern.begin('a', (e: Ev) => {
      if (e.value < 0) throw new Error('bad reading');
      return e.kind === 'a';
    }).next('b', is('b'));
    const engine = new CepEngine(pattern, { time: 'arrival', timestamp: (e) => e.t });
    engine.push(ev('k', 'a', 1));
    expect(() => engine.push(ev('k', 'x', 2, -1))).toThrow('bad reading');
    engine.push(ev('k', 'a', 3));
    engine.push(ev('k', 'b', 4));
    expect(ids(engine.drain())).toEqual(['match a@3 b@4']);
  });
});
