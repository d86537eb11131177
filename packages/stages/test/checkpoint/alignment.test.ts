import { decodeVersioned } from '@starweave/actors';
import {
  CheckpointCoordinator,
  GenStage,
  MemoryCheckpointStore,
  type ProducerSpec,
} from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import { collected, collector, settle, useSystems, waitUntil } from '../helpers.js';
import { database, type Item, runningCount, sink, subscribedTo } from './pipeline.js';

const newSystem = useSystems();

/** Returns a source that emits the items a cast carries and counts them in its state. */
function pushSource(name: string): ProducerSpec<{ offset: number }, void, Item> {
  return {
    type: 'producer',
    init: () => ({ state: { offset: 0 } }),
    handleDemand: (_demand, state) => ({ state }),
    handleCast: (xs: number[], state) => ({
      events: xs.map((x) => ({ source: name, x })),
      state: { offset: state.offset + xs.length },
    }),
    snapshotState: (state) => state,
    restoreState: (snapshot: { offset: number }) => snapshot,
  };
}

/** A store whose saves for one stage wait until released. */
class GatedStore extends MemoryCheckpointStore {
  private gate: Promise<void> | null = null;
  release: () => void = () => {};

  constructor(private readonly gatedStage: string) {
    super();
  }

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  override save(checkpointId: number, stageId: string, bytes: Uint8Array): void | Promise<void> {
    if (stageId !== this.gatedStage || this.gate === null)
      return super.save(checkpointId, stageId, bytes);
    return this.gate.then(() => super.save(checkpointId, stageId, bytes));
  }
}

describe('barrier alignment', () => {
  it('snapshots a stage with two inputs once the barrier has come from both', async () => {
    const system = newSystem();
    const store = new GatedStore('b');
    const db = database();
    await CheckpointCoordinator.startLink(
      system,
      { store, sources: ['a', 'b'], sinks: ['sink'] },
      { name: 'cp' },
    );
    const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'cp' });
    const a = await GenStage.startLink(system, pushSource('a'), undefined, {
      name: 'a',
      checkpoint: checkpoint('a'),
    });
    const b = await GenStage.startLink(system, pushSource('b'), undefined, {
      name: 'b',
      checkpoint: checkpoint('b'),
    });
    await GenStage.startLink(system, subscribedTo(runningCount, ['a', 'b']), undefined, {
      name: 'count',
      checkpoint: checkpoint('count'),
    });
    await GenStage.startLink(system, subscribedTo(sink(db), ['count']), undefined, {
      checkpoint: checkpoint('sink'),
    });

    GenStage.cast(system, a, [0, 1, 2]);
    GenStage.cast(system, b, [0, 1]);
    await waitUntil(() => db.rows.size === 5);

    // Source b takes long to save, so its barrier comes late; a's comes at once.
    store.hold();
    const completed = CheckpointCoordinator.trigger(system, 'cp');
    await waitUntil(() => store.load(1, 'a') !== undefined);
    GenStage.cast(system, a, [3, 4]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // a's events after its barrier wait in the stage until b's barrier arrives.
    expect(db.rows.has('a:3')).toBe(false);
    expect(store.load(1, 'count')).toBeUndefined();

    store.release();
    expect(await completed).toBe(1);
    const snapshot = decodeVersioned(store.load(1, 'count')!) as { counts: Record<string, number> };
    expect(snapshot.counts).toEqual({ a: 3, b: 2 });
    await waitUntil(() => db.rows.size === 7);
    expect(db.rows.get('a:4')).toBe('5/4');
  });

  it('passes a barrier through a stage that saves no state', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    const db = database();
    await CheckpointCoordinator.startLink(
      system,
      { store, sources: ['a'], sinks: ['sink'] },
      { name: 'cp' },
    );
    const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'cp' });
    const a = await GenStage.startLink(system, pushSource('a'), undefined, {
      name: 'a',
      checkpoint: checkpoint('a'),
    });
    const passThrough = subscribedTo(
      {
        type: 'producerConsumer' as const,
        init: () => ({ state: null }),
        handleEvents: (events: Item[], _from: unknown, state: null) => ({
          events: events.map((item) => ({ ...item, count: 0, sum: 0 })),
          state,
        }),
      },
      ['a'],
    );
    await GenStage.startLink(system, passThrough, undefined, { name: 'pass' });
    await GenStage.startLink(system, subscribedTo(sink(db), ['pass']), undefined, {
      checkpoint: checkpoint('sink'),
    });
    GenStage.cast(system, a, [1, 2]);
    expect(await CheckpointCoordinator.trigger(system, 'cp')).toBe(1);
    expect(store.load(1, 'pass')).toBeUndefined();
  });

  it('sends a barrier to consumers only after the events buffered before it', async () => {
    const system = newSystem();
    const store = new MemoryCheckpointStore();
    await CheckpointCoordinator.startLink(
      system,
      { store, sources: ['a'], sinks: ['sink'] },
      { name: 'cp' },
    );
    const checkpoint = (stageId: string) => ({ store, stageId, coordinator: 'cp' });
    const a = await GenStage.startLink(system, pushSource('a'), undefined, {
      name: 'a',
      checkpoint: checkpoint('a'),
    });
    const seen = collected();
    const consumer = await GenStage.startLink(
      system,
      collector(seen, {
        handleSubscribe: (_kind, _options, from, state) => {
          fromA = from;
          return { state, demand: 'manual' };
        },
        handleInfo: (demand: number, state, self) => {
          GenStage.ask(self, fromA, demand);
          return { state };
        },
      }),
      undefined,
      { checkpoint: checkpoint('sink') },
    );
    let fromA: any;
    await GenStage.subscribe(system, consumer, 'a');
    GenStage.cast(system, a, [1, 2, 3]);
    let done = false;
    const pending = CheckpointCoordinator.trigger(system, 'cp').then((id) => {
      done = true;
      return id;
    });
    await settle(system);
    // The barrier waits behind three undelivered events, so the sink has not acknowledged it.
    expect(done).toBe(false);
    system.send(consumer, 2);
    await settle(system);
    expect(done).toBe(false);
    system.send(consumer, 1);
    expect(await pending).toBe(1);
    expect(seen.events).toHaveLength(3);
  });
});
