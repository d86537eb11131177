import { isStarweaveError } from '@starweave/actors';
import { MemoryCheckpointStore } from '@starweave/stages';
import { describe, expect, it } from 'vitest';

describe('MemoryCheckpointStore', () => {
  it('has no completed checkpoint at first', () => {
    expect(new MemoryCheckpointStore().latestCompleted()).toBeUndefined();
  });

  it('loads what a stage saved for a checkpoint', () => {
    const store = new MemoryCheckpointStore();
    store.save(1, 'map', new Uint8Array([1, 2]));
    expect([...store.load(1, 'map')!]).toEqual([1, 2]);
    expect(store.load(1, 'sink')).toBeUndefined();
  });

  it('replaces a snapshot saved again for the same checkpoint and stage', () => {
    const store = new MemoryCheckpointStore();
    store.save(1, 'map', new Uint8Array([1]));
    store.save(1, 'map', new Uint8Array([9]));
    expect([...store.load(1, 'map')!]).toEqual([9]);
  });

  it('keeps a copy, so a reused buffer cannot change a snapshot', () => {
    const store = new MemoryCheckpointStore();
    const bytes = new Uint8Array([1]);
    store.save(1, 'map', bytes);
    bytes[0] = 5;
    expect([...store.load(1, 'map')!]).toEqual([1]);
  });

  it('reports the highest completed checkpoint and drops older snapshots', () => {
    const store = new MemoryCheckpointStore();
    store.save(1, 'map', new Uint8Array([1]));
    store.save(2, 'map', new Uint8Array([2]));
    store.complete(2);
    store.complete(1);
    expect(store.latestCompleted()).toBe(2);
    expect(store.load(1, 'map')).toBeUndefined();
    expect([...store.load(2, 'map')!]).toEqual([2]);
  });

  it.each([
    ['a checkpoint id of zero', () => new MemoryCheckpointStore().save(0, 'map', new Uint8Array())],
    ['an empty stage id', () => new MemoryCheckpointStore().save(1, '', new Uint8Array())],
    [
      'bytes that are not a Uint8Array',
      () => new MemoryCheckpointStore().save(1, 'map', [1] as never),
    ],
  ])('fails with ERR_INVALID_ARGUMENT for %s', (_case, act) => {
    let error: unknown;
    try {
      act();
    } catch (thrown) {
      error = thrown;
    }
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
