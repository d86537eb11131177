/**
 * Transactions on PostgreSQL: retried after serialization failures and deadlocks, and only
 * after those.
 */

import { silentLogger } from '@starweave/actors';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/pg/transaction.js';
import { adminPool, schemaName, skipPg } from './support.js';

describe.skipIf(skipPg)('inTransaction', () => {
  let pool: pg.Pool;
  const schema = schemaName();

  beforeAll(async () => {
    pool = adminPool();
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.counts (n integer PRIMARY KEY)`);
    await pool.query(`CREATE TABLE ${schema}.rows (id integer PRIMARY KEY, v integer)`);
    await pool.query(`INSERT INTO ${schema}.rows VALUES (1, 0), (2, 0)`);
  });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  it('runs a transaction again after a serialization failure (40001)', async () => {
    let retries = 0;
    let bothRead!: () => void;
    const readBarrier = new Promise<void>((resolve) => {
      let waiting = 2;
      bothRead = () => {
        if (--waiting === 0) resolve();
      };
    });
    // Each transaction counts the rows and inserts the count: under serializable isolation the
    // second commit would break the result of a serial order, so the server fails it.
    const insertCount = (first: { value: boolean }) =>
      inTransaction(
        pool,
        async (client) => {
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.counts`);
          if (first.value) {
            first.value = false;
            bothRead();
            await readBarrier;
          }
          await client.query(`INSERT INTO ${schema}.counts VALUES ($1)`, [rows[0].n]);
        },
        {
          isolation: 'serializable',
          maxRetries: 3,
          logger: silentLogger,
          operation: 'count',
          onRetry: () => retries++,
        },
      );

    await Promise.all([insertCount({ value: true }), insertCount({ value: true })]);
    const { rows } = await pool.query(`SELECT n FROM ${schema}.counts ORDER BY n`);
    expect(rows.map((row) => row.n)).toEqual([0, 1]);
    expect(retries).toBe(1);
  });

  it('runs a transaction again after a deadlock (40P01)', async () => {
    let retries = 0;
    let lockedFirst!: () => void;
    const bothLocked = new Promise<void>((resolve) => {
      let waiting = 2;
      lockedFirst = () => {
        if (--waiting === 0) resolve();
      };
    });
    const update = (firstId: number, secondId: number, first: { value: boolean }) =>
      inTransaction(
        pool,
        async (client) => {
          await client.query("SET LOCAL deadlock_timeout = '50ms'");
          await client.query(`UPDATE ${schema}.rows SET v = v + 1 WHERE id = $1`, [firstId]);
          if (first.value) {
            first.value = false;
            lockedFirst();
            await bothLocked;
          }
          await client.query(`UPDATE ${schema}.rows SET v = v + 1 WHERE id = $1`, [secondId]);
        },
        { maxRetries: 3, logger: silentLogger, operation: 'update', onRetry: () => retries++ },
      );

    await Promise.all([update(1, 2, { value: true }), update(2, 1, { value: true })]);
    const { rows } = await pool.query(`SELECT v FROM ${schema}.rows ORDER BY id`);
    expect(rows.map((row) => row.v)).toEqual([2, 2]);
    expect(retries).toBe(1);
  });

  it('gives up after maxRetries', async () => {
    let attempts = 0;
    const failing = inTransaction(
      pool,
      async (client) => {
        attempts++;
        await client.query(
          "DO $$ BEGIN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = 'serialization_failure'; END $$",
        );
      },
      { maxRetries: 2, logger: silentLogger, operation: 'fail' },
    );
    await expect(failing).rejects.toMatchObject({ code: '40001' });
    expect(attempts).toBe(3);
  });

  it('does not run a transaction again after other errors', async () => {
    let attempts = 0;
    const failing = inTransaction(
      pool,
      async (client) => {
        attempts++;
        await client.query(`INSERT INTO ${schema}.rows VALUES (1, 0)`);
      },
      { maxRetries: 5, logger: silentLogger, operation: 'duplicate' },
    );
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(attempts).toBe(1);
  });
});
