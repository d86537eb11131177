/**
 * Runs the monitor once, start to end: opens the store, starts the application, lets an
 * optional seeded chaos monkey kill processes, waits for the sink to journal the last period,
 * stops everything and returns what happened. The command line and the tests both use it.
 */
import {
  ActorSystem,
  formatReason,
  type Logger,
  type Pid,
  StarweaveError,
  silentLogger,
} from '@starweave/actors';
import type { EventsDropped } from '@starweave/stages';
import { Application, Supervisor, type SupervisorEventFields } from '@starweave/supervision';
import { type ChaosKill, chaosMonkey } from '@starweave/testing';
import type { FlightSource } from '../data/flight-source.js';
import { airportStageName } from '../pipeline/airport-stage.js';
import { RunMetrics } from '../pipeline/run-metrics.js';
import type { RunTotals } from '../pipeline/run-totals.js';
import { type TrainingReport, trainingReport } from '../scoring/delay-model.js';
import { type MonitorStore, openStore, type StoreKind } from '../store/open-store.js';
import { readResults, type StoredResults } from '../store/read-results.js';
import { STORE_WRITER } from '../store/store-writer.js';
import { formatTree } from './format-tree.js';
import { APPLICATION, MonitorApp, type MonitorConfig } from './monitor-app.js';
import { mainThreadCpuMs } from './thread-cpu.js';

/** Options of {@link runMonitor}. */
export interface RunOptions {
  readonly source: FlightSource;
  /** Records to read, from the first. Default: all. */
  readonly limit?: number;
  /** Airport stages. Default 4. */
  readonly partitions?: number;
  /** Event time per wall-clock time; null or undefined for full speed. */
  readonly speedup?: number | null;
  /** Python workers that score flights; 0 runs without scoring. Default 0. */
  readonly workers?: number;
  readonly store?: StoreKind;
  /** The PostgreSQL schema with `store: 'postgres'`. Default `flight_monitor`. */
  readonly schema?: string;
  /** The output folder (the SQLite file and the model go there). */
  readonly out: string;
  /** Seeds a chaos monkey that kills stages, Python workers and the store writer. */
  readonly chaos?: number | null;
  /** Time between chaos kills, in milliseconds. Default 2000. */
  readonly chaosIntervalMs?: number;
  /** Kills after which the chaos monkey stops. Default 8. */
  readonly chaosMaxKills?: number;
  /** The kinds of process the chaos monkey may kill. Default: all three. */
  readonly chaosTargets?: readonly ChaosTarget[];
  /** Time between checkpoints, in milliseconds. Default 1000 (250 with chaos). */
  readonly checkpointIntervalMs?: number;
  /** Departures in flight from the source to each airport stage. Default 4000. */
  readonly maxDemand?: number;
  /** Scoring requests a worker joins into one call, at most. Default 16. */
  readonly maxBatchSize?: number;
  /** The Python interpreter. Default: the bridge's. */
  readonly python?: string;
  readonly logger?: Logger;
  /** Stops the run on SIGINT and SIGTERM, as a command-line program should. Default false. */
  readonly handleSignals?: boolean;
  /** Called with the supervision tree's drawing once the application has started. */
  readonly onStarted?: (tree: string) => void;
  /** Called every `progressIntervalMs` with the live counters. */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
}

/** The kinds of process a chaos run kills. */
export type ChaosTarget = 'stages' | 'store-writer' | 'python-workers';

/** Live counters for a progress line. */
export interface Progress {
  readonly metrics: RunMetrics;
  readonly limit: number;
  readonly elapsedMs: number;
  readonly restarts: number;
  readonly kills: number;
}

/** The outcome of one run. */
export interface RunResult {
  readonly totals: RunTotals;
  /** Everything journaled, read back after the run. */
  readonly stored: StoredResults;
  readonly limit: number;
  /** From the start of the application to the last period stored. */
  readonly wallMs: number;
  /** From the first record sent to the last period stored: the pipeline's own time. */
  readonly pipelineMs: number;
  /** Processor time the main thread used in `pipelineMs` (it runs every stage). */
  readonly pipelineCpuMs: number;
  /** Restarts by child id, as the supervisors reported them. */
  readonly restarts: Record<string, number>;
  /** The chaos monkey's kills. */
  readonly kills: readonly ChaosKill[];
  /** The victims of the kills, in order: a registered name, or `python worker` and its pid. */
  readonly victims: readonly string[];
  /** Events that a stage buffer dropped (must be 0: a drop loses data). */
  readonly droppedEvents: number;
  /** Journal writes skipped because a replay had made them before. */
  readonly skippedWrites: number;
  /** Scoring requests sent again while their Python worker restarted. */
  readonly scoringRetries: number;
  readonly training: TrainingReport | null;
  readonly storeLocation: string;
  readonly tree: string;
  /** The largest resident set size sampled during the run, in bytes. */
  readonly peakRssBytes: number;
}

