/**
 * The behaviour that every CheckpointStore shares, MemoryCheckpointStore's included, written
 * once and run against each store by {@link checkpointStoreContract}.
 */
import { isStarweaveError } from '@starweave/actors';
import type { CheckpointStore } from '@starweave/stages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** Fresh storage for one test, and the checkpoint stores on it. */
export interface CheckpointFixture {
  /**
   * Opens a store of `pipelineId` (default `'default'`) on this fixture's storage. A store
   * opened later for the same pipeline reads what earlier ones wrote.
   */
  open(pipelineId?: string): Promise<CheckpointStore>;
  /** Closes every store opened here and removes the storage. */
  dispose(): Promise<void>;
}

/** Creates the fixture of one test. */
export type CheckpointFixtureFactory = () => Promise<CheckpointFixture>;

const bytes = (...values: number[]) => Uint8Array.from(values);

/** Returns the error that `act` throws or rejects with. */
async function failure(act: () => unknown): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Registers the checkpoint store tests for the store that `factory` opens. */
export function checkpointStoreContract(name: string, factory: CheckpointFixtureFactory): void {
  describe(`${name} checkpoint store`, () => {
    let fixture: CheckpointFixture;
    let store: CheckpointStore;

    beforeEach(async () => {
      fixture = await factory();
      store = await fixture.open();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    describe('CheckpointStore.latestCompleted', () => {
      it('returns undefined before any checkpoint completes', async () => {
        expect(await store.latestCompleted()).toBeUndefined();
      });

      it('returns the highest completed checkpoint', async () => {
        await store.complete(2);
        await store.complete(1);
        expect(await store.latestCompleted()).toBe(2);
        await store.complete(5);
        expect(await store.latestCompleted()).toBe(5);
      });
    });

    describe('CheckpointStore.load', () => {
      it('returns what a stage saved for a checkpoint', async () => {
        await store.save(1, 'map', bytes(1, 2));
        expect([...((await store.load(1, 'map')) ?? [])]).toEqual([1, 2]);
      });

      it('returns undefined for a stage or checkpoint without a snapshot', async () => {
        await store.save(1, 'map', bytes(1));
        expect(await store.load(1, 'sink')).toBeUndefined();
        expect(await store.load(2, 'map')).toBeUndefined();
      });

      it('returns a Uint8Array whose changes leave the store alone', async () => {
        await store.save(1, 'map', bytes(7));
        const loaded = (await store.load(1, 'map'))!;
        expect(loaded).toBeInstanceOf(Uint8Array);
        loaded[0] = 9;
        expect([...((await store.load(1, 'map')) ?? [])]).toEqual([7]);
      });

      it('round-trips an empty and a 1 MiB snapshot', async () => {
        const large = new Uint8Array(1 << 20).map((_, i) => i % 251);
        await store.save(1, 'empty', new Uint8Array(0));
        await store.save(1, 'large', large);
        expect((await store.load(1, 'empty'))?.length).toBe(0);
        expect(Buffer.from((await store.load(1, 'large'))!).equals(Buffer.from(large))).toBe(true);
      });
    });

    describe('CheckpointStore.save', () => {
      it('replaces a snapshot saved again for the same checkpoint and stage', async () => {
        await store.save(1, 'map', bytes(1));
        await store.save(1, 'map', bytes(9));
        expect([...((await store.load(1, 'map')) ?? [])]).toEqual([9]);
      });

      it('keeps a copy, so a reused buffer cannot change a snapshot', async () => {
        const buffer = bytes(1);
        await store.save(1, 'map', buffer);
        buffer[0] = 5;
        expect([...((await store.load(1, 'map')) ?? [])]).toEqual([1]);
      });
    });

    describe('CheckpointStore.complete', () => {
      it('drops the snapshots of older checkpoints', async () => {
        await store.save(1, 'map', bytes(1));
        await store.save(2, 'map', bytes(2));
        await store.complete(2);
        expect(await store.load(1, 'map')).toBeUndefined();
        expect([...((await store.load(2, 'map')) ?? [])]).toEqual([2]);
      });

      it('keeps the snapshots of newer checkpoints', async () => {
        await store.save(2, 'map', bytes(2));
        await store.save(3, 'map', bytes(3));
        await store.complete(2);
        expect([...((await store.load(3, 'map')) ?? [])]).toEqual([3]);
      });

      it('changes nothing for an id at or below the latest completed', async () => {
        await store.save(3, 'map', bytes(3));
        await store.complete(3);
        await store.complete(2);
        await store.complete(3);
        expect(await store.latestCompleted()).toBe(3);
        expect([...((await store.load(3, 'map')) ?? [])]).toEqual([3]);
      });
    });

    describe('CheckpointStore across opens', () => {
      it('gives a store opened later the completed checkpoint and its snapshots', async () => {
        await store.save(4, 'map', bytes(4, 4));
        await store.complete(4);

        const reopened = await fixture.open();

        expect(await reopened.latestCompleted()).toBe(4);
        expect([...((await reopened.load(4, 'map')) ?? [])]).toEqual([4, 4]);
      });

      it('keeps the checkpoints of pipelines apart', async () => {
        const other = await fixture.open('other');
        await store.save(1, 'map', bytes(1));
        await store.complete(1);
        await other.save(1, 'map', bytes(2));

        expect(await other.latestCompleted()).toBeUndefined();
        expect([...((await other.load(1, 'map')) ?? [])]).toEqual([2]);
        expect([...((await store.load(1, 'map')) ?? [])]).toEqual([1]);
      });
    });

    describe('CheckpointStore arguments', () => {
      it.each([
        ['a checkpoint id of zero in save', (s: CheckpointStore) => s.save(0, 'map', bytes())],
        ['a fractional checkpoint id in save', (s: CheckpointStore) => s.save(1.5, 'map', bytes())],
        ['an empty stage id in save', (s: CheckpointStore) => s.save(1, '', bytes())],
        ['bytes that are not a Uint8Array', (s: CheckpointStore) => s.save(1, 'map', [1] as never)],
        ['a negative checkpoint id in complete', (s: CheckpointStore) => s.complete(-1)],
        ['a checkpoint id of zero in load', (s: CheckpointStore) => s.load(0, 'map')],
      ])('fail with ERR_INVALID_ARGUMENT for %s', async (_case, act) => {
        expect(isStarweaveError(await failure(() => act(store)), 'ERR_INVALID_ARGUMENT')).toBe(
          true,
        );
      });
    });
  });
}
