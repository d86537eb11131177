// Runs one measurement in a fresh node process, so that the heap, the JIT state and the garbage
// left by one system cannot skew the figures of the next.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./isolate-entry.mjs', import.meta.url));

/** Node flags of every measurement process: a collector to call and room for 1M processes. */
export const NODE_FLAGS = ['--expose-gc', '--max-old-space-size=8192'];

/**
 * Calls `exportName(args)` from the module at `moduleUrl` in a new node process and resolves to
 * what it returned (which must survive JSON). Rejects when the process fails, prints no result
 * or runs past `timeoutMs` (then it is killed).
 * @param {string} moduleUrl
 * @param {string} exportName
 * @param {unknown} args
 * @param {{ timeoutMs?: number }} [options] timeoutMs defaults to 300000
 */
export function measureInChild(moduleUrl, exportName, args, options = {}) {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const argv = [...NODE_FLAGS, ENTRY, moduleUrl, exportName, JSON.stringify(args ?? null)];

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });

    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice('RESULT '.length)));
        return;
      }
      const ending =
        signal === 'SIGKILL' ? `was killed after ${timeoutMs} ms` : `exited (${code ?? signal})`;
      const detail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(
        new Error(`${exportName}(${JSON.stringify(args)}) ${ending} without a result\n${detail}`),
      );
    });
  });
}
