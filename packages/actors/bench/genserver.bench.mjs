// GenServer benchmarks: sequential call round trips and their latency, and cast throughput,
// from one client to one counter server, for starweave and its peers. Each measurement runs in
// a fresh node or erl process.

import { fileURLToPath } from 'node:url';
import { erlangAvailable, runErlang } from '../../../benchmarks/lib/erlang.mjs';
import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';

const ERLANG_SOURCE = fileURLToPath(new URL('./erlang/genserver_bench.erl', import.meta.url));
const peerUrl = (name) => new URL(`./peers/genserver-${name}.mjs`, import.meta.url).href;

/** Targets for the GenServer figures, checked by benchmarks/report.mjs. */
export const targets = [
  {
    benchmark: 'genserver-call',
    against: 'erlang',
    minRatio: 1.2,
    text: 'genserver-call at least 1.2x Erlang (+S 1)',
  },
  {
    benchmark: 'genserver-call',
    against: 'nact',
    minRatio: 2,
    text: 'genserver-call at least 2x nact',
  },
  {
    benchmark: 'genserver-call-p50',
    against: 'erlang',
    minRatio: 1,
    text: 'genserver-call p50 no worse than Erlang (+S 1)',
  },
];

/** Node.js systems and the module that measures each. */
const NODE_SYSTEMS = {
  starweave: peerUrl('starweave'),
  nact: peerUrl('nact'),
  xstate: peerUrl('xstate'),
  promise: peerUrl('promise'),
};

const SYSTEMS = ['starweave', 'nact', 'xstate', 'promise', 'erlang', 'erlang-smp'];

/** Call and cast counts; the warm-up lets the JIT and the BEAM settle before the clock starts. */
function sizes(quick) {
  return quick
    ? { warmup: 2_000, calls: 100_000, timed: 20_000, casts: 200_000 }
    : { warmup: 20_000, calls: 1_000_000, timed: 100_000, casts: 1_000_000 };
}

/**
 * Lists the measurements: each gives one or more rows. `args(size)` returns the arguments of
 * the Node.js export `measure`, `erlang(size)` those of the Erlang module.
 */
function plan() {
  return [
    {
      name: 'call',
      benchmarks: ['genserver-call', 'genserver-call-p50', 'genserver-call-p99'],
      measure: 'call',
      args: ({ warmup, calls, timed }) => ({ warmup, calls, timed }),
      erlang: ({ warmup, calls, timed }) => ['call', warmup, calls, timed],
      rows: (result) => [
        {
          benchmark: 'genserver-call',
          value: result.perSecond,
          unit: 'calls/s',
          higherIsBetter: true,
        },
        { benchmark: 'genserver-call-p50', value: result.p50Us, unit: 'µs', higherIsBetter: false },
        { benchmark: 'genserver-call-p99', value: result.p99Us, unit: 'µs', higherIsBetter: false },
      ],
    },
    {
      name: 'cast',
      benchmarks: ['genserver-cast'],
      measure: 'cast',
      args: ({ warmup, casts }) => ({ warmup, casts }),
      erlang: ({ warmup, casts }) => ['cast', warmup, casts],
      rows: (result) => [
        {
          benchmark: 'genserver-cast',
          value: result.perSecond,
          unit: 'casts/s',
          higherIsBetter: true,
        },
      ],
    },
  ];
}

async function measureOne(step, system, size) {
  if (system === 'erlang' || system === 'erlang-smp') {
    const [result] = await runErlang(ERLANG_SOURCE, {
      args: step.erlang(size),
      smp: system === 'erlang-smp',
    });
    return { perSecond: result.per_second, p50Us: result.p50_us, p99Us: result.p99_us };
  }
  return measureInChild(NODE_SYSTEMS[system], step.measure, step.args(size));
}

/**
 * Runs the GenServer benchmarks that `only` selects and returns their rows. A measurement that
 * fails is logged and sets process.exitCode, and the others still run.
 * @param {{ quick: boolean, only?: string, log: (line: string) => void }} options
 */
export async function run({ quick, only, log }) {
  const rows = [];
  const haveErlang = erlangAvailable();
  if (!haveErlang) log('Erlang is not available, so the erlang and erlang-smp rows are skipped');
  const size = sizes(quick);

  for (const step of plan()) {
    const selected = step.benchmarks.filter((benchmark) =>
      selects(only, import.meta.url, benchmark),
    );
    if (selected.length === 0) continue;

    for (const system of SYSTEMS) {
      if (system.startsWith('erlang') && !haveErlang) continue;
      try {
        const result = await measureOne(step, system, size);
        for (const row of step.rows(result)) {
          if (!selected.includes(row.benchmark)) continue;
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
