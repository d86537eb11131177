// Entry of a suite process started by benchmarks/run.mjs: imports one suite, runs it and
// writes its rows as JSON to the file the runner named.

import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

const [suitePath, optionsJson, outFile] = process.argv.slice(2);
const { quick, only } = JSON.parse(optionsJson);
const prefix = `[${basename(suitePath, '.bench.mjs')}]`;
const log = (line) => process.stdout.write(`${prefix} ${line}\n`);

const suite = await import(pathToFileURL(suitePath).href);
if (typeof suite.run !== 'function') {
  throw new Error(`${suitePath} exports no run function; export async function run(options)`);
}

const rows = await suite.run({ quick, only: only ?? undefined, log });
if (!Array.isArray(rows))
  throw new Error(`${suitePath}: run() returned ${typeof rows}, not an array`);
writeFileSync(outFile, JSON.stringify(rows));
// Keep the exit code a suite set for a failed measurement; stop timers a suite left behind.
process.exit(process.exitCode ?? 0);
