/**
 * The demo's entry point: `npm run demo -- [options]` streams the Parquet file through the
 * monitor, prints the supervision tree, a progress line and a summary, and writes the report.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pinoLogger } from '@starweave/actors';
import { HELP, parseOptions } from './app/options.js';
import { progressPrinter } from './app/progress-line.js';
import { runMonitor } from './app/run-monitor.js';
import { printSummary } from './app/summary.js';
import { compareWithPlainPass } from './check/compare.js';
import { plainPass } from './check/plain-pass.js';
import { flightsParquetPath } from './data/parquet-source.js';
import { openParquetFlightsInWorker } from './data/parquet-worker-source.js';
import { buildReport } from './report/build-report.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }

  mkdirSync(options.out, { recursive: true });
  const logFile = join(options.out, 'monitor.log');
  const logger = pinoLogger({ level: 'warn', destination: createWriteStream(logFile) });
  const source = await openParquetFlightsInWorker();
  const limit = Math.min(options.limit ?? source.rows, source.rows);
  const out = process.stdout;
  out.write(
    `flight-monitor: ${limit.toLocaleString('en-US')} of ${source.rows.toLocaleString('en-US')} records from ${flightsParquetPath()}\n` +
      `  ${options.partitions} airport partitions, ${options.workers === 0 ? 'no scoring' : `${options.workers} Python workers`}, ` +
      `${options.speedup === null ? 'full speed' : `${options.speedup}x event time`}, store ${options.store}` +
      `${options.chaos === null ? '' : `, chaos seed ${options.chaos}`}\n`,
  );

  const progress = progressPrinter(process.stderr);
  const result = await runMonitor({
    source,
    limit,
    partitions: options.partitions,
    speedup: options.speedup,
    workers: options.workers,
    store: options.store,
    out: options.out,
    chaos: options.chaos,
    logger,
    handleSignals: true,
    onStarted: (tree) => out.write(`\nSupervision tree (Supervisor.tree):\n${tree}\n\n`),
    onProgress: (state) => progress.print(state),
  });
  progress.end();

  let check = null;
  if (options.chaos !== null) {
    out.write('Checking the results against a plain second pass over the records...\n');
    check = compareWithPlainPass(result, await plainPass(source, limit));
  }
  const report = options.noReport
    ? null
    : await buildReport(result, join(options.out, 'report'), check);
  printSummary(out, result, check, report, logFile);
  return check?.passed === false || result.droppedEvents > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `\nflight-monitor failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
