// Types of test-reports.mjs, for the TypeScript tests that import it.

/** Passed, failed and skipped test counts. */
export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countVitestReport(text: string): TestCounts;
export function countJunitReport(text: string): TestCounts;
export function formatSummary(counts: TestCounts): string;
