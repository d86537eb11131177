/**
 * Shared test helpers: systems that shut down after each test, and waits that poll the
 * event loop instead of sleeping for a fixed time.
 */
import { afterEach } from 'vitest';
import {
  ActorSystem,
  type ActorSystemOptions,
  type ErrorCode,
  isStarweaveError,
  silentLogger,
} from '@starweave/actors';

/**
 * Returns a factory of systems with a silent logger (unless one is given); every system it
 * made is shut down after each test of the calling file.
 */
export function useSystems(): (options?: ActorSystemOptions) => ActorSystem {
  const made: ActorSystem[] = [];
  afterEach(async () => {
    const systems = made.splice(0);
    for (const system of systems) await system.shutdown();
  });
  return (options = {}) => {
    const system = new ActorSystem({ logger: silentLogger, ...options });
    made.push(system);
    return system;
  };
}

/** Resolves after one turn of the event loop, so queued slices and microtasks run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `condition` holds, polling once per event-loop turn; fails after `limitMs`. */
export async function waitUntil(condition: () => boolean, limitMs = 2000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) {
      throw new Error(`condition still false after ${limitMs} ms: ${condition.toString()}`);
    }
    await nextTurn();
  }
}

/** Waits until no process of `system` has work left. */
export async function settle(system: ActorSystem, limitMs = 2000): Promise<void> {
  // Two idle turns in a row, because a process that just resolved a receive runs in a
  // microtask after the slice that reported idle.
  let idleTurns = 0;
  const start = performance.now();
  while (idleTurns < 2) {
    await nextTurn();
    idleTurns = system.isIdle() ? idleTurns + 1 : 0;
    if (performance.now() - start > limitMs) throw new Error(`system still busy after ${limitMs} ms`);
  }
}

/** Runs `action` and returns what it throws; fails when it throws nothing. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

/** Returns true when `error` is a StarweaveError with `code`. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return isStarweaveError(error, code);
}
