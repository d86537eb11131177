// Performance targets that suites declare (`export const targets = [...]` next to `run`), and
// their evaluation against the stored rows.

import { ratio } from './rows.mjs';

/**
 * Evaluates one target against `rows` and returns its status and the figure it was judged by.
 * A target names a benchmark and one of: `against` with `minRatio` (starweave's ratio to that
 * system must be at least minRatio), `max` (starweave's value must be at most max), or
 * `measured: true` (a starweave row must exist).
 * @param {{ benchmark: string, text: string, against?: string, minRatio?: number,
 *   max?: number, measured?: boolean }} target
 * @param {Array<{ benchmark: string, system: string, value: number, unit: string,
 *   higherIsBetter: boolean }>} rows
 * @returns {{ status: 'met' | 'missed' | 'not measured', figure: string }}
 */
export function evaluateTarget(target, rows) {
  const find = (system) =>
    rows.find((row) => row.benchmark === target.benchmark && row.system === system);
  const starweave = find('starweave');
  if (starweave === undefined) return { status: 'not measured', figure: '' };

  if (target.against !== undefined) {
    const other = find(target.against);
    const times = other === undefined ? undefined : ratio(starweave, other);
    if (times === undefined) return { status: 'not measured', figure: '' };
    return { status: times >= target.minRatio ? 'met' : 'missed', figure: `${times.toFixed(2)}x` };
  }
  if (target.max !== undefined) {
    const figure = `${Math.round(starweave.value)} ${starweave.unit}`;
    return { status: starweave.value <= target.max ? 'met' : 'missed', figure };
  }
  return { status: 'met', figure: 'measured' };
}
