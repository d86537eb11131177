// CEP benchmarks of @starweave/patterns (the built package). They measure events per second
// for a strict sequence, a relaxed sequence with a window, a relaxed loop and tumbling-window
// aggregates, and the peak live heap of a run that leaves partial matches open until their
// window closes. Each runs 10M synthetic events over 10k keys (1M with --quick) in a fresh
// process.

import { measureInChild } from '../../../benchmarks/lib/isolate.mjs';
import { selects } from '../../../benchmarks/lib/measure.mjs';

const WORKLOADS = new URL('./workloads.mjs', import.meta.url).href;

/** Runs the suite; see benchmarks/run.mjs for the row format. */
export async function run({ quick, only, log = () => {} }) {
  const size = { events: quick ? 1_000_000 : 10_000_000, keys: 10_000 };
  const rows = [];
  const rate = (benchmark, result) =>
    rows.push({
      benchmark,
      system: 'starweave',
      value: Math.round(result.perSecond),
      unit: 'events/s',
      higherIsBetter: true,
    });

  const patterns = [
    ['cep-strict', 'strict'],
    ['cep-relaxed-within', 'relaxedWithin'],
    ['cep-oneormore', 'oneOrMore'],
  ];
  for (const [benchmark, pattern] of patterns) {
    if (!selects(only, import.meta.url, benchmark)) continue;
    const result = await measureInChild(WORKLOADS, 'cep', { pattern, ...size });
    log(`${benchmark}: ${Math.round(result.perSecond)} events/s, ${result.matches} matches`);
    rate(benchmark, result);
  }

  if (selects(only, import.meta.url, 'cep-windows')) {
    const result = await measureInChild(WORKLOADS, 'windows', size);
    log(`cep-windows: ${Math.round(result.perSecond)} events/s, ${result.fired} windows fired`);
    rate('cep-windows', result);
  }

  if (selects(only, import.meta.url, 'cep-memory')) {
    const result = await measureInChild(WORKLOADS, 'memory', size);
    log(
      `cep-memory: peak ${result.peakBytes} bytes, ${result.partialMatches} partial matches at the end`,
    );
    rows.push({
      benchmark: 'cep-memory',
      system: 'starweave',
      value: result.peakBytes,
      unit: 'bytes',
      higherIsBetter: false,
    });
  }
  return rows;
}
