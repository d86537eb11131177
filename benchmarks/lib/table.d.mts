// Types of table.mjs, for TypeScript code that formats result rows.
import type { Row } from './rows.mjs';

export function formatValue(value: number): string;
export function formatTable(rows: Row[]): string[];
