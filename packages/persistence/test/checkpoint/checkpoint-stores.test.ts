/**
 * The shared checkpoint store tests, run on MemoryCheckpointStore, on an SQLite file and on
 * PostgreSQL, so that the SQL stores behave as the in-memory one that stages are tested with.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { adminPool, skipPg } from '../pg/support.js';
import {
  memoryCheckpointFixture,
  pgCheckpointFixture,
  sqliteCheckpointFixture,
} from './checkpoint-fixtures.js';
import { checkpointStoreContract } from './checkpoint-store-contract.js';

checkpointStoreContract('Memory', memoryCheckpointFixture);
checkpointStoreContract('SQLite file', sqliteCheckpointFixture);

describe.skipIf(skipPg)('PostgreSQL', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(async () => {
    await admin.end();
  });

  checkpointStoreContract(
    'PostgreSQL',
    pgCheckpointFixture(() => admin),
  );
});
