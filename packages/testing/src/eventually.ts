/**
 * Polling assertions: retry a condition until it passes or a time limit is reached. With a test
 * system on virtual time, the wait moves the virtual clock instead of sleeping.
 */
import { AssertionError } from 'node:assert';
import { type ActorSystem, invalidArgument } from '@starweave/actors';
import { timeDriver } from './kit-state.js';
import { toActorSystem } from './system-argument.js';
import type { TestSystem } from './test-system.js';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** How long to keep trying, in milliseconds. Default 1000. */
  timeoutMs?: number;
  /** The pause between attempts, in milliseconds. Default 10. */
  intervalMs?: number;
  /**
   * A system on virtual time: each pause advances its clock (firing timers in order) instead
   * of waiting real time, and `timeoutMs` counts virtual milliseconds. Default: real time.
   */
  system?: ActorSystem | TestSystem;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `condition` until it returns a value other than `false` without throwing, and returns
 * that value. A condition may be async and may use assertions: a thrown error counts as not
 * yet. Fails with an AssertionError, carrying the last error as `cause`, after `timeoutMs`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestSystem, eventually } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * const seen: unknown[] = [];
 * const pid = t.system.spawn({ handleMessage: (_self, message) => void seen.push(message) });
 * t.system.sendAfter(pid, { type: 'late' }, 300);
 * await eventually(() => assert.equal(seen.length, 1), { system: t, timeoutMs: 500 });
 * await t.shutdown();
 * ```
 */
export async function eventually<T>(
  condition: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  if (typeof condition !== 'function') invalidArgument('condition', 'a function', condition);
  const timeoutMs = options.timeoutMs ?? 1000;
  const intervalMs = options.intervalMs ?? 10;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    invalidArgument('timeoutMs', 'a non-negative finite number of milliseconds', timeoutMs);
  }
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
    invalidArgument('intervalMs', 'a positive finite number of milliseconds', intervalMs);
  }
  const actorSystem = options.system === undefined ? undefined : toActorSystem(options.system);
  const driver = actorSystem === undefined ? undefined : timeDriver(actorSystem);
  const virtual = driver?.virtualTime === true;
  const now = virtual ? () => actorSystem!.clock.now() : () => performance.now();

  const start = now();
  let attempts = 0;
  let lastError: unknown;
  for (;;) {
    attempts++;
    try {
      const result = await condition();
      if (result !== false) return result as Exclude<T, false>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const elapsed = now() - start;
    if (elapsed >= timeoutMs) break;
    const pause = Math.min(intervalMs, timeoutMs - elapsed);
    if (virtual) await driver!.advance(pause);
    else await sleep(pause);
  }

  const why =
    lastError === undefined
      ? 'it still returned false'
      : `the last attempt failed with: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  const failure = new AssertionError({
    message: `eventually: the condition did not hold within ${timeoutMs} ms${virtual ? ' of virtual time' : ''} (${attempts} attempts); ${why}`,
    operator: 'eventually',
  });
  if (lastError !== undefined) failure.cause = lastError;
  throw failure;
}
