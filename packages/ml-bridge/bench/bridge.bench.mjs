// Bridge benchmarks: round trips between Node and a Python worker for a small request and a
// 1 MB array, with 64 requests in flight and one at a time, over the pipes on descriptors 3
// and 4 and over ZeroMQ, against a JSON-lines bridge. Also iris predictions with and without
// dynamic batching. Each measurement runs in a fresh node process with a fresh Python worker.

import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';

const peerUrl = (name) => new URL(`./peers/${name}.mjs`, import.meta.url).href;

/** Targets for the bridge figures, checked by benchmarks/report.mjs. */
export const targets = [
  {
    benchmark: 'bridge-small',
    against: 'json-lines',
    minRatio: 1.8,
    text: 'bridge-small (64 in flight) at least 1.8x JSON lines',
  },
  {
    benchmark: 'bridge-1mb',
    against: 'json-lines',
    minRatio: 8,
    text: 'bridge-1mb (64 in flight) at least 8x JSON lines',
  },
  {
    benchmark: 'bridge-small-seq-p50',
    against: 'json-lines',
    minRatio: 1,
    text: 'bridge-small sequential p50 no worse than JSON lines',
  },
  {
    benchmark: 'bridge-small-seq-p50-pinned',
    against: 'json-lines',
    minRatio: 1,
    text: 'bridge-small sequential p50, pinned to one core, no worse than JSON lines',
  },
  {
    benchmark: 'bridge-unbatched-share',
    max: 0.2,
    text: 'batching at least 5x unbatched (unbatched/batched predictions at most 0.2)',
  },
];

/** Request counts; quick runs keep the whole suite to well under a minute. */
function sizes(quick) {
  return quick
    ? {
        small: 20_000,
        smallWarmup: 2_000,
        large: 150,
        largeWarmup: 20,
        seq: 2_000,
        seqWarmup: 500,
        predictions: 20_000,
      }
    : {
        small: 100_000,
        smallWarmup: 5_000,
        large: 600,
        largeWarmup: 40,
        seq: 10_000,
        seqWarmup: 2_000,
        predictions: 100_000,
      };
}

/**
 * Lists the measurements. `args(size)` gives the arguments of the peer's export `measure`;
 * `rows(result)` turns its result into figures, and `systems` names who runs it.
 */
function plan(size) {
  const rate =
    (benchmark, unit = 'req/s') =>
    (result) => [{ benchmark, value: result.perSecond, unit, higherIsBetter: true }];
  const inFlight = (kind, zmq) => ({
    measure: 'inFlight',
    args: {
      size: kind,
      inflight: 64,
      count: kind === 'small' ? size.small : size.large,
      warmup: kind === 'small' ? size.smallWarmup : size.largeWarmup,
      zmq,
    },
  });
  return [
    {
      name: 'small, 64 in flight',
      systems: { starweave: inFlight('small', false), 'json-lines': inFlight('small', false) },
      // The JSON-lines figure is the ratio's reference for the ZeroMQ row too.
      rows: (result, system) => [
        ...rate('bridge-small')(result),
        ...(system === 'json-lines' ? rate('bridge-small-zmq')(result) : []),
      ],
      benchmarks: ['bridge-small', 'bridge-small-zmq'],
    },
    {
      name: 'small over ZeroMQ, 64 in flight',
      systems: { starweave: inFlight('small', true) },
      rows: rate('bridge-small-zmq'),
      benchmarks: ['bridge-small-zmq'],
    },
    {
      name: '1 MB, 64 in flight',
      systems: { starweave: inFlight('large', false), 'json-lines': inFlight('large', false) },
      rows: (result, system) => [
        ...rate('bridge-1mb')(result),
        ...(system === 'json-lines' ? rate('bridge-1mb-zmq')(result) : []),
      ],
      benchmarks: ['bridge-1mb', 'bridge-1mb-zmq'],
    },
    {
      name: '1 MB over ZeroMQ, 64 in flight',
      systems: { starweave: inFlight('large', true) },
      rows: rate('bridge-1mb-zmq'),
      benchmarks: ['bridge-1mb-zmq'],
    },
    ...[false, true].map((pinned) => {
      const benchmark = pinned ? 'bridge-small-seq-p50-pinned' : 'bridge-small-seq-p50';
      const args = {
        measure: 'sequential',
        args: { size: 'small', count: size.seq, warmup: size.seqWarmup, pinned },
      };
      return {
        name: `small, sequential${pinned ? ', pinned to CPU 0' : ''}`,
        systems: { starweave: args, 'json-lines': args },
        rows: (result) => [{ benchmark, value: result.p50, unit: 'µs', higherIsBetter: false }],
        benchmarks: [benchmark],
      };
    }),
    {
      name: 'iris predictions',
      systems: {
        starweave: {
          measure: 'batchingGain',
          args: {
            count: size.predictions,
            warmup: Math.round(size.predictions / 10),
            inflight: 256,
          },
        },
      },
      rows: (result) => [
        {
          benchmark: 'bridge-batched',
          value: result.batched,
          unit: 'predictions/s',
          higherIsBetter: true,
        },
        {
          benchmark: 'bridge-unbatched',
          value: result.unbatched,
          unit: 'predictions/s',
          higherIsBetter: true,
        },
        {
          benchmark: 'bridge-unbatched-share',
          value: result.unbatched / result.batched,
          unit: 'unbatched/batched',
          higherIsBetter: false,
        },
      ],
      benchmarks: ['bridge-batched', 'bridge-unbatched', 'bridge-unbatched-share'],
    },
  ];
}

/**
 * Runs the bridge benchmarks that `only` selects and returns their rows. A measurement that
 * fails is logged and sets process.exitCode, and the others still run.
 * @param {{ quick: boolean, only?: string, log?: (line: string) => void }} options
 */
export async function run({ quick, only, log = console.log }) {
  const rows = [];
  for (const step of plan(sizes(quick))) {
    const wanted = step.benchmarks.filter((benchmark) => selects(only, import.meta.url, benchmark));
    if (wanted.length === 0) continue;
    for (const [system, { measure, args }] of Object.entries(step.systems)) {
      try {
        const result = await measureInChild(peerUrl(system), measure, args, { timeoutMs: 600_000 });
        for (const row of step.rows(result, system)) {
          if (!wanted.includes(row.benchmark)) continue;
          rows.push({ ...row, system });
          log(`${row.benchmark} ${system}: ${formatValue(row.value)} ${row.unit}`);
        }
      } catch (error) {
        log(`${step.name} ${system} failed: ${error.message}`);
        process.exitCode = 1;
      }
    }
  }
  return rows;
}

function formatValue(value) {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}
