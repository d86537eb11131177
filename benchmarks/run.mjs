#!/usr/bin/env node
// Runs the benchmark suites (packages/*/bench/*.bench.mjs), each in its own node process, merges
// their rows into benchmarks/results/latest.json and prints them with ratios to starweave.
//
// Usage: npm run bench [-- --quick] [-- --only NAME] [-- --no-build]
//   --quick     small sizes: each suite a few seconds, all of them within about three minutes
//   --only NAME only benchmarks whose name starts with NAME, or the suite file NAME
//   --no-build  skip `npm run build` (the starweave rows then use whatever dist/ holds)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureErlang, SKIP_ERLANG_VARIABLE } from './lib/erlang.mjs';
import { NODE_FLAGS } from './lib/isolate.mjs';
import { describeMachine } from './lib/machine.mjs';
import { mergeResults, RESULTS_DIR } from './lib/results.mjs';
import { validateRow } from './lib/rows.mjs';
import { formatTable } from './lib/table.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITE_ENTRY = fileURLToPath(new URL('./lib/suite-entry.mjs', import.meta.url));

const log = (line) => process.stdout.write(`[bench] ${line}\n`);

/** Lists the suite files under packages/NAME/bench/, sorted by path. */
function findSuites() {
  const packagesDir = join(ROOT, 'packages');
  const suites = [];
  for (const name of readdirSync(packagesDir).sort()) {
    const benchDir = join(packagesDir, name, 'bench');
    if (!existsSync(benchDir)) continue;
    for (const file of readdirSync(benchDir).sort()) {
      if (file.endsWith('.bench.mjs')) suites.push(join(benchDir, file));
    }
  }
  return suites;
}

/** Runs one suite in a child process; resolves to its rows and whether it failed. */
function runSuite(suite, options, timeoutMs) {
  const outDir = mkdtempSync(join(tmpdir(), 'starweave-bench-'));
  const outFile = join(outDir, 'rows.json');
  const argv = [...NODE_FLAGS, SUITE_ENTRY, suite, JSON.stringify(options), outFile];

  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => {
      log(`${relative(ROOT, suite)} ran past ${timeoutMs / 1000} s; killing it`);
      child.kill('SIGKILL');
    }, timeoutMs);

    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let rows = [];
      if (existsSync(outFile)) rows = JSON.parse(readFileSync(outFile, 'utf8'));
      rmSync(outDir, { recursive: true, force: true });
      resolve({ rows, failed: code !== 0, how: signal ?? `exit code ${code}` });
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const options = { quick: values.quick, only: values.only ?? null };

  if (!values['no-build']) {
    log('npm run build');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) {
      log('npm run build failed; fix the build, or pass --no-build to measure the last build');
      return 1;
    }
  }

  if (!ensureErlang(log)) process.env[SKIP_ERLANG_VARIABLE] = '1';

  const date = new Date().toISOString();
  const suites = findSuites();
  const timeoutMs = (values.quick ? 10 : 90) * 60_000;
  const incoming = [];
  let failures = 0;

  for (const suite of suites) {
    const name = relative(ROOT, suite);
    log(`${name}${values.quick ? ' (quick)' : ''}`);
    const result = await runSuite(suite, options, timeoutMs);
    try {
      for (const [i, row] of result.rows.entries()) validateRow(row, `${name} row ${i}`);
      incoming.push(...result.rows);
    } catch (error) {
      log(error.message);
      failures += 1;
      continue;
    }
    if (result.failed) {
      log(`${name} failed (${result.how}); its ${result.rows.length} rows are kept`);
      failures += 1;
    }
  }

  const run = { date, quick: values.quick, only: options.only, machine: describeMachine() };
  const { rows, dropped } = mergeResults(incoming, run);
  for (const row of dropped) {
    log(`dropped the stored ${row.benchmark} ${row.system} row: its unit or direction changed`);
  }

  const measured = new Set(incoming.map((row) => row.benchmark));
  log(`${incoming.length} rows measured; results in ${relative(ROOT, RESULTS_DIR)}`);
  log('ratios are starweave/system, above 1 means starweave is better');
  console.log(formatTable(rows.filter((row) => measured.has(row.benchmark))).join('\n'));

  if (failures > 0) log(`${failures} suite(s) failed`);
  return failures > 0 ? 1 : 0;
}

process.exitCode = await main();
