#!/usr/bin/env node
// Prints `Tests: N passed, N failed[, N skipped]` from vitest's JSON report and pytest's junit
// XML, and exits with 1 when a test failed or a named report is missing or unreadable.
//
// Usage: node scripts/ci-summary.mjs [--vitest FILE] [--pytest FILE]

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { countJunitReport, countVitestReport, formatSummary } from './lib/test-reports.mjs';

const { values } = parseArgs({
  options: { vitest: { type: 'string' }, pytest: { type: 'string' } },
});

const total = { passed: 0, failed: 0, skipped: 0 };
const sources = [
  [values.vitest, countVitestReport],
  [values.pytest, countJunitReport],
];

for (const [file, count] of sources) {
  if (file === undefined) continue;

  let counts;
  try {
    counts = count(readFileSync(file, 'utf8'));
  } catch (error) {
    // A runner that crashed before writing its report counts as one failed test, so the line
    // never reads as a clean run.
    console.error(`ci-summary: cannot read ${file} (${error.message}); counting it as a failure`);
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}

console.log(formatSummary(total));
process.exitCode = total.failed > 0 ? 1 : 0;
