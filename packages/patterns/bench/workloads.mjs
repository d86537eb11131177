// CEP workloads measured by cep.bench.mjs, each called in a fresh node process. Events are
// synthetic: a key out of `keys`, a kind from 0 to 3 and a value, one millisecond apart, so a
// key gets about six events in the one-minute windows of the patterns. They are made as they
// are fed, as a source would hand them over, and the watermark moves every 1024 events.

import { CepEngine, Pattern, WindowAggregator } from '@starweave/patterns';

/** A small deterministic generator (xorshift32), so every run gets the same stream. */
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const PATTERNS = {
  strict: () =>
    Pattern.begin('a', (e) => e.kind === 0)
      .next('b', (e) => e.kind === 1)
      .next('c', (e) => e.kind === 2)
      .within(60_000),
  relaxedWithin: () =>
    Pattern.begin('a', (e) => e.kind === 0)
      .followedBy('b', (e) => e.kind === 1)
      .followedBy('c', (e) => e.kind === 2)
      .within(60_000),
  oneOrMore: () =>
    Pattern.begin('a', (e) => e.kind === 0)
      .followedBy('b', (e) => e.kind === 1)
      .oneOrMore()
      .followedBy('c', (e) => e.kind === 2)
      .within(60_000),
};

function feed(sink, advance, { events, keys }, sample) {
  const next = random(42);
  for (let index = 0; index < events; index += 1) {
    const r = next();
    sink({ key: Math.floor(r * keys), kind: Math.floor(next() * 4), value: r, t: index });
    if ((index & 1023) === 1023) {
      advance(index);
      if (sample !== undefined && (index & 262143) === 262143) sample();
    }
  }
  advance(events);
}

/** Runs one pattern over the stream; returns events per second and the matches found. */
export function cep({ pattern, events, keys }) {
  let matches = 0;
  const engine = new CepEngine(PATTERNS[pattern](), {
    key: (e) => e.key,
    timestamp: (e) => e.t,
    emit: (output) => {
      if (output.type === 'match') matches += 1;
    },
  });
  const started = process.hrtime.bigint();
  feed(
    (e) => engine.push(e),
    (t) => engine.advanceWatermark(t),
    { events, keys },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: events / seconds, matches, stats: engine.stats() };
}

/** Runs tumbling one-minute windows with every aggregate; returns events per second. */
export function windows({ events, keys }) {
  let fired = 0;
  const aggregator = new WindowAggregator({
    key: (e) => e.key,
    timestamp: (e) => e.t,
    value: (e) => e.value,
    window: { type: 'tumbling', sizeMs: 60_000 },
    emit: () => {
      fired += 1;
    },
  });
  const started = process.hrtime.bigint();
  feed(
    (e) => aggregator.push(e),
    (t) => aggregator.advanceWatermark(t),
    { events, keys },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: events / seconds, fired };
}

/**
 * Runs the relaxed pattern with a window and returns the peak of the live heap over the run,
 * less the heap before it: the heap is measured after a full collection every 262144 events.
 */
export function memory({ events, keys }) {
  globalThis.gc();
  globalThis.gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  const engine = new CepEngine(PATTERNS.relaxedWithin(), {
    key: (e) => e.key,
    timestamp: (e) => e.t,
    emit: () => {},
  });
  const sample = () => {
    globalThis.gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
  };
  feed(
    (e) => engine.push(e),
    (t) => engine.advanceWatermark(t),
    { events, keys },
    sample,
  );
  sample();
  return { peakBytes: peak, partialMatches: engine.stats().partialMatches };
}
