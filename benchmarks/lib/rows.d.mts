// Types of rows.mjs, for TypeScript code that reads or checks result rows.

/** One figure: a benchmark measured on one system. */
export interface Row {
  benchmark: string;
  system: string;
  value: number;
  unit: string;
  higherIsBetter: boolean;
}

export const SYSTEMS: readonly string[];
export function validateRow(row: unknown, origin: string): asserts row is Row;
export function rowKey(row: Pick<Row, 'benchmark' | 'system'>): string;
export function mergeRows(existing: Row[], incoming: Row[]): { rows: Row[]; dropped: Row[] };
export function checkUnits(rows: Row[]): void;
export function ratio(
  starweave: Pick<Row, 'value' | 'higherIsBetter'>,
  other: Pick<Row, 'value'>,
): number | undefined;
