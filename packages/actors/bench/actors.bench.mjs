// Actor benchmarks: spawn (100k and 1M idle processes), tell 1->1, fan-in and ring, for
// starweave and its peers. Each measurement runs in a fresh node or erl process.

import { fileURLToPath } from 'node:url';
import { erlangAvailable, runErlang } from '../../../benchmarks/lib/erlang.mjs';
import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';

const ERLANG_SOURCE = fileURLToPath(new URL('./erlang/actors_bench.erl', import.meta.url));
const peerUrl = (name) => new URL(`./peers/${name}.mjs`, import.meta.url).href;

/** Targets for the actor figures, checked by benchmarks/report.mjs. */
export const targets = [
  { benchmark: 'tell', against: 'erlang', minRatio: 1.5, text: 'tell at least 1.5x Erlang (+S 1)' },
  { benchmark: 'tell', against: 'bare-js', minRatio: 0.6, text: 'tell at least 0.6x bare-js' },
  { benchmark: 'fan-in', against: 'erlang', minRatio: 2, text: 'fan-in at least 2x Erlang (+S 1)' },
  { benchmark: 'ring', against: 'erlang', minRatio: 2, text: 'ring at least 2x Erlang (+S 1)' },
  {
    benchmark: 'spawn-time',
    against: 'erlang',
    minRatio: 3,
    text: 'spawn (100k) at least 3x as fast as Erlang (+S 1)',
  },
  {
    benchmark: 'spawn-time-1m',
    against: 'erlang',
    minRatio: 3,
    text: 'spawn (1M) at least 3x as fast as Erlang (+S 1)',
  },
  { benchmark: 'spawn-memory', max: 400, text: 'at most 400 bytes per idle process (100k)' },
  { benchmark: 'spawn-memory-1m', max: 400, text: 'at most 400 bytes per idle process (1M)' },
  { benchmark: 'spawn-time-1m', measured: true, text: '1M live processes in one system' },
];

/** Node.js systems and the module that measures each. */
const NODE_SYSTEMS = {
  starweave: peerUrl('starweave'),
  'bare-js': peerUrl('bare-js'),
  nact: peerUrl('nact'),
  xstate: peerUrl('xstate'),
};

/** nact and xstate run about 0.5M messages a second, so they get fewer messages to tell. */
const SLOW_SYSTEMS = new Set(['nact', 'xstate']);

function tellMessages(quick, system) {
  if (SLOW_SYSTEMS.has(system)) return quick ? 200_000 : 1_000_000;
  return quick ? 1_000_000 : 10_000_000;
}

/**
 * Lists the measurements: each gives one or more rows, and `systems` names who runs it.
 * `size(quick, system)` returns the arguments; `rows(result)` turns a result into figures.
 */
function plan(quick) {
  const spawnRows = (suffix) => (result) => [
    {
      benchmark: `spawn-time${suffix}`,
      value: result.nsPerProcess,
      unit: 'ns/process',
      higherIsBetter: false,
    },
    {
      benchmark: `spawn-memory${suffix}`,
      value: result.bytesPerProcess,
      unit: 'bytes/process',
      higherIsBetter: false,
    },
  ];
  const rate = (benchmark, unit) => (result) => [
    { benchmark, value: result.perSecond, unit, higherIsBetter: true },
  ];
  const all = ['starweave', 'bare-js', 'nact', 'xstate', 'erlang', 'erlang-smp'];
  const noXstate = all.filter((system) => system !== 'xstate');

  return [
    {
      name: 'spawn',
      benchmarks: ['spawn-time', 'spawn-memory'],
      systems: all,
      measure: 'spawn',
      erlang: () => ['spawn', 100_000],
      size: () => ({ count: 100_000 }),
      rows: spawnRows(''),
    },
    // A quick run skips the 1M variants: xstate alone needs 10 to 20 s for them on a 2-core VM.
    ...(quick
      ? []
      : [
          {
            name: 'spawn 1M',
            benchmarks: ['spawn-time-1m', 'spawn-memory-1m'],
            systems: all,
            measure: 'spawn',
            erlang: () => ['spawn', 1_000_000],
            size: () => ({ count: 1_000_000 }),
            rows: spawnRows('-1m'),
          },
        ]),
    {
      name: 'tell',
      benchmarks: ['tell'],
      systems: all,
      measure: 'tell',
      erlang: () => ['tell', quick ? 1_000_000 : 10_000_000],
      size: (system) => ({ messages: tellMessages(quick, system) }),
      rows: rate('tell', 'msgs/s'),
    },
    {
      name: 'fan-in',
      benchmarks: ['fan-in'],
      systems: noXstate,
      measure: 'fanIn',
      erlang: () => ['fanin', 1000, quick ? 100 : 1000],
      size: () => ({ senders: 1000, messagesPerSender: quick ? 100 : 1000 }),
      rows: rate('fan-in', 'msgs/s'),
    },
    {
      name: 'ring',
      benchmarks: ['ring'],
      systems: noXstate,
      measure: 'ring',
      erlang: () => ['ring', 10_000, quick ? 200_000 : 1_000_000],
      size: () => ({ processes: 10_000, hops: quick ? 200_000 : 1_000_000 }),
      rows: rate('ring', 'hops/s'),
    },
  ];
}

async function measureOne(step, system) {
  if (system === 'erlang' || system === 'erlang-smp') {
    const [result] = await runErlang(ERLANG_SOURCE, {
      args: step.erlang(),
      smp: system === 'erlang-smp',
      // The default limit of 1,048,576 processes leaves too little room above 1M.
      flags: ['+P', '2000000'],
    });
    return {
      nsPerProcess: result.ns_per_process,
      bytesPerProcess: result.bytes_per_process,
      perSecond: result.per_second,
    };
  }
  return measureInChild(NODE_SYSTEMS[system], step.measure, step.size(system));
}

/**
 * Runs the actor benchmarks that `only` selects and returns their rows. A measurement that
 * fails is logged and sets process.exitCode, and the others still run.
 * @param {{ quick: boolean, only?: string, log: (line: string) => void }} options
 */
export async function run({ quick, only, log }) {
  const rows = [];
  const haveErlang = erlangAvailable();
  if (!haveErlang) log('Erlang is not available, so the erlang and erlang-smp rows are skipped');

  for (const step of plan(quick)) {
    const wanted = step.benchmarks.filter((benchmark) => selects(only, import.meta.url, benchmark));
    if (wanted.length === 0) continue;

    for (const system of step.systems) {
      if (system.startsWith('erlang') && !haveErlang) continue;
      try {
        const result = await measureOne(step, system);
        for (const row of step.rows(result)) {
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
