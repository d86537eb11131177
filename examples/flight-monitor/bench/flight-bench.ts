/**
 * Measures the flight monitor on this machine: reading the Parquet file, reading and
 * partitioning through the source stage, the whole pipeline without and with scoring, and the
 * scoring bridge alone. Prints one markdown table row per measurement.
 *
 * Usage: npm run bench --workspace=flight-monitor -- [--limit N] [--only NAME,...]
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OUT } from '../src/app/options.js';
import { runMonitor } from '../src/app/run-monitor.js';
import { mainThreadCpuMs } from '../src/app/thread-cpu.js';
import type { Flight } from '../src/data/flight.js';
import { openParquetFlights } from '../src/data/parquet-source.js';
import { openParquetFlightsInWorker } from '../src/data/parquet-worker-source.js';
import { bridgeThroughput } from './bridge-throughput.js';
import { readAndPartition } from './partition-only.js';

const { values } = parseArgs({
  options: { limit: { type: 'string' }, only: { type: 'string' } },
});
const source = await openParquetFlights();
// The demo decodes on a worker thread; the read measurement decodes here, to time the decoder.
const workerSource = await openParquetFlightsInWorker();
const limit = Math.min(Number(values.limit ?? source.rows), source.rows);
const only = values.only?.split(',') ?? ['read', 'partition', 'pipeline', 'scoring', 'bridge'];
const out = join(DEFAULT_OUT, 'bench');

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

function row(name: string, records: number, ms: number, cpuMs: number, rss = peakRss): void {
  const rate = Math.round((records / ms) * 1000).toLocaleString('en-US');
  const cpuRate = Math.round((records / cpuMs) * 1000).toLocaleString('en-US');
  process.stdout.write(
    `| ${name} | ${records.toLocaleString('en-US')} | ${(ms / 1000).toFixed(1)} s | ${rate} | ${(cpuMs / 1000).toFixed(1)} s | ${cpuRate} | ${Math.round(rss / 2 ** 20)} MiB |\n`,
  );
  peakRss = process.memoryUsage().rss;
}

process.stdout.write(
  `${cpus().length} x ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n\n`,
);
process.stdout.write(
  '| measurement | records | wall time | records/s | main thread busy | records per busy second | peak RSS |\n|---|---|---|---|---|---|---|\n',
);

if (only.includes('read')) {
  const cpu = mainThreadCpuMs();
  const started = performance.now();
  let count = 0;
  for await (const chunk of source.readChunks({ limit })) {
    // Builds every flight object, as the source stage does.
    for (let i = 0; i < chunk.length; i++) chunk.flight(i);
    count += chunk.length;
  }
  row(
    'read Parquet into flights (on the main thread)',
    count,
    performance.now() - started,
    mainThreadCpuMs() - cpu,
  );
}

if (only.includes('partition')) {
  const result = await readAndPartition(workerSource, limit, 4);
  row('read and partition (source stage, 4 partitions)', result.flights, result.ms, result.cpuMs);
}

for (const [name, workers] of [
  ['pipeline', 0],
  ['scoring', 2],
] as const) {
  if (!only.includes(name)) continue;
  const result = await runMonitor({
    source: workerSource,
    limit,
    workers,
    out: join(out, name),
    partitions: 4,
  });
  const label =
    workers === 0
      ? 'whole pipeline, no scoring'
      : `whole pipeline, scoring on ${workers} Python workers`;
  row(label, result.totals.flights, result.pipelineMs, result.pipelineCpuMs, result.peakRssBytes);
}

if (only.includes('bridge')) {
  const flights: Flight[] = [];
  for await (const chunk of source.read({ limit: Math.min(limit, 1_000_000) })) {
    for (const flight of chunk) flights.push(flight);
  }
  peakRss = 0;
  const result = await bridgeThroughput(flights, out, {
    workers: 2,
    callers: 4,
    batch: 4000,
    maxBatchSize: 16,
  });
  row(
    'scoring bridge alone (2 workers, 4 callers, 4,000 flights a request)',
    result.flights,
    result.ms,
    result.cpuMs,
  );
}
clearInterval(sampler);
