/**
 * Shared test helpers: test systems that shut down after each test of the calling file.
 */

import { createTestSystem, type TestSystem, type TestSystemOptions } from '@starweave/testing';
import { afterEach } from 'vitest';

/** Returns a factory of test systems; every system it made is shut down after each test. */
export function useTestSystems(): (options?: TestSystemOptions) => TestSystem {
  const made: TestSystem[] = [];
  afterEach(async () => {
    for (const t of made.splice(0)) await t.shutdown();
  });
  return (options = {}) => {
    const t = createTestSystem({ seed: 1, ...options });
    made.push(t);
    return t;
  };
}

/** Runs `action` and returns what it rejects with; fails when it resolves. */
export async function rejectionOf(action: Promise<unknown>): Promise<unknown> {
  try {
    await action;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
