// Counts passed, failed and skipped tests from vitest's JSON report and pytest's junit XML, so
// that .ci/run can print one summary line taken from the runners' own reports.

/**
 * Counts the tests in a vitest JSON report (the jest-compatible shape that `--reporter=json`
 * writes). Todo and pending tests count as skipped. A test file that failed without any failed
 * test in it (an import error, a crash in a hook) counts as one failed test, so that it cannot
 * pass unnoticed.
 * @param {string} text the report's contents
 * @returns {{ passed: number, failed: number, skipped: number }}
 */
export function countVitestReport(text) {
  const report = JSON.parse(text);
  for (const field of ['numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests']) {
    if (typeof report[field] !== 'number') {
      throw new Error(`vitest report: expected a number in ${field}, got ${report[field]}`);
    }
  }

  let brokenFiles = 0;
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (file.status === 'failed' && failedTests.length === 0) brokenFiles += 1;
  }

  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

/**
 * Counts the test cases in a junit XML report as pytest writes it. A case with a `<failure>` or
 * an `<error>` element failed, one with `<skipped>` was skipped, any other passed.
 * @param {string} text the report's contents
 * @returns {{ passed: number, failed: number, skipped: number }}
 */
export function countJunitReport(text) {
  if (!/<testsuites?[\s>]/.test(text)) {
    throw new Error('junit report: no <testsuite> element found');
  }

  const counts = { passed: 0, failed: 0, skipped: 0 };
  // A case is either self-closing (`<testcase ... />`, passed) or has a body up to
  // `</testcase>`. pytest writes the XML with ElementTree, which escapes `>` in attribute values.
  const casePattern = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of text.matchAll(casePattern)) {
    const body = match[2] ?? '';
    if (/<(failure|error)\b/.test(body)) counts.failed += 1;
    else if (/<skipped\b/.test(body)) counts.skipped += 1;
    else counts.passed += 1;
  }
  return counts;
}

/**
 * Formats the summary line; the skipped count appears only when some tests were skipped.
 * @param {{ passed: number, failed: number, skipped: number }} counts
 */
export function formatSummary({ passed, failed, skipped }) {
  const line = `Tests: ${passed} passed, ${failed} failed`;
  return skipped > 0 ? `${line}, ${skipped} skipped` : line;
}
