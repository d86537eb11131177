/**
 * The behaviour every snapshot store shares, written once and run against each store by
 * {@link snapshotContract}.
 */

import type { SnapshotStore } from '@starweave/persistence';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CORRUPT_BYTES, type FixtureFactory, type StoreFixture } from './fixture.js';

/** Registers the snapshot store tests for the store that `factory` opens. */
export function snapshotContract(name: string, factory: FixtureFactory): void {
  describe(`${name} snapshot store`, () => {
    let fixture: StoreFixture;
    let snapshots: SnapshotStore;

    beforeEach(async () => {
      fixture = await factory();
      snapshots = await fixture.openSnapshots();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    describe('SnapshotStore.loadLatest', () => {
      it('returns undefined when there is no snapshot', async () => {
        expect(await snapshots.loadLatest('a')).toBeUndefined();
      });

      it('returns the snapshot with the highest sequence', async () => {
        const before = Date.now();
        await snapshots.save('a', 10, { balance: 1 });
        await snapshots.save('a', 30, { balance: 3 });
        await snapshots.save('a', 20, { balance: 2 });
        await snapshots.save('b', 99, { balance: 9 });

        const latest = await snapshots.loadLatest('a');
        expect(latest).toMatchObject({ persistenceId: 'a', seq: 30, state: { balance: 3 } });
        expect(latest!.timestamp).toBeGreaterThanOrEqual(before);
      });

      it('returns the newest snapshot at or below maxSeq', async () => {
        await snapshots.save('a', 10, 'ten');
        await snapshots.save('a', 20, 'twenty');

        expect((await snapshots.loadLatest('a', { maxSeq: 19 }))?.state).toBe('ten');
        expect((await snapshots.loadLatest('a', { maxSeq: 20 }))?.state).toBe('twenty');
        expect(await snapshots.loadLatest('a', { maxSeq: 9 })).toBeUndefined();
      });

      it('round-trips the values of the codec', async () => {
        const state = {
          seen: new Set([1, 2]),
          totals: new Map([['eu', 10n ** 20n]]),
          at: new Date(5),
        };
        await snapshots.save('a', 1, state);
        expect((await snapshots.loadLatest('a'))?.state).toEqual(state);
      });

      it('fails with ERR_DECODE naming the id and sequence of a corrupt snapshot', async () => {
        await snapshots.save('a', 5, { balance: 5 });
        await snapshots.save('b', 5, { balance: 6 });
        await fixture.corruptSnapshot('a', 5, CORRUPT_BYTES);

        const loading = snapshots.loadLatest('a');
        await expect(loading).rejects.toMatchObject({
          code: 'ERR_DECODE',
          details: { persistenceId: 'a', seq: 5 },
        });
        await expect(loading).rejects.toThrow(/snapshot of "a" at sequence 5/);
        expect((await snapshots.loadLatest('b'))?.state).toEqual({ balance: 6 });
      });

      it('fails with ERR_INVALID_ARGUMENT on a bad maxSeq', async () => {
        const loading = snapshots.loadLatest('a', { maxSeq: -1 });
        await expect(loading).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
        await expect(loading).rejects.toThrow(/maxSeq.*-1/);
      });
    });

    describe('SnapshotStore.save', () => {
      it('replaces a snapshot at the same sequence', async () => {
        await snapshots.save('a', 10, 'first');
        await snapshots.save('a', 10, 'second');
        expect((await snapshots.loadLatest('a'))?.state).toBe('second');
      });

      it.each([
        ['persistenceId', () => snapshots.save('', 1, {}), /persistenceId/],
        ['seq', () => snapshots.save('a', 2.5, {}), /seq.*2\.5/],
        ['state', () => snapshots.save('a', 1, undefined), /state.*undefined/],
      ])('fails with ERR_INVALID_ARGUMENT on a bad %s', async (_, call, message) => {
        const saving = call();
        await expect(saving).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
        await expect(saving).rejects.toThrow(message);
      });

      it('fails with ERR_ENCODE on a state the codec cannot encode', async () => {
        await expect(snapshots.save('a', 1, { callback: () => 1 })).rejects.toMatchObject({
          code: 'ERR_ENCODE',
        });
        expect(await snapshots.loadLatest('a')).toBeUndefined();
      });
    });

    describe('SnapshotStore.deleteTo', () => {
      it('deletes the snapshots up to seq of one persistence id', async () => {
        await snapshots.save('a', 10, 'ten');
        await snapshots.save('a', 20, 'twenty');
        await snapshots.save('b', 10, 'other');
        await snapshots.deleteTo('a', 20);

        expect(await snapshots.loadLatest('a')).toBeUndefined();
        expect((await snapshots.loadLatest('b'))?.state).toBe('other');
      });

      it('keeps snapshots above seq', async () => {
        await snapshots.save('a', 10, 'ten');
        await snapshots.save('a', 20, 'twenty');
        await snapshots.deleteTo('a', 15);

        expect((await snapshots.loadLatest('a'))?.seq).toBe(20);
        expect(await snapshots.loadLatest('a', { maxSeq: 15 })).toBeUndefined();
      });
    });

    describe('SnapshotStore.close', () => {
      it('fails later calls with ERR_STORE', async () => {
        const other = await fixture.openSnapshots();
        await other.close();
        await other.close();
        await expect(other.save('a', 1, 'x')).rejects.toMatchObject({ code: 'ERR_STORE' });
        await expect(other.loadLatest('a')).rejects.toMatchObject({ code: 'ERR_STORE' });
      });
    });
  });
}
