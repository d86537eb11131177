/**
 * The shared journal and snapshot tests, run on PostgreSQL with a schema per test.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { journalContract } from '../contract/journal-contract.js';
import { snapshotContract } from '../contract/snapshot-contract.js';
import { adminPool, pgFixture, skipPg } from './support.js';

describe.skipIf(skipPg)('PostgreSQL', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  journalContract(
    'PostgreSQL',
    pgFixture(() => admin),
  );
  snapshotContract(
    'PostgreSQL',
    pgFixture(() => admin),
  );
});
