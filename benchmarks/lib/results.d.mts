// Types of results.mjs, for TypeScript code that reads or merges benchmarks/results.
import type { Row } from './rows.mjs';

/** The run that produced some rows. */
export interface RunInfo {
  date: string;
  quick: boolean;
  only: string | null;
  machine: Record<string, unknown>;
}

/** meta.json: the runs by id (their date), and for each row key the run that produced it. */
export interface ResultsMeta {
  runs: Record<string, RunInfo>;
  rows: Record<string, string>;
}

export const RESULTS_DIR: string;
export function readResults(dir?: string): { rows: Row[]; meta: ResultsMeta };
export function mergeResults(
  incoming: Row[],
  run: RunInfo,
  dir?: string,
): { rows: Row[]; meta: ResultsMeta; dropped: Row[] };
