/**
 * What the shared journal and snapshot tests need from a store: journals and snapshot stores
 * on one fresh storage, and a way to damage a stored row behind the store's back.
 */
import type { Journal, SnapshotStore, Upcasters } from '@starweave/persistence';

/** Options for a journal opened by a fixture. */
export interface FixtureJournalOptions {
  upcasters?: Upcasters;
  pageSize?: number;
}

/** Fresh storage for one test, and the stores on it. */
export interface StoreFixture {
  /** Opens a journal on this fixture's storage; several journals share it. */
  openJournal(options?: FixtureJournalOptions): Promise<Journal>;
  /** Opens a snapshot store on this fixture's storage. */
  openSnapshots(): Promise<SnapshotStore>;
  /** Overwrites the stored payload of one event with `bytes`, with plain SQL. */
  corruptEvent(persistenceId: string, seq: number, bytes: Uint8Array): Promise<void>;
  /** Overwrites the stored state of one snapshot with `bytes`, with plain SQL. */
  corruptSnapshot(persistenceId: string, seq: number, bytes: Uint8Array): Promise<void>;
  /** Closes every store opened here and removes the storage. */
  dispose(): Promise<void>;
}

/** Creates the fixture of one test. */
export type FixtureFactory = () => Promise<StoreFixture>;

/** Bytes that are not msgpack: an array header that promises two elements, then only one. */
export const CORRUPT_BYTES = Uint8Array.from([0x92, 0x01]);

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Makes `count` events whose payloads carry their position, for easy checks. */
export function deposits(count: number, from = 1, tags?: string[]) {
  return Array.from({ length: count }, (_, i) => ({
    payload: { type: 'deposited', amount: from + i },
    ...(tags === undefined ? {} : { tags }),
  }));
}