/** Runs the monitor over records `[0, limit)` and resolves when the last period is stored. */
export async function runMonitor(options: RunOptions): Promise<RunResult> {
  const logger = options.logger ?? silentLogger;
  const limit = Math.min(options.limit ?? options.source.rows, options.source.rows);
  const partitions = options.partitions ?? 4;
  const workers = options.workers ?? 0;
  const chaos = options.chaos ?? null;
  // Victims without a registered name (the pool's workers), described for the summary.
  const unnamed = new Map<string, string>();
  const chaosKinds = new Set<ChaosTarget>(
    options.chaosTargets ?? ['stages', 'store-writer', 'python-workers'],
  );
  const store: MonitorStore = await openStore({
    kind: options.store ?? 'sqlite',
    out: options.out,
    fresh: true,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    logger,
  });
  // A message here can carry thousands of flights, and a reduction counts a message whatever
  // it carries: small slices let timers (checkpoints, chaos, progress) and I/O run between them.
  const system = new ActorSystem({ logger, sliceBudget: 64, processBudget: 8 });
  const metrics = new RunMetrics();
  const restarts: Record<string, number> = {};
  let droppedEvents = 0;
  system.telemetry.on('supervisor.child_restarted', (event: SupervisorEventFields) => {
    const id = event.childId ?? 'dynamic';
    restarts[id] = (restarts[id] ?? 0) + 1;
  });
  system.telemetry.on('stage.events_dropped', (event: EventsDropped) => {
    droppedEvents += event.dropped;
  });

  let finish!: (totals: RunTotals) => void;
  const finished = new Promise<RunTotals>((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  let peakRssBytes = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
  }, 100);

  const config: MonitorConfig = {
    system,
    source: options.source,
    limit,
    partitions,
    speedup: options.speedup ?? null,
    maxDemand: options.maxDemand ?? 4000,
    store,
    scoring:
      workers === 0
        ? null
        : {
            workers,
            modelPath: `${options.out}/delay-model.npz`,
            source: options.source,
            maxBatchSize: options.maxBatchSize ?? 16,
            maxWaitMs: 2,
            ...(options.python === undefined ? {} : { python: options.python }),
          },
    checkpointIntervalMs: options.checkpointIntervalMs ?? (chaos === null ? 1000 : 250),
    metrics,
    onFinished: (totals) => finish(totals),
  };
  const app = await Application.start(system, [{ module: MonitorApp, config }], {
    keepAlive: false,
    handleSignals: options.handleSignals === true,
  });
  const startFailure = app.failure;
  if (startFailure !== undefined) {
    clearInterval(sampler);
    await system.shutdown();
    await store.close();
    throw startFailure.reason;
  }

  try {
    const tree = formatTree(await Supervisor.tree(system, APPLICATION));
    options.onStarted?.(tree);
    const training = workers === 0 ? null : await trainingReport(system);

    const monkey =
      chaos === null
        ? null
        : chaosMonkey(system, {
            seed: chaos,
            intervalMs: options.chaosIntervalMs ?? 2000,
            maxKills: options.chaosMaxKills ?? 8,
            targets: () => chaosTargets(system, partitions, workers, chaosKinds, unnamed),
          });
    const restartCount = () => Object.values(restarts).reduce((sum, n) => sum + n, 0);
    const ticker =
      options.onProgress === undefined
        ? null
        : setInterval(
            () =>
              options.onProgress!({
                metrics,
                limit,
                elapsedMs: performance.now() - started,
                restarts: restartCount(),
                kills: monkey?.kills.length ?? 0,
              }),
            options.progressIntervalMs ?? 1000,
          );

    const ended = await Promise.race([finished, app.exitCode.then((code) => ({ failed: code }))]);
    monkey?.stop();
    if (ticker !== null) clearInterval(ticker);
    if ('failed' in ended) {
      throw new StarweaveError(
        'ERR_SHUTDOWN',
        `the ${APPLICATION} application stopped before the end of the input: ${formatReason(app.failure?.reason ?? 'shutdown')}. See the log for the crash reports.`,
        { details: { reason: app.failure?.reason } },
      );
    }
    const endedAt = performance.now();
    const wallMs = endedAt - started;
    const pipelineMs = endedAt - (metrics.firstSentAt || started);
    const pipelineCpuMs = mainThreadCpuMs() - metrics.firstSentCpuMs;
    await app.stop();
    const stored = await readResults(store.journal);
    return {
      totals: ended,
      stored,
      limit,
      wallMs,
      pipelineMs,
      pipelineCpuMs,
      restarts,
      kills: monkey?.kills ?? [],
      victims: (monkey?.kills ?? []).map(
        (kill) => kill.name ?? unnamed.get(String(kill.pid)) ?? String(kill.pid),
      ),
      droppedEvents,
      skippedWrites: metrics.skippedWrites,
      scoringRetries: metrics.scoringRetries,
      training,
      storeLocation: store.location,
      tree,
      peakRssBytes,
    };
  } finally {
    clearInterval(sampler);
    if (app.status === 'running') await app.stop();
    await system.shutdown();
    await store.close();
  }
}

/** Returns the pids of the live processes, of the kinds given, that a chaos run may kill. */
function chaosTargets(
  system: ActorSystem,
  partitions: number,
  workers: number,
  kinds: ReadonlySet<ChaosTarget>,
  unnamed: Map<string, string>,
): Pid[] {
  const names: string[] = [];
  if (kinds.has('stages')) {
    names.push(
      'source',
      ...Array.from({ length: partitions }, (_, p) => airportStageName(p)),
      'sink',
    );
  }
  if (kinds.has('store-writer')) names.push(STORE_WRITER);
  const pids = names
    .map((name) => system.whereis(name))
    .filter((pid): pid is Pid => pid !== undefined);
  // The pool does not register its workers; they are the processes of the PythonWorker behaviour.
  if (kinds.has('python-workers') && workers > 0) {
    for (const pid of system.processes()) {
      if (system.processInfo(pid)?.label !== 'PythonWorker') continue;
      unnamed.set(String(pid), `python worker ${pid}`);
      pids.push(pid);
    }
  }
  return pids;
}
