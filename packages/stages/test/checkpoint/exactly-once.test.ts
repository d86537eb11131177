import type { ActorSystem } from '@starweave/actors';
import {
  CheckpointCoordinator,
  GenStage,
  MemoryCheckpointStore,
  type ProducerConsumerSpec,
} from '@starweave/stages';
import { Supervisor } from '@starweave/supervision';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useSystems, waitUntil } from '../helpers.js';
import {
  type Counted,
  type Database,
  database,
  expectedRows,
  type Item,
  runningCount,
  sink,
  source,
  subscribedTo,
} from './pipeline.js';

const newSystem = useSystems();
const LIMIT = 400;
const STAGES = ['checkpoints', 'a', 'b', 'count', 'sink'] as const;

/**
 * Starts the pipeline a, b -> count -> sink with its coordinator under one supervisor. With
 * oneForAll, the exit of any stage restarts them all, and they restore the last completed
 * checkpoint.
 */
async function startSupervised(system: ActorSystem, db: Database, counter = runningCount) {
  const store = new MemoryCheckpointStore();
  const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'checkpoints' });
  const children = [
    CheckpointCoordinator.childSpec(
      'checkpoints',
      { store, sources: ['a', 'b'], sinks: ['sink'], intervalMs: 3 },
      { name: 'checkpoints' },
    ),
    GenStage.childSpec('a', source('a', LIMIT), undefined, {
      name: 'a',
      checkpoint: checkpoint('a'),
    }),
    GenStage.childSpec('b', source('b', LIMIT), undefined, {
      name: 'b',
      checkpoint: checkpoint('b'),
    }),
    GenStage.childSpec(
      'count',
      subscribedTo(counter, [
        { to: 'a', maxDemand: 10 },
        { to: 'b', maxDemand: 10 },
      ]),
      undefined,
      { name: 'count', checkpoint: checkpoint('count') },
    ),
    GenStage.childSpec(
      'sink',
      subscribedTo(sink(db, 1), [{ to: 'count', maxDemand: 10 }]),
      undefined,
      {
        name: 'sink',
        checkpoint: checkpoint('sink'),
      },
    ),
  ];
  return Supervisor.startLink(system, children, {
    strategy: 'oneForAll',
    maxRestarts: 20,
    maxSeconds: 5,
  });
}

async function kill(system: ActorSystem, stage: string): Promise<void> {
  await waitUntil(() => system.whereis(stage) !== undefined, 5000);
  system.exit(system.whereis(stage)!, 'kill');
}

describe('checkpoints under faults', () => {
  it('matches a run without faults', async () => {
    const kills = fc.array(
      fc.record({
        afterWrites: fc.integer({ min: 1, max: 2 * LIMIT - 1 }),
        stage: fc.constantFrom(...STAGES),
      }),
      { minLength: 1, maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(kills, async (schedule) => {
        const system = newSystem();
        const db = database();
        await startSupervised(system, db);
        for (const { afterWrites, stage } of [...schedule].sort(
          (x, y) => x.afterWrites - y.afterWrites,
        )) {
          await waitUntil(() => db.writes >= afterWrites, 10_000);
          await kill(system, stage);
        }
        await waitUntil(() => db.rows.size === 2 * LIMIT, 15_000);
        // No row ever changed value: replayed events rewrote what was there.
        expect(db.overwrites).toEqual([]);
        expect(db.rows).toEqual(expectedRows(['a', 'b'], LIMIT));
        await system.shutdown();
      }),
      { seed: 42, numRuns: 6, verbose: true },
    );
  }, 60_000);

  it('detects a stage that does not restore', async () => {
    const system = newSystem();
    const db = database();
    const forgetful: ProducerConsumerSpec<unknown, void, Item, Counted> = {
      ...runningCount,
      snapshotState: undefined,
      restoreState: undefined,
    } as never;
    await startSupervised(system, db, forgetful as never);
    await waitUntil(() => db.writes >= LIMIT / 2, 10_000);
    await kill(system, 'count');
    await waitUntil(() => db.rows.size === 2 * LIMIT, 15_000);
    // The counts restart from zero while the sources resume: rows get different values.
    expect(
      db.overwrites.length + countDifferences(db, expectedRows(['a', 'b'], LIMIT)),
    ).toBeGreaterThan(0);
  }, 30_000);
});

function countDifferences(db: Database, expected: Map<string, string>): number {
  let differences = 0;
  for (const [key, value] of expected) if (db.rows.get(key) !== value) differences++;
  return differences;
}
