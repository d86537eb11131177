/**
 * Checkpointed pipelines source -> pattern stage -> idempotent sink under a oneForAll
 * supervisor, with stages killed at points that a seeded property picks. Each run must write
 * exactly what the engine computes over the whole input, which is also what a run without
 * faults writes: restored stages continue as the original ones would have.
 */
import type { ActorSystem } from '@starweave/actors';
import {
  type Anomaly,
  CepEngine,
  CepStage,
  type CepStageOutput,
  DetectorStage,
  EwmaDetector,
  Pattern,
  RateOfChangeDetector,
  Watermark,
  WindowAggregator,
  WindowStage,
  type WindowStageOutput,
} from '@starweave/patterns';
import {
  CheckpointCoordinator,
  type CheckpointOptions,
  type CheckpointStore,
  type ConsumerSpec,
  GenStage,
  MemoryCheckpointStore,
  type ProducerSpec,
  type StageChildSpec,
} from '@starweave/stages';
import { Supervisor } from '@starweave/supervision';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Reading, readings, useSystems, waitUntil } from './helpers.js';

const newSystem = useSystems();
const STAGES = ['checkpoints', 'source', 'stage', 'sink'] as const;

// Readings out of order within 5 ms, except every 47th, which comes 80 ms late.
const INPUT: Reading[] = readings(300, 4, 23, 5).map((reading, index) =>
  index % 47 === 46 ? { ...reading, at: reading.at - 80 } : reading,
);
// The end of the input: closes every window, so the last results come out too.
const END = new Watermark(Number.POSITIVE_INFINITY);

/** A source of INPUT then END that resumes from the offset its checkpoint saved. */
const Source: ProducerSpec<{ offset: number }, void, Reading | Watermark> = {
  type: 'producer',
  init: () => ({ state: { offset: 0 } }),
  handleDemand: (demand, state) => {
    const items = [...INPUT, END];
    const events = items.slice(state.offset, state.offset + demand);
    return { events, state: { offset: state.offset + events.length } };
  },
  snapshotState: (state) => ({ offset: state.offset }),
  restoreState: (snapshot: { offset: number }) => ({ offset: snapshot.offset }),
};

/** What the sink wrote: a row per output, under a key derived from the output. */
interface Database {
  rows: Map<string, string>;
  overwrites: string[];
  writes: number;
}

/** Returns a sink that writes each output under `keyOf(output)`, idempotently. */
function sink<T>(db: Database, keyOf: (output: T) => string): ConsumerSpec<null, void, T> {
  return {
    type: 'consumer',
    init: () => ({ state: null, subscribeTo: [{ to: 'stage', maxDemand: 10 }] }),
    handleEvents: async (events, _from, state) => {
      for (const output of events) {
        const key = keyOf(output);
        const value = JSON.stringify(output);
        const before = db.rows.get(key);
        if (before !== undefined && before !== value) db.overwrites.push(key);
        db.rows.set(key, value);
        db.writes += 1;
      }
      // A slow sink keeps the run long enough for the kills to land in its middle.
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { state };
    },
  };
}

/** One kind of stage under test: its child spec, its sink's keys and the expected rows. */
interface Case<T> {
  stage(checkpoint: CheckpointOptions): StageChildSpec;
  keyOf(output: T): string;
  /** The outputs of the engine fed the whole input directly. */
  expected(): T[];
}

async function startSupervised<T>(system: ActorSystem, db: Database, testCase: Case<T>) {
  const store: CheckpointStore = new MemoryCheckpointStore();
  const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'checkpoints' });
  const children = [
    CheckpointCoordinator.childSpec(
      'checkpoints',
      { store, sources: ['source'], sinks: ['sink'], intervalMs: 3 },
      { name: 'checkpoints' },
    ),
    GenStage.childSpec('source', Source, undefined, {
      name: 'source',
      checkpoint: checkpoint('source'),
    }),
    testCase.stage(checkpoint('stage')),
    GenStage.childSpec('sink', sink(db, testCase.keyOf), undefined, {
      name: 'sink',
      checkpoint: checkpoint('sink'),
    }),
  ];
  return Supervisor.startLink(system, children, {
    strategy: 'oneForAll',
    maxRestarts: 20,
    maxSeconds: 5,
  });
}

function rowsOf<T>(outputs: T[], keyOf: (output: T) => string): Map<string, string> {
  return new Map(outputs.map((output) => [keyOf(output), JSON.stringify(output)]));
}

/** Runs the case once with the kills of `schedule` and returns what the sink wrote. */
async function run<T>(
  testCase: Case<T>,
  expectedSize: number,
  schedule: { afterWrites: number; stage: (typeof STAGES)[number] }[],
): Promise<Database> {
  const system = newSystem();
  const db: Database = { rows: new Map(), overwrites: [], writes: 0 };
  await startSupervised(system, db, testCase);
  for (const { afterWrites, stage } of [...schedule].sort(
    (x, y) => x.afterWrites - y.afterWrites,
  )) {
    await waitUntil(() => db.writes >= afterWrites, 10_000);
    await waitUntil(() => system.whereis(stage) !== undefined, 5_000);
    system.exit(system.whereis(stage)!, 'kill');
  }
  await waitUntil(() => db.rows.size >= expectedSize, 15_000);
  // Outputs written after the last expected row would be wrong too; give them time to show.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await system.shutdown();
  return db;
}

