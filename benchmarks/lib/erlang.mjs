// Runs Erlang peer benchmarks: compiles a module with erlc into a temporary folder, runs it in
// `erl -noshell` with one scheduler (`+S 1`, the `erlang` system) or the default SMP schedulers
// (`erlang-smp`), and parses the `RESULT {json}` lines it prints.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** Environment variable that the runner sets to 1 when Erlang is not available. */
export const SKIP_ERLANG_VARIABLE = 'STARWEAVE_BENCH_SKIP_ERLANG';

/** Tells whether `erl` and `erlc` run here and the runner did not rule Erlang out. */
export function erlangAvailable() {
  if (process.env[SKIP_ERLANG_VARIABLE] === '1') return false;
  const erl = spawnSync('erl', ['-noshell', '-eval', 'halt().'], { stdio: 'ignore' });
  const erlc = spawnSync('erlc', ['-help'], { stdio: 'ignore' });
  return erl.status === 0 && erlc.error === undefined;
}

/**
 * Makes sure Erlang is installed: when `erl` is missing, installs Debian's `erlang-base` with
 * apt-get (running `apt-get update` first only if the plain install fails). Returns whether
 * Erlang is available afterwards; `log` receives what happened.
 * @param {(line: string) => void} log
 */
export function ensureErlang(log) {
  if (erlangAvailable()) return true;

  log('erl not found; installing Debian erlang-base with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'erlang-base'], {
      stdio: 'inherit',
      env,
    }).status === 0;
  const installed =
    install() ||
    (spawnSync('apt-get', ['update'], { stdio: 'inherit', env }).status === 0 && install());

  if (installed && erlangAvailable()) return true;
  log(
    'erl is still not available after apt-get install erlang-base, so the Erlang peers are skipped',
  );
  return false;
}

const compiled = new Map();

/**
 * Compiles `source` (a .erl file) with erlc into a temporary folder, once per process, and
 * returns that folder. The folder is removed when the process exits.
 * @param {string} source
 */
export function compileErlang(source) {
  const cached = compiled.get(source);
  if (cached !== undefined) return cached;

  const outDir = mkdtempSync(join(tmpdir(), 'starweave-erl-'));
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  const result = spawnSync('erlc', ['-o', outDir, source], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`erlc failed to compile ${source}:\n${result.stderr || result.stdout}`);
  }
  compiled.set(source, outDir);
  return outDir;
}

/**
 * Runs `module:main/1` of the compiled `source` with `args` as strings (erl's `-run`), and
 * resolves to the objects of all `RESULT {json}` lines the module printed, in order. `smp`
 * false (the default) runs one scheduler (`+S 1`); `flags` adds emulator flags such as
 * `['+P', '2000000']`. Rejects when erl fails, prints no RESULT line or runs past `timeoutMs`.
 * @param {string} source path of the .erl file; the module name is its base name
 * @param {{ args?: Array<string | number>, smp?: boolean, flags?: string[], timeoutMs?: number }}
 *   [options] timeoutMs defaults to 300000
 */
export function runErlang(source, options = {}) {
  const { args = [], smp = false, flags = [], timeoutMs = 300_000 } = options;
  const outDir = compileErlang(source);
  const module = basename(source, '.erl');
  const argv = [
    '-noshell',
    ...(smp ? [] : ['+S', '1']),
    ...flags,
    '-pa',
    outDir,
    '-run',
    module,
    'main',
    ...args.map(String),
    '-s',
    'erlang',
    'halt',
  ];

  return new Promise((resolve, reject) => {
    const child = spawn('erl', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      const results = stdout
        .split('\n')
        .filter((line) => line.startsWith('RESULT '))
        .map((line) => JSON.parse(line.slice('RESULT '.length)));
      if (code === 0 && results.length > 0) {
        resolve(results);
        return;
      }
      const ending =
        signal === 'SIGKILL' ? `was killed after ${timeoutMs} ms` : `exited (${code ?? signal})`;
      const detail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
      reject(
        new Error(`erl ${module} ${args.join(' ')} ${ending} without a RESULT line\n${detail}`),
      );
    });
  });
}
