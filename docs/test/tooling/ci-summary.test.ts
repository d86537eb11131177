/** Tests for scripts/ci-summary.mjs, the command that prints the CI summary line. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../../scripts/ci-summary.mjs');
const dir = mkdtempSync(join(tmpdir(), 'starweave-ci-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function summarize(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: result.status, line: result.stdout.trim(), stderr: result.stderr };
}

const vitestJson = (passed: number, failed: number, pending = 0) =>
  JSON.stringify({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: pending,
    numTodoTests: 0,
    testResults: [],
  });

describe('ci-summary', () => {
  const passing = join(dir, 'passing.json');
  const failing = join(dir, 'failing.json');
  const junit = join(dir, 'pytest.xml');
  writeFileSync(passing, vitestJson(4, 0, 1));
  writeFileSync(failing, vitestJson(4, 2));
  writeFileSync(junit, '<testsuites><testsuite><testcase name="a" /></testsuite></testsuites>');

  it('adds the counts of both reports and exits with 0', () => {
    const { status, line } = summarize('--vitest', passing, '--pytest', junit);
    expect(line).toBe('Tests: 5 passed, 0 failed, 1 skipped');
    expect(status).toBe(0);
  });

  it('exits with 1 when a test failed', () => {
    const { status, line } = summarize('--vitest', failing);
    expect(line).toBe('Tests: 4 passed, 2 failed');
    expect(status).toBe(1);
  });

  it('counts a missing report as one failure', () => {
    const { status, line, stderr } = summarize(
      '--vitest',
      passing,
      '--pytest',
      join(dir, 'none.xml'),
    );
    expect(line).toBe('Tests: 4 passed, 1 failed, 1 skipped');
    expect(stderr).toContain('cannot read');
    expect(status).toBe(1);
  });
});
