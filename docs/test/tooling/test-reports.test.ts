/** Tests for counting tests from vitest's JSON report and pytest's junit XML. */
import { describe, expect, it } from 'vitest';
import {
  countJunitReport,
  countVitestReport,
  formatSummary,
} from '../../../scripts/lib/test-reports.mjs';

function vitestReport(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    numPassedTests: 5,
    numFailedTests: 1,
    numPendingTests: 2,
    numTodoTests: 1,
    testResults: [{ status: 'failed', assertionResults: [{ status: 'failed' }] }],
    ...overrides,
  });
}

describe('countVitestReport', () => {
  it('counts pending and todo tests as skipped', () => {
    expect(countVitestReport(vitestReport())).toEqual({ passed: 5, failed: 1, skipped: 3 });
  });

  it('counts a failed file without failed tests as one failure', () => {
    const text = vitestReport({
      numFailedTests: 0,
      testResults: [
        { status: 'failed', message: 'Cannot find module', assertionResults: [] },
        { status: 'passed', assertionResults: [{ status: 'passed' }] },
      ],
    });
    expect(countVitestReport(text).failed).toBe(1);
  });

  it('throws when a count is missing', () => {
    expect(() => countVitestReport(JSON.stringify({ numPassedTests: 1 }))).toThrow(
      'numFailedTests',
    );
  });
});

describe('countJunitReport', () => {
  const xml = [
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="5">',
    '<testcase classname="t" name="test_ok" time="0.001" />',
    '<testcase classname="t" name="test_bad"><failure message="assert 0">x &gt; y</failure></testcase>',
    '<testcase classname="t" name="test_skip"><skipped type="pytest.skip" message="x" /></testcase>',
    '<testcase classname="t" name="test_teardown"><error message="teardown">e</error></testcase>',
    '<testcase classname="t" name="test_out"><system-out>print</system-out></testcase>',
    '</testsuite></testsuites>',
  ].join('\n');

  it('counts failures and errors as failed, and skipped cases', () => {
    expect(countJunitReport(xml)).toEqual({ passed: 2, failed: 2, skipped: 1 });
  });

  it('counts an empty suite as no test', () => {
    const empty = '<testsuites><testsuite name="pytest" tests="0"></testsuite></testsuites>';
    expect(countJunitReport(empty)).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });

  it('throws on text that is not a junit report', () => {
    expect(() => countJunitReport('<html></html>')).toThrow('no <testsuite>');
  });
});

describe('formatSummary', () => {
  it('leaves out the skipped count when nothing was skipped', () => {
    expect(formatSummary({ passed: 3, failed: 0, skipped: 0 })).toBe('Tests: 3 passed, 0 failed');
  });

  it('appends the skipped count', () => {
    expect(formatSummary({ passed: 3, failed: 1, skipped: 2 })).toBe(
      'Tests: 3 passed, 1 failed, 2 skipped',
    );
  });
});
