import { type ActorSystem, decodeVersioned, isStarweaveError } from '@starweave/actors';
import {
  type CheckpointCompleted,
  CheckpointCoordinator,
  type CheckpointStore,
  GenStage,
  MemoryCheckpointStore,
} from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import { useSystems, waitUntil } from '../helpers.js';
import { database, runningCount, sink, source, subscribedTo } from './pipeline.js';

const newSystem = useSystems();

/** Starts coordinator, source 'a', the counting stage and the sink, all taking part. */
async function startPipeline(
  system: ActorSystem,
  store: CheckpointStore,
  options: {
    limit?: number;
    sinkSpec?: ReturnType<typeof sink>;
    intervalMs?: number;
    timeoutMs?: number;
  } = {},
) {
  const db = database();
  await CheckpointCoordinator.startLink(
    system,
    {
      store,
      sources: ['a'],
      sinks: ['sink'],
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
    },
    { name: 'checkpoints' },
  );
  const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'checkpoints' });
  await GenStage.startLink(system, source('a', options.limit ?? 100), undefined, {
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
    subscribedTo(options.sinkSpec ?? sink(db), [{ to: 'count', maxDemand: 10 }]),
    undefined,
    {
      name: 'sink',
      checkpoint: checkpoint('sink'),
    },
  );
  return db;
}

describe('CheckpointCoordinator.trigger', () => {
  it('completes a checkpoint once the sink has acknowledged it', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    const db = await startPipeline(system, store);
    await waitUntil(() => db.rows.size === 100);
    const id = await CheckpointCoordinator.trigger(system, 'checkpoints');
    expect(id).toBe(1);
    expect(store.latestCompleted()).toBe(1);
    expect(decodeVersioned(store.load(1, 'a')!)).toEqual({ offset: 100 });
    expect((decodeVersioned(store.load(1, 'count')!) as { counts: object }).counts).toEqual({
      a: 100,
    });
  });

  it('saves snapshots that agree: the stage counted exactly the events before the barrier', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    const db = await startPipeline(system, store, { limit: 2000 });
    await waitUntil(() => db.rows.size > 200);
    const id = await CheckpointCoordinator.trigger(system, 'checkpoints');
    const { offset } = decodeVersioned(store.load(id, 'a')!) as { offset: number };
    const { counts } = decodeVersioned(store.load(id, 'count')!) as { counts: { a: number } };
    expect(counts.a).toBe(offset);
  });

  it('fails with ERR_CANCELLED when a stage cannot save its snapshot', async () => {
    const system = newSystem();
    class FailingStore extends MemoryCheckpointStore {
      override save(checkpointId: number, stageId: string, bytes: Uint8Array): void {
        if (stageId === 'count') throw new Error('disk full');
        super.save(checkpointId, stageId, bytes);
      }
    }
    const store = new FailingStore();
    await startPipeline(system, store);
    const error = await CheckpointCoordinator.trigger(system, 'checkpoints').catch((e) => e);
    expect(isStarweaveError(error, 'ERR_CANCELLED')).toBe(true);
    expect(store.latestCompleted()).toBeUndefined();
  });

  it('fails with ERR_CANCELLED when the checkpoint does not complete in time', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    const stuck = sink(database());
    const sinkSpec = { ...stuck, handleEvents: () => new Promise<never>(() => {}) };
    await startPipeline(system, store, { sinkSpec, timeoutMs: 30 });
    const error = await CheckpointCoordinator.trigger(system, 'checkpoints').catch((e) => e);
    expect(isStarweaveError(error, 'ERR_CANCELLED')).toBe(true);
    expect((error as Error).message).toMatch(/within 30 ms/);
  });

  it('fails with ERR_CANCELLED when a stage exits during the checkpoint', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    const sinkSpec = { ...sink(database()), handleEvents: () => new Promise<never>(() => {}) };
    await startPipeline(system, store, { sinkSpec });
    const pending = CheckpointCoordinator.trigger(system, 'checkpoints').catch((e) => e);
    // The sink never handles its first batch, so the barrier cannot reach it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    system.exit(system.whereis('sink')!, 'kill');
    expect(isStarweaveError(await pending, 'ERR_CANCELLED')).toBe(true);
  });

  it('waits for every source and sink to register before starting', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    await CheckpointCoordinator.startLink(
      system,
      { store, sources: ['a'], sinks: ['sink'] },
      { name: 'early' },
    );
    const pending = CheckpointCoordinator.trigger(system, 'early');
    const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'early' });
    await GenStage.startLink(system, source('a', 10), undefined, {
      name: 'a',
      checkpoint: checkpoint('a'),
    });
    await GenStage.startLink(system, subscribedTo(sink(database()), ['a']) as never, undefined, {
      checkpoint: checkpoint('sink'),
    });
    expect(await pending).toBe(1);
  });

  it('numbers checkpoints after the latest one the store completed', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    store.complete(41);
    await startPipeline(system, store);
    expect(await CheckpointCoordinator.trigger(system, 'checkpoints')).toBe(42);
  });

  it('starts checkpoints on its own every intervalMs', async () => {
    const system = newSystem();
    const completed: CheckpointCompleted[] = [];
    system.telemetry.on('stage.checkpoint_completed', (event) => completed.push(event));
    const store = new MemoryCheckpointStore();
    await startPipeline(system, store, { intervalMs: 5 });
    await waitUntil(() => completed.length >= 3);
    expect(completed.map((event) => event.checkpointId).slice(0, 3)).toEqual([1, 2, 3]);
    expect(store.latestCompleted()).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['no sinks', { sinks: [] }],
    ['a non-positive interval', { intervalMs: 0 }],
    ['no store', { store: undefined }],
  ])('fails with ERR_INVALID_ARGUMENT for %s', (_case, extra) => {
    const system = newSystem();
    const options = { store: new MemoryCheckpointStore(), sources: ['a'], sinks: ['b'], ...extra };
    let error: unknown;
    try {
      void CheckpointCoordinator.startLink(system, options as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
