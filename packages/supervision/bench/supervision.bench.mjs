// Supervision benchmarks for starweave and Erlang's supervisor (`erl +S 1`). Restart latency
// is timed from a kill to the restarted child replying to a call, in a tree of 1000 children
// under random kills (mean, median and p99). DynamicSupervisor churn counts children started
// and stopped per second. Each measurement runs in a fresh node or erl process, after untimed
// warm-up rounds.

import { fileURLToPath } from 'node:url';
import { erlangAvailable, runErlang } from '../../../benchmarks/lib/erlang.mjs';
import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';

const ERLANG_SOURCE = fileURLToPath(new URL('./erlang/supervision_bench.erl', import.meta.url));
const STARWEAVE = new URL('./starweave.mjs', import.meta.url).href;

/** The same children and kill sequence seed for both systems. */
const CHILDREN = 1000;
const SEED = 7;
/**
 * Fresh processes per figure. Each figure is the median of their results, because one run can
 * land on a busy moment of a shared machine, and the tail of the latencies shows it first.
 */
const REPEATS = 3;

/** Runs `measure` REPEATS times and returns, for each field, the median of the results. */
async function medianOf(measure) {
  const results = [];
  for (let i = 0; i < REPEATS; i++) results.push(await measure());
  const median = {};
  for (const key of Object.keys(results[0])) {
    const values = results.map((result) => result[key]).sort((a, b) => a - b);
    median[key] = values[Math.floor(values.length / 2)];
  }
  return median;
}

function plan(quick) {
  const samples = quick ? 500 : 5000;
  const churn = quick ? 10_000 : 100_000;
  return [
    {
      name: 'restart latency',
      benchmarks: ['restart-latency', 'restart-latency-p50', 'restart-latency-p99'],
      starweave: () =>
        measureInChild(STARWEAVE, 'restartLatency', { children: CHILDREN, samples, seed: SEED }),
      erlang: async () => {
        const [result] = await runErlang(ERLANG_SOURCE, {
          args: ['restart', CHILDREN, samples, SEED],
        });
        return { meanUs: result.mean_us, p50Us: result.p50_us, p99Us: result.p99_us };
      },
      rows: (result) => [
        { benchmark: 'restart-latency', value: result.meanUs, unit: 'µs', higherIsBetter: false },
        {
          benchmark: 'restart-latency-p50',
          value: result.p50Us,
          unit: 'µs',
          higherIsBetter: false,
        },
        {
          benchmark: 'restart-latency-p99',
          value: result.p99Us,
          unit: 'µs',
          higherIsBetter: false,
        },
      ],
    },
    {
      name: 'dynamic churn',
      benchmarks: ['dynamic-churn'],
      starweave: () => measureInChild(STARWEAVE, 'dynamicChurn', { children: churn }),
      erlang: async () => {
        const [result] = await runErlang(ERLANG_SOURCE, { args: ['churn', churn] });
        return { perSecond: result.per_second };
      },
      rows: (result) => [
        {
          benchmark: 'dynamic-churn',
          value: result.perSecond,
          unit: 'children/s',
          higherIsBetter: true,
        },
      ],
    },
  ];
}

/**
 * Runs the supervision benchmarks that `only` selects and returns their rows. A measurement
 * that fails is logged and sets process.exitCode, and the others still run.
 * @param {{ quick: boolean, only?: string, log?: (line: string) => void }} options
 */
export async function run({ quick, only, log = (line) => process.stdout.write(`${line}\n`) }) {
  const rows = [];
  const haveErlang = erlangAvailable();
  if (!haveErlang) log('Erlang is not available, so the erlang rows are skipped');

  for (const step of plan(quick)) {
    const wanted = step.benchmarks.filter((benchmark) => selects(only, import.meta.url, benchmark));
    if (wanted.length === 0) continue;

    for (const system of ['starweave', 'erlang']) {
      if (system === 'erlang' && !haveErlang) continue;
      try {
        const result = await medianOf(step[system]);
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
