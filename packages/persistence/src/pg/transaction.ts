/**
 * Transactions on a pg pool, run again after a serialization failure (40001) or a deadlock
 * (40P01): the server has rolled such a transaction back, so running it again is safe.
 */
import type { Logger } from '@starweave/actors';
import type pg from 'pg';
import { isConnectionError, isRetryable, sqlState } from './pg-errors.js';

/** Retry settings of a transaction. */
export interface RetryOptions {
  /** The number of runs after the first. */
  readonly maxRetries: number;
  /** The logger of retries. */
  readonly logger: Logger;
  /** A description of the transaction for the log, such as `append`. */
  readonly operation: string;
  /** Called before each retry, for counters. */
  readonly onRetry?: () => void;
}

/** Options of {@link inTransaction}. */
export interface TransactionOptions extends RetryOptions {
  /** The isolation level. Default: the server's, normally read committed. */
  readonly isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

/**
 * Runs `attempt` and runs it again, up to `maxRetries` times, while it fails with a
 * serialization failure or a deadlock. Waits a few random milliseconds, doubling with each
 * retry, so that the transactions that collided do not collide again.
 */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || retry >= options.maxRetries) throw error;
      options.onRetry?.();
      options.logger.log('warn', 'persistence.transaction_retried', {
        operation: options.operation,
        sqlState: sqlState(error),
        retry: retry + 1,
      });
      await sleep(Math.random() * 2 ** Math.min(retry, 8) * 5);
    }
  }
}

/**
 * Runs `body` in a transaction on one client of `pool` and commits, retrying as
 * {@link withRetries} does. Rolls back when `body` fails; a client whose connection broke is
 * removed from the pool instead of being returned to it.
 */
export function inTransaction<T>(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions,
): Promise<T> {
  const begin =
    options.isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${options.isolation}`;
  return withRetries(async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isConnectionError(error)) {
        broken = error instanceof Error ? error : new Error(String(error));
      } else {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }, options);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
