/**
 * Shared set-up of the ml-bridge tests: the interpreter, the fixture handler folder, worker
 * options that start fast, and waiting for a condition.
 */
import { fileURLToPath } from 'node:url';
import type { PythonWorkerOptions } from '../src/index.js';

/** The interpreter with msgpack, numpy, zmq and sklearn. */
export const python = process.env.STARWEAVE_PYTHON ?? '/usr/bin/python3';

/** The folder of `bridge_fixtures.py`. */
export const fixturesPath = fileURLToPath(new URL('./fixtures/python', import.meta.url));

/** Options of a worker with the example and fixture handlers. */
export function workerOptions(options: Partial<PythonWorkerOptions> = {}): PythonWorkerOptions {
  return {
    python,
    handlers: ['starweave_bridge.examples', 'bridge_fixtures'],
    handlerPaths: [fixturesPath],
    handshakeTimeoutMs: 20_000,
    ...options,
  };
}

/** Resolves once `condition` returns true; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Returns the error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error;
  }
}
