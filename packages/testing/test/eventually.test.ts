/**
 * eventually: retries on virtual and on real time, and the failure it reports.
 */
import { AssertionError, strict as assert } from 'node:assert';
import { isStarweaveError } from '@starweave/actors';
import { eventually } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

describe('eventually', () => {
  it('returns the first result that is not false', async () => {
    let calls = 0;

    const result = await eventually(() => (++calls >= 3 ? 'ready' : false), { intervalMs: 1 });

    expect(result).toBe('ready');
    expect(calls).toBe(3);
  });

  it('retries a condition that throws', async () => {
    let calls = 0;

    await eventually(() => assert.ok(++calls >= 2), { intervalMs: 1 });

    expect(calls).toBe(2);
  });

  it('moves virtual time between attempts on a test system', async () => {
    const t = newTestSystem();
    const seen: unknown[] = [];
    const pid = t.system.spawn({ handleMessage: (_self, message) => void seen.push(message) });
    t.system.sendAfter(pid, 'late', 300);

    await eventually(() => seen.length === 1, { system: t, timeoutMs: 1000, intervalMs: 50 });

    expect(t.now()).toBe(300);
  });

  it('fails after the timeout of virtual time with the last error', async () => {
    const t = newTestSystem();

    const error = await rejectionOf(
      eventually(() => assert.equal(1, 2), { system: t.system, timeoutMs: 200, intervalMs: 50 }),
    );

    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toMatch(
      /^eventually: the condition did not hold within 200 ms of virtual time \(5 attempts\)/,
    );
    expect((error as Error).message).toContain('the last attempt failed with');
    expect((error as Error).cause).toBeInstanceOf(AssertionError);
    expect(t.now()).toBe(200);
  });

  it('fails after the timeout of real time when the condition stays false', async () => {
    const start = performance.now();

    const error = await rejectionOf(eventually(() => false, { timeoutMs: 40, intervalMs: 10 }));

    expect((error as Error).message).toContain('within 40 ms');
    expect((error as Error).message).toContain('it still returned false');
    expect(performance.now() - start).toBeGreaterThanOrEqual(35);
  });

  it('fails with ERR_INVALID_ARGUMENT for an interval that is not positive', async () => {
    const error = await rejectionOf(eventually(() => true, { intervalMs: 0 }));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
