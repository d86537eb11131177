// The load patterns shared by the bridge peers: a fixed number of requests in flight, or one
// at a time with each round trip timed, and the payloads of the small and the 1 MB request.

import { nowNs } from '../../../../benchmarks/lib/measure.mjs';

/** Floats in the 1 MB request: 262,144 float32 values. */
export const LARGE_FLOATS = 262_144;

/** Returns the payload of one request of `size` ('small' or 'large'). */
export function makeInput(size) {
  if (size === 'small') return Array.from({ length: 10 }, (_, index) => index / 7);
  const floats = new Float32Array(LARGE_FLOATS);
  for (let index = 0; index < floats.length; index++) floats[index] = (index % 1000) / 8;
  return floats;
}

/** Throws when `output` is not the answer to `input`, so a broken bridge cannot look fast. */
export function checkOutput(size, input, output) {
  if (size === 'small') {
    const expected = input.reduce((sum, value) => sum + value, 0);
    if (Math.abs(output - expected) > 1e-9) throw new Error(`wrong small answer ${output}`);
    return;
  }
  if (output.length !== input.length || output[7] !== input[7] * 2) {
    throw new Error('wrong 1 MB answer');
  }
}

/**
 * Keeps `inflight` requests going until `count` have been answered; `send()` returns a promise
 * of one answer. Returns requests per second; the first answer is checked with `check`.
 */
export async function runInFlight(send, { count, inflight, check }) {
  let started = 0;
  let checked = false;
  const start = nowNs();
  const lane = async () => {
    while (started < count) {
      started++;
      const output = await send();
      if (!checked) {
        checked = true;
        check(output);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane));
  return count / ((nowNs() - start) / 1e9);
}

/** Sends `count` requests one after another and returns the median round trip in µs. */
export async function runSequential(send, { count, check }) {
  const times = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const start = nowNs();
    const output = await send();
    times[index] = nowNs() - start;
    if (index === 0) check(output);
  }
  times.sort();
  return times[Math.floor(count / 2)] / 1000;
}

/** Pins this process, all its threads, to `cpu` with taskset. */
export async function pinSelf(cpu) {
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)]);
  if (result.status !== 0) throw new Error(`taskset failed: ${result.stderr}`);
}