/** Checks that a run without faults and runs with seeded kills write the expected rows. */
async function checkUnderFaults<T>(testCase: Case<T>, numRuns: number): Promise<void> {
  const expected = rowsOf(testCase.expected(), testCase.keyOf);
  expect(expected.size).toBeGreaterThan(20);

  const clean = await run(testCase, expected.size, []);
  expect(clean.rows).toEqual(expected);
  expect(clean.overwrites).toEqual([]);

  const kills = fc.array(
    fc.record({
      afterWrites: fc.integer({ min: 1, max: expected.size - 1 }),
      stage: fc.constantFrom(...STAGES),
    }),
    { minLength: 1, maxLength: 3 },
  );
  await fc.assert(
    fc.asyncProperty(kills, async (schedule) => {
      const db = await run(testCase, expected.size, schedule);
      // No row ever changed value: replayed outputs rewrote what was there.
      expect(db.overwrites).toEqual([]);
      expect(db.rows).toEqual(clean.rows);
    }),
    { seed: 42, numRuns, verbose: true },
  );
}

const outputIds = (events: Record<string, Reading[]>) =>
  Object.entries(events)
    .map(([step, bound]) => `${step}=${bound.map((r) => r.id).join('.')}`)
    .join(' ');

// A reading over 60, another within 30 ms, then a hotter one; partial matches time out.
const heating = Pattern.begin('hot', (r: Reading) => r.celsius > 60)
  .followedBy('again', (r) => r.celsius > 60)
  .within(30, 'step')
  .followedBy('hotter', (r, context) => r.celsius > context.events('again')[0]!.celsius)
  .within(60);
const cepOptions = {
  pattern: heating,
  key: (r: Reading) => r.sensor,
  timestamp: (r: Reading) => r.at,
  maxOutOfOrdernessMs: 5,
};

type CepOut = CepStageOutput<Reading, { hot: Reading; again: Reading; hotter: Reading }>;
const cepCase: Case<CepOut> = {
  stage: (checkpoint) =>
    CepStage.childSpec('stage', {
      ...cepOptions,
      late: 'emit',
      name: 'stage',
      checkpoint,
      subscribeTo: [{ to: 'source', maxDemand: 10 }],
    }),
  keyOf: (output) =>
    output.type === 'late'
      ? `late ${output.event.id}`
      : `${output.type} ${output.key} ${outputIds(output.events as never)}`,
  expected: () => {
    const engine = new CepEngine(cepOptions.pattern, cepOptions);
    engine.pushAll(INPUT);
    engine.advanceWatermark(Number.POSITIVE_INFINITY);
    return engine.drain();
  },
};

const windowOptions = {
  key: (r: Reading) => r.sensor,
  timestamp: (r: Reading) => r.at,
  value: (r: Reading) => r.celsius,
  window: { type: 'sliding', sizeMs: 40, slideMs: 20 } as const,
  allowedLatenessMs: 10,
  maxOutOfOrdernessMs: 5,
};
const windowCase: Case<WindowStageOutput<Reading>> = {
  stage: (checkpoint) =>
    WindowStage.childSpec('stage', {
      ...windowOptions,
      late: 'emit',
      name: 'stage',
      checkpoint,
      subscribeTo: [{ to: 'source', maxDemand: 10 }],
    }),
  keyOf: (output) =>
    output.type === 'late'
      ? `late ${output.event.id}`
      : `window ${output.key} ${output.start} ${output.update ? output.count : ''}`,
  expected: () => {
    const aggregator = new WindowAggregator(windowOptions);
    aggregator.pushAll(INPUT);
    aggregator.close();
    return aggregator.drain();
  },
};

const detectorShared = { key: (r: Reading) => r.sensor, timestamp: (r: Reading) => r.at };
const value = (r: Reading) => r.celsius;
const detectorCase: Case<Anomaly<Reading>> = {
  stage: (checkpoint) =>
    DetectorStage.childSpec('stage', {
      ...detectorShared,
      detectors: [
        { type: 'ewma', value, threshold: 1.5, warmup: 5 },
        { type: 'rateOfChange', value, maxRatePerSecond: 15_000 },
      ],
      name: 'stage',
      checkpoint,
      subscribeTo: [{ to: 'source', maxDemand: 10 }],
    }),
  keyOf: (anomaly) => `${anomaly.detector} ${anomaly.event.id}`,
  expected: () => {
    const anomalies: Anomaly<Reading>[] = [];
    const emit = (anomaly: Anomaly<Reading>) => anomalies.push(anomaly);
    const ewma = new EwmaDetector({ ...detectorShared, value, threshold: 1.5, warmup: 5, emit });
    const rate = new RateOfChangeDetector({
      ...detectorShared,
      value,
      maxRatePerSecond: 15_000,
      emit,
    });
    for (const reading of INPUT) {
      ewma.push(reading);
      rate.push(reading);
    }
    return anomalies;
  },
};

describe('pattern stages under faults', () => {
  it('CepStage writes what a run without faults writes', async () => {
    await checkUnderFaults(cepCase, 5);
  }, 60_000);

  it('WindowStage writes what a run without faults writes', async () => {
    await checkUnderFaults(windowCase, 3);
  }, 60_000);

  it('DetectorStage writes what a run without faults writes', async () => {
    await checkUnderFaults(detectorCase, 3);
  }, 60_000);
});
