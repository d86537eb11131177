import { decodeVersioned, isStarweaveError } from '@starweave/actors';
import { describe, expect, it } from 'vitest';
import { useSystems, waitUntil } from '../helpers.js';
import { database, expectedRows, runningCount, sink, source, subscribedTo } from './pipeline.js';
import {
  CheckpointCoordinator,
  encodeSnapshotForTest,
  GenStage,
  MemoryCheckpointStore,
} from './restore-helpers.js';

const newSystem = useSystems();

describe('checkpoint restore', () => {
  it('resumes a restarted pipeline from the last completed checkpoint', async () => {
    const store = new MemoryCheckpointStore();
    const first = newSystem();
    const start = async (system: typeof first, db: ReturnType<typeof database>) => {
      await CheckpointCoordinator.startLink(
        system,
        { store, sources: ['a'], sinks: ['sink'] },
        { name: 'cp' },
      );
      const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'cp' });
      await GenStage.startLink(system, source('a', 400), undefined, {
        name: 'a',
        checkpoint: checkpoint('a'),
      });
      await GenStage.startLink(
        system,
        subscribedTo(runningCount, [{ to: 'a', maxDemand: 10 }]),
        undefined,
        {
          name: 'count',
          checkpoint: checkpoint('count'),
        },
      );
      await GenStage.startLink(
        system,
        subscribedTo(sink(db, 1), [{ to: 'count', maxDemand: 10 }]),
        undefined,
        {
          checkpoint: checkpoint('sink'),
        },
      );
    };

    const before = database();
    await start(first, before);
    await waitUntil(() => before.rows.size >= 50);
    const id = await CheckpointCoordinator.trigger(first, 'cp');
    const { offset } = decodeVersioned(store.load(id, 'a')!) as { offset: number };
    expect(offset).toBeGreaterThanOrEqual(50);
    expect(offset).toBeLessThan(400);
    await first.shutdown();

    const after = database();
    await start(newSystem(), after);
    await waitUntil(() => after.rows.size === 400 - offset, 5000);
    const expected = expectedRows(['a'], 400);
    // The source resumed at its offset, and the counting stage from its saved counts.
    expect(after.rows.has(`a:${offset - 1}`)).toBe(false);
    for (const [key, value] of after.rows) expect(value).toBe(expected.get(key));
  });

  it('fails to start a stage with a saved snapshot but no restoreState', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    store.save(1, 'plain', encodeSnapshotForTest({ count: 3 }));
    store.complete(1);
    await CheckpointCoordinator.startLink(
      system,
      { store, sources: ['plain'], sinks: ['x'] },
      { name: 'cp' },
    );
    const plain = { ...source('plain', 10), snapshotState: undefined, restoreState: undefined };
    const error = await GenStage.start(system, plain, undefined, {
      checkpoint: { store, stageId: 'plain', coordinator: 'cp' },
    }).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
  });

  it('fails to start a stage whose coordinator is not running', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    const error = await GenStage.start(system, source('a', 1), undefined, {
      checkpoint: { store, stageId: 'a', coordinator: 'nobody' },
    }).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
  });
});
