// Formats result rows as a Markdown table with the ratio of starweave to each other system, for
// the runner's output and for docs/benchmarks.md.

import { ratio, SYSTEMS } from './rows.mjs';

/**
 * Formats a figure with three significant digits and a k or M suffix from 10,000 up.
 * @param {number} value
 */
export function formatValue(value) {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(abs >= 10 ? 1 : 2);
}

function trim(scaled) {
  const abs = Math.abs(scaled);
  if (abs >= 100) return scaled.toFixed(0);
  if (abs >= 10) return scaled.toFixed(1);
  return scaled.toFixed(2);
}

/**
 * Formats rows as a Markdown table: one line per benchmark, one column per system present.
 * Each other system's cell shows its figure and, where starweave has a figure too, the ratio
 * starweave/system oriented so that above 1 means starweave is better.
 * @param {Array<{ benchmark: string, system: string, value: number, unit: string,
 *   higherIsBetter: boolean }>} rows
 * @returns {string[]} the table's lines
 */
export function formatTable(rows) {
  const systems = SYSTEMS.filter((system) => rows.some((row) => row.system === system));
  const benchmarks = [...new Set(rows.map((row) => row.benchmark))].sort();

  const header = ['benchmark', 'unit', 'better', ...systems];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];

  for (const benchmark of benchmarks) {
    const ofBenchmark = rows.filter((row) => row.benchmark === benchmark);
    const first = ofBenchmark[0];
    const starweave = ofBenchmark.find((row) => row.system === 'starweave');
    const cells = systems.map((system) => {
      const row = ofBenchmark.find((r) => r.system === system);
      if (row === undefined) return '';
      const figure = formatValue(row.value);
      if (system === 'starweave' || starweave === undefined) return figure;
      const times = ratio(starweave, row);
      return times === undefined ? figure : `${figure} (${times.toFixed(2)}x)`;
    });
    const better = first.higherIsBetter ? 'higher' : 'lower';
    lines.push(`| ${[benchmark, first.unit, better, ...cells].join(' | ')} |`);
  }
  return lines;
}
