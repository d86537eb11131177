/**
 * Versioned tables of the PostgreSQL stores that sit beside the journal: checkpoints and
 * projection offsets. Each component keeps its own migrations, recorded per component in
 * SCHEMA.component_migrations, so their numbers never mix with the journal's schema version.
 */
import { type Logger, StarweaveError } from '@starweave/actors';
import { type PgConnection, quoteSchema } from '../pg/connection.js';
import { toPgError } from '../pg/pg-errors.js';
import { inTransaction } from '../pg/transaction.js';

/** One step of a component's schema. */
export interface PgTableMigration {
  /** The version this step brings the component to, from 1. */
  readonly version: number;
  /** A description of the step, recorded with its version. */
  readonly name: string;
  /** Returns the SQL of the step for the quoted schema `s`. */
  readonly sql: (s: string) => string;
}

/**
 * Brings `component`'s tables in the connection's schema to the newest of `migrations`,
 * creating the schema when missing. One transaction holds an advisory lock per schema and
 * component, so stores that start together migrate once. Fails with ERR_NOCONNECTION when the
 * server is unreachable, and with ERR_STORE when the schema is newer than this code.
 */
export async function migratePgTables(
  connection: PgConnection,
  logger: Logger,
  component: string,
  migrations: readonly PgTableMigration[],
): Promise<void> {
  const { pool, schema, target, maxRetries } = connection;
  const s = quoteSchema(schema);
  const newest = migrations[migrations.length - 1]!.version;
  const operation = `create the ${component} tables in schema ${JSON.stringify(schema)}`;
  try {
    await inTransaction(
      pool,
      async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `starweave.component_migrations:${schema}:${component}`,
        ]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${s}.component_migrations (
          component text NOT NULL,
          version integer NOT NULL,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (component, version)
        )`);
        const result = await client.query<{ applied: number | null }>(
          `SELECT max(version) AS applied FROM ${s}.component_migrations WHERE component = $1`,
          [component],
        );
        const applied = result.rows[0]?.applied ?? 0;
        if (applied > newest) {
          throw new StarweaveError(
            'ERR_STORE',
            `the ${component} tables of schema ${JSON.stringify(schema)} at ${target} are at ` +
              `version ${applied}, newer than version ${newest} that this code knows. ` +
              'Upgrade @starweave/persistence.',
            { details: { schema, component, applied, supported: newest } },
          );
        }
        for (const migration of migrations) {
          if (migration.version <= applied) continue;
          await client.query(migration.sql(s));
          await client.query(
            `INSERT INTO ${s}.component_migrations (component, version, name) VALUES ($1, $2, $3)`,
            [component, migration.version, migration.name],
          );
          logger.log('info', 'persistence.migrated', {
            target,
            schema,
            component,
            version: migration.version,
          });
        }
      },
      { maxRetries, logger, operation },
    );
  } catch (error) {
    throw toPgError(error, target, operation);
  }
}
