/**
 * The flight monitor as an application: its supervision tree, from the store writer and the
 * Python workers to the checkpointed pipeline of stages.
 *
 * ```
 * flight-monitor          oneForOne
 * ├── store-writer        journals results, skipping what a replay wrote before
 * ├── python-workers      a worker pool: python-0 .. python-(W-1)   (with scoring)
 * ├── delay-model         trains the model at start             (with scoring)
 * └── processing          restForOne
 *     ├── checkpoints     the checkpoint coordinator
 *     └── pipeline        oneForAll: a crash restarts every stage from the last checkpoint
 *         ├── source      reads the records, partitions them by origin airport
 *         ├── airports-0 .. airports-(N-1)
 *         └── sink        joins the partitions and journals each period
 * ```
 */
import type { ActorSystem } from '@starweave/actors';
import { CheckpointCoordinator, type CheckpointStore, GenStage } from '@starweave/stages';
import { type ApplicationModule, type ChildSpec, Supervisor } from '@starweave/supervision';
import type { FlightSource } from '../data/flight-source.js';
import { AirportStage, airportStageName } from '../pipeline/airport-stage.js';
import type { RunMetrics } from '../pipeline/run-metrics.js';
import type { RunTotals } from '../pipeline/run-totals.js';
import { SinkStage } from '../pipeline/sink-stage.js';
import { SourceStage } from '../pipeline/source-stage.js';
import {
  modelChildSpec,
  poolScorer,
  type ScoringOptions,
  workersChildSpec,
} from '../scoring/delay-model.js';
import type { MonitorStore } from '../store/open-store.js';
import { startStoreWriter } from '../store/store-writer.js';

/** The name of the application and of its root supervisor. */
export const APPLICATION = 'flight-monitor';

/** The registered name of the checkpoint coordinator. */
export const CHECKPOINTS = 'checkpoints';

/** The configuration of one run. */
export interface MonitorConfig {
  readonly system: ActorSystem;
  readonly source: FlightSource;
  /** Records to read, from the first. */
  readonly limit: number;
  /** Partitions of origin airports, each an airport stage. */
  readonly partitions: number;
  /** Event time per wall-clock time, or null for full speed. */
  readonly speedup: number | null;
  /** Departures in flight from the source to each airport stage, at most. */
  readonly maxDemand: number;
  readonly store: MonitorStore;
  /** Scoring with the delay model, or null to run without it. */
  readonly scoring: ScoringOptions | null;
  /** Time between checkpoints, in milliseconds. */
  readonly checkpointIntervalMs: number;
  readonly metrics: RunMetrics;
  readonly onFinished: (totals: RunTotals) => void;
}

/** The application module: start the root supervisor with the configuration. */
export const MonitorApp: ApplicationModule<MonitorConfig> = {
  name: APPLICATION,
  start: (ctx, config) =>
    Supervisor.startLink(ctx, rootChildren(config), {
      name: APPLICATION,
      strategy: 'oneForOne',
      maxRestarts: 20,
      maxSeconds: 10,
    }),
};

function rootChildren(config: MonitorConfig): ChildSpec[] {
  const scoring = config.scoring;
  return [
    { id: 'store-writer', start: (ctx) => startStoreWriter(ctx, config.store.journal) },
    ...(scoring === null ? [] : [workersChildSpec(scoring), modelChildSpec(scoring)]),
    {
      id: 'processing',
      type: 'supervisor',
      start: (ctx) =>
        Supervisor.startLink(ctx, processingChildren(config), {
          name: 'processing',
          strategy: 'restForOne',
          maxRestarts: 20,
          maxSeconds: 10,
        }),
    },
  ];
}

function processingChildren(config: MonitorConfig): ChildSpec[] {
  const store = config.store.checkpoints;
  return [
    CheckpointCoordinator.childSpec(
      CHECKPOINTS,
      {
        store,
        sources: ['source'],
        sinks: ['sink'],
        intervalMs: config.checkpointIntervalMs,
        timeoutMs: 60_000,
      },
      { name: CHECKPOINTS },
    ),
    {
      id: 'pipeline',
      type: 'supervisor',
      start: (ctx) =>
        Supervisor.startLink(ctx, pipelineChildren(config, store), {
          name: 'pipeline',
          strategy: 'oneForAll',
          // Chaos runs kill a stage every second or so; each kill costs one restart.
          maxRestarts: 30,
          maxSeconds: 10,
        }),
    },
  ];
}

function pipelineChildren(config: MonitorConfig, store: CheckpointStore): ChildSpec[] {
  const checkpoint = (stageId: string) => ({ store, stageId, coordinator: CHECKPOINTS });
  const scorer =
    config.scoring === null
      ? null
      : poolScorer(config.system, config.scoring, () => {
          config.metrics.scoringRetries += 1;
        });
  const airports = Array.from({ length: config.partitions }, (_, partition) => {
    const name = airportStageName(partition);
    return GenStage.childSpec(
      name,
      AirportStage,
      { partition, source: 'source', maxDemand: config.maxDemand, scorer },
      { name, checkpoint: checkpoint(name) },
    );
  });
  return [
    GenStage.childSpec(
      'source',
      SourceStage,
      {
        source: config.source,
        partitions: config.partitions,
        limit: config.limit,
        speedup: config.speedup,
        metrics: config.metrics,
      },
      { name: 'source', checkpoint: checkpoint('source') },
    ),
    ...airports,
    GenStage.childSpec(
      'sink',
      SinkStage,
      {
        partitions: config.partitions,
        scored: config.scoring !== null,
        metrics: config.metrics,
        onFinished: config.onFinished,
      },
      { name: 'sink', checkpoint: checkpoint('sink') },
    ),
  ];
}
