// The JSON-lines baseline: a Python child that reads one JSON request per line on stdin and
// writes one JSON answer per line on stdout, as python-shell style bridges do; the 1 MB array
// travels as base64. Requests carry ids, so many can be in flight.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkOutput, makeInput, pinSelf, runInFlight, runSequential } from './load.mjs';

const PYTHON = process.env.STARWEAVE_PYTHON ?? '/usr/bin/python3';
const WORKER = fileURLToPath(new URL('../python/json_lines_worker.py', import.meta.url));

function startChild(pinned) {
  const command = pinned ? ['taskset', '-c', '0', PYTHON, WORKER] : [PYTHON, WORKER];
  const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  let nextId = 0;
  let parts = [];
  child.stdout.on('data', (chunk) => {
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      parts.push(chunk.subarray(start, newline));
      const line = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      parts = [];
      const answer = JSON.parse(line);
      const resolve = waiting.get(answer.id);
      waiting.delete(answer.id);
      resolve(answer);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  });
  const request = (x) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ id, x })}\n`);
    });
  const stop = () =>
    new Promise((resolve) => {
      child.once('close', resolve);
      child.stdin.end();
    });
  return { request, stop };
}

function sender(child, size) {
  const input = makeInput(size);
  const encoded =
    size === 'small'
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64');
  const send = async () => {
    const answer = await child.request(encoded);
    if (size === 'small') return answer.y;
    const bytes = Buffer.from(answer.x, 'base64');
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  };
  return { send, check: (output) => checkOutput(size, input, output) };
}

/** Requests per second with `inflight` requests outstanding. */
export async function inFlight({ size, inflight, count, warmup }) {
  const child = startChild(false);
  const { send, check } = sender(child, size);
  await runInFlight(send, { count: warmup, inflight, check });
  const perSecond = await runInFlight(send, { count, inflight, check });
  await child.stop();
  return { perSecond };
}

/** Measures the median round trip of sequential requests in µs; `pinned` puts both sides on CPU 0. */
export async function sequential({ size, count, warmup, pinned }) {
  if (pinned) await pinSelf(0);
  const child = startChild(pinned);
  const { send, check } = sender(child, size);
  await runSequential(send, { count: warmup, check });
  const p50 = await runSequential(send, { count, check });
  await child.stop();
  return { p50 };
}
