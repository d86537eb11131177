/**
 * The offset stores on an SQLite file and on PostgreSQL, run through the same tests.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isStarweaveError } from '@starweave/actors';
import { type OffsetStore, PgOffsetStore, SqliteOffsetStore } from '@starweave/persistence';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminPool, PG_SETTINGS, schemaName, skipPg } from '../pg/support.js';
import { makeTempDir } from '../sqlite/fixtures.js';

/** Fresh storage for one test: opens stores on it, and removes it. */
interface OffsetFixture {
  open(): Promise<OffsetStore>;
  dispose(): Promise<void>;
}

async function failure(act: () => Promise<unknown>): Promise<unknown> {
  return act().then(
    () => undefined,
    (error: unknown) => error,
  );
}

function offsetStoreTests(name: string, factory: () => Promise<OffsetFixture>): void {
  describe(`${name} offset store`, () => {
    let fixture: OffsetFixture;
    let offsets: OffsetStore;

    beforeEach(async () => {
      fixture = await factory();
      offsets = await fixture.open();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('returns undefined for a projection without an offset', async () => {
      expect(await offsets.load('totals')).toBeUndefined();
    });

    it('returns the offset saved last', async () => {
      await offsets.save('totals', 10);
      await offsets.save('totals', 25);
      expect(await offsets.load('totals')).toBe(25);
    });

    it('keeps projections apart', async () => {
      await offsets.save('totals', 10);
      await offsets.save('counts', 3);
      expect(await offsets.load('totals')).toBe(10);
      expect(await offsets.load('counts')).toBe(3);
    });

    it('gives a store opened later the saved offset', async () => {
      await offsets.save('totals', 2 ** 40);
      const reopened = await fixture.open();
      expect(await reopened.load('totals')).toBe(2 ** 40);
    });

    it.each([
      ['an empty projection id', (store: OffsetStore) => store.save('', 1)],
      ['a negative offset', (store: OffsetStore) => store.save('totals', -1)],
      ['a fractional offset', (store: OffsetStore) => store.save('totals', 1.5)],
      ['a projection id with NUL', (store: OffsetStore) => store.load('a\u0000b')],
    ])('fails with ERR_INVALID_ARGUMENT for %s', async (_case, act) => {
      expect(isStarweaveError(await failure(() => act(offsets)), 'ERR_INVALID_ARGUMENT')).toBe(
        true,
      );
    });

    it('fails with ERR_STORE after close', async () => {
      await offsets.close();
      await offsets.close();
      expect(isStarweaveError(await failure(() => offsets.load('totals')), 'ERR_STORE')).toBe(true);
      expect(isStarweaveError(await failure(() => offsets.save('totals', 1)), 'ERR_STORE')).toBe(
        true,
      );
    });
  });
}

offsetStoreTests('SQLite file', async () => {
  const dir = makeTempDir();
  const filename = join(dir, 'offsets.db');
  const stores: OffsetStore[] = [];
  return {
    async open() {
      const store = await SqliteOffsetStore.open({ filename });
      stores.push(store);
      return store;
    },
    async dispose() {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteOffsetStore read-only', () => {
  it('reads a read-only file and fails a save with ERR_STORE', async () => {
    const dir = makeTempDir();
    const filename = join(dir, 'offsets.db');
    try {
      const writer = await SqliteOffsetStore.open({ filename });
      await writer.save('totals', 7);
      await writer.close();

      const reader = await SqliteOffsetStore.open({ filename, readOnly: true });
      expect(await reader.load('totals')).toBe(7);
      const error = await failure(() => reader.save('totals', 8));
      await reader.close();

      expect(isStarweaveError(error, 'ERR_STORE')).toBe(true);
      expect((error as Error).message).toContain('SQLITE_READONLY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipPg)('PostgreSQL', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  offsetStoreTests('PostgreSQL', async () => {
    const schema = schemaName();
    const stores: OffsetStore[] = [];
    return {
      async open() {
        const store = await PgOffsetStore.open({ ...PG_SETTINGS, schema, max: 2 });
        stores.push(store);
        return store;
      },
      async dispose() {
        for (const store of stores) await store.close();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  });
});
