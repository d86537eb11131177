// Pipeline benchmarks: 1M integers through producer -> map (x * 2 + 1) -> filter (x % 3 != 0)
// and sum, on Starweave stages and on its peers (Node streams in object mode, async
// generators, an Erlang credit pipeline), and the peak heap while a consumer 100 times slower
// than its producer drains the pipeline. Each measurement runs in a fresh node or erl process.

import { fileURLToPath } from 'node:url';
import { erlangAvailable, runErlang } from '../../../benchmarks/lib/erlang.mjs';
import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';

const ERLANG_SOURCE = fileURLToPath(new URL('./erlang/stages_pipeline.erl', import.meta.url));
const peerUrl = (name) => new URL(`./peers/${name}.mjs`, import.meta.url).href;

const THROUGHPUT_SYSTEMS = ['starweave', 'node-streams', 'async-generators', 'erlang'];
const MEMORY_SYSTEMS = ['starweave', 'node-streams'];

function sizes(quick) {
  return {
    // Every system warms up alike before the timed rounds, whose median is reported.
    throughput: { count: 1_000_000, warmup: quick ? 2 : 3, rounds: quick ? 3 : 7 },
    // The producer spins 20 steps per event and the consumer 2,000.
    memory: { count: quick ? 50_000 : 200_000, producerWork: 20 },
  };
}

async function measureThroughput(system, size) {
  if (system === 'erlang') {
    const [result] = await runErlang(ERLANG_SOURCE, {
      args: [size.count, size.warmup, size.rounds],
    });
    return result.per_second;
  }
  const result = await measureInChild(peerUrl(system), 'throughput', size);
  return result.perSecond;
}

/**
 * Runs the pipeline benchmarks that `only` selects and returns their rows. A measurement that
 * fails is logged and sets process.exitCode, and the others still run.
 * @param {{ quick: boolean, only?: string, log?: (line: string) => void }} options
 */
export async function run({ quick, only, log = () => {} }) {
  const rows = [];
  const size = sizes(quick);

  if (selects(only, import.meta.url, 'pipeline-3stage')) {
    const haveErlang = erlangAvailable();
    if (!haveErlang) log('Erlang is not available, so the erlang row is skipped');
    for (const system of THROUGHPUT_SYSTEMS) {
      if (system === 'erlang' && !haveErlang) continue;
      try {
        const value = await measureThroughput(system, size.throughput);
        rows.push({
          benchmark: 'pipeline-3stage',
          system,
          value,
          unit: 'events/s',
          higherIsBetter: true,
        });
        log(`pipeline-3stage ${system}: ${Math.round(value).toLocaleString('en-US')} events/s`);
      } catch (error) {
        log(`pipeline-3stage ${system} failed: ${error.message}`);
        process.exitCode = 1;
      }
    }
  }

  if (selects(only, import.meta.url, 'pipeline-3stage-memory')) {
    for (const system of MEMORY_SYSTEMS) {
      try {
        const { peakBytes } = await measureInChild(peerUrl(system), 'memory', size.memory);
        rows.push({
          benchmark: 'pipeline-3stage-memory',
          system,
          value: peakBytes,
          unit: 'bytes',
          higherIsBetter: false,
        });
        log(
          `pipeline-3stage-memory ${system}: ${Math.round(peakBytes).toLocaleString('en-US')} bytes`,
        );
      } catch (error) {
        log(`pipeline-3stage-memory ${system} failed: ${error.message}`);
        process.exitCode = 1;
      }
    }
  }
  return rows;
}
