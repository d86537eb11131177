/**
 * PgCheckpointStore beyond the shared contract: migrations when stores open together, tables
 * newer than the code, and use after close.
 */
import { isStarweaveError } from '@starweave/actors';
import { PgCheckpointStore } from '@starweave/persistence';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminPool, PG_SETTINGS, schemaName, skipPg } from '../pg/support.js';

async function failure(act: () => Promise<unknown>): Promise<unknown> {
  return act().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe.skipIf(skipPg)('PgCheckpointStore', () => {
  let admin: pg.Pool;
  let schema: string;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  beforeEach(() => {
    schema = schemaName();
  });

  afterEach(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  const open = (pipelineId?: string) =>
    PgCheckpointStore.open({ ...PG_SETTINGS, schema, max: 2, pipelineId });

  it('creates the schema and migrates once when stores open together', async () => {
    const stores = await Promise.all([open('a'), open('b'), open('c')]);
    for (const store of stores) await store.close();

    const rows = await admin.query(`SELECT component, version FROM ${schema}.component_migrations`);
    expect(rows.rows).toEqual([{ component: 'checkpoints', version: 1 }]);
  });

  it('fails with ERR_STORE when the tables are newer than the code', async () => {
    const store = await open();
    await store.close();
    await admin.query(
      `INSERT INTO ${schema}.component_migrations (component, version, name)
       VALUES ('checkpoints', 9, 'future')`,
    );

    const error = await failure(() => open());

    expect(isStarweaveError(error, 'ERR_STORE')).toBe(true);
    expect((error as Error).message).toContain('version 9');
  });

  it('fails with ERR_STORE after close', async () => {
    const store = await open();
    await store.close();
    await store.close();
    expect(isStarweaveError(await failure(() => store.latestCompleted()), 'ERR_STORE')).toBe(true);
    expect(
      isStarweaveError(await failure(() => store.save(1, 'map', Uint8Array.of(1))), 'ERR_STORE'),
    ).toBe(true);
  });
});
