// Reads and writes benchmarks/results. latest.json is an array of rows. meta.json records each
// run (date, quick or full, the --only filter, the machine) and, per row, the run that made it.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeRows, rowKey, validateRow } from './rows.mjs';

/** Folder of latest.json and meta.json. */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

function readJson(file, fallback) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : fallback;
}

function writeJson(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Reads the stored rows and metadata from `dir`; missing files read as empty.
 * @param {string} [dir]
 * @returns {{ rows: object[], meta: { runs: Record<string, object>, rows: Record<string, string> } }}
 */
export function readResults(dir = RESULTS_DIR) {
  const rows = readJson(join(dir, 'latest.json'), []);
  if (!Array.isArray(rows)) throw new Error(`${join(dir, 'latest.json')} must contain an array`);
  for (const [i, row] of rows.entries()) validateRow(row, `latest.json[${i}]`);
  const meta = readJson(join(dir, 'meta.json'), { runs: {}, rows: {} });
  return { rows, meta };
}

/**
 * Merges `incoming` rows of one run into the files in `dir`: rows replace those with the same
 * benchmark and system, the run is recorded under its id (its ISO date), and runs no row
 * refers to any more are dropped. Returns the merged rows, the metadata and the stored rows
 * dropped because their benchmark changed unit or direction.
 * @param {object[]} incoming
 * @param {{ date: string, quick: boolean, only: string | null, machine: object }} run
 * @param {string} [dir]
 */
export function mergeResults(incoming, run, dir = RESULTS_DIR) {
  const stored = readResults(dir);
  const { rows, dropped } = mergeRows(stored.rows, incoming);

  const meta = { runs: { ...stored.meta.runs }, rows: { ...stored.meta.rows } };
  if (incoming.length > 0) meta.runs[run.date] = run;
  for (const row of dropped) delete meta.rows[rowKey(row)];
  for (const row of incoming) meta.rows[rowKey(row)] = run.date;

  const used = new Set(Object.values(meta.rows));
  for (const id of Object.keys(meta.runs)) if (!used.has(id)) delete meta.runs[id];

  writeJson(join(dir, 'latest.json'), rows);
  writeJson(join(dir, 'meta.json'), meta);
  return { rows, meta, dropped };
}
