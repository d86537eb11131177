/**
 * The versioned schema of the PostgreSQL stores. Each migration runs once per schema, in order,
 * inside one transaction that holds an advisory lock, and is recorded in the migrations table,
 * so stores that start together migrate once.
 */
import { type Logger, StarweaveError } from '@starweave/actors';
import { type PgConnection, quoteSchema } from './connection.js';
import { toPgError } from './pg-errors.js';
import { inTransaction } from './transaction.js';

interface Migration {
  readonly version: number;
  readonly name: string;
  /** Returns the SQL of the migration for the quoted schema `s`. */
  readonly sql: (s: string, lockKey: string) => string;
}

/**
 * Returns the SQL expression of the advisory lock that serializes the appends of one schema.
 * Appends commit in the order they take the lock, so orderings become visible in increasing
 * order and a projection that reads past ordering N never misses a smaller one later.
 */
export function appendLockKey(schema: string): string {
  return `hashtext('starweave.journal:${schema}')`;
}

// The columns of an event row, in the order of EventRow.
const EVENT_RESULT_COLUMNS =
  'persistence_id text, seq bigint, ordering bigint, type text, version integer, tags text[], ' +
  'written_at bigint, format smallint, payload bytea';
const EVENT_SELECT_LIST =
  'j.persistence_id, j.seq, j.ordering, j.type, j.version, j.tags, j.written_at, j.format, j.payload';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create the journal, its tags, the snapshots and the append function',
    sql: (s, lockKey) => `
      CREATE TABLE ${s}.journal (
        ordering bigserial PRIMARY KEY,
        persistence_id text NOT NULL,
        seq bigint NOT NULL,
        type text NOT NULL,
        version integer NOT NULL,
        tags text[],
        written_at bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        format smallint NOT NULL,
        payload bytea,
        UNIQUE (persistence_id, seq)
      );
      CREATE TABLE ${s}.journal_tags (
        tag text NOT NULL,
        ordering bigint NOT NULL,
        PRIMARY KEY (tag, ordering)
      );
      CREATE TABLE ${s}.snapshots (
        persistence_id text NOT NULL,
        seq bigint NOT NULL,
        written_at bigint NOT NULL,
        format smallint NOT NULL,
        payload bytea NOT NULL,
        PRIMARY KEY (persistence_id, seq)
      );

      -- Writes a batch of appends in one statement: the events of append i are the next
      -- p_counts[i] entries of the flat arrays, and p_tagged[i] says whether any of them has
      -- tags. Returns one row per append: whether it was written, and the new highest sequence
      -- or the one found when p_expected[i] was stale.
      CREATE FUNCTION ${s}.append_events(
        p_ids text[], p_expected bigint[], p_counts integer[], p_written_at bigint,
        p_tagged boolean[], p_types text[], p_versions integer[], p_tags text[],
        p_format smallint, p_payloads bytea[])
      RETURNS TABLE (written boolean, highest bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        i integer;
        done integer := 0;
        head bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(${lockKey});
        FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
          SELECT coalesce(max(j.seq), 0) INTO head
            FROM ${s}.journal j WHERE j.persistence_id = p_ids[i];
          IF head <> p_expected[i] THEN
            written := false;
            highest := head;
          ELSE
            INSERT INTO ${s}.journal
              (persistence_id, seq, type, version, tags, written_at, format, payload)
            SELECT p_ids[i], head + n, p_types[done + n], p_versions[done + n],
                   CASE WHEN p_tags[done + n] IS NULL THEN NULL
                        ELSE ARRAY(SELECT json_array_elements_text(p_tags[done + n]::json)) END,
                   p_written_at, p_format, p_payloads[done + n]
              FROM generate_series(1, p_counts[i]) AS n
             ORDER BY n;
            -- A statement of its own, after the events: the tags need the orderings just drawn.
            IF p_tagged[i] THEN
              INSERT INTO ${s}.journal_tags (tag, ordering)
              SELECT unnest(j.tags), j.ordering
                FROM ${s}.journal j
               WHERE j.persistence_id = p_ids[i] AND j.seq > head AND j.tags IS NOT NULL;
            END IF;
            written := true;
            highest := head + p_counts[i];
          END IF;
          done := done + p_counts[i];
          RETURN NEXT;
        END LOOP;
      END
      $fn$;

      -- The read queries, as functions that forbid bitmap scans and sorts. Right after a bulk
      -- load, before autovacuum has analyzed the tables, the planner expects a few rows and
      -- picks a bitmap scan plus a sort of every later event of the journal, for each page;
      -- these settings leave it the ordered index scan, which reads one page's rows.
      CREATE FUNCTION ${s}.replay_page(
        p_id text, p_after bigint, p_to bigint, p_limit integer)
      RETURNS TABLE (${EVENT_RESULT_COLUMNS})
      LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_sort = off AS $fn$
        SELECT ${EVENT_SELECT_LIST} FROM ${s}.journal j
         WHERE j.persistence_id = p_id AND j.seq > p_after AND j.seq <= p_to AND NOT j.deleted
         ORDER BY j.seq LIMIT p_limit
      $fn$;
      CREATE FUNCTION ${s}.tag_page(p_tag text, p_after bigint, p_limit integer)
      RETURNS TABLE (${EVENT_RESULT_COLUMNS})
      LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_sort = off AS $fn$
        SELECT ${EVENT_SELECT_LIST}
          FROM ${s}.journal_tags t JOIN ${s}.journal j ON j.ordering = t.ordering
         WHERE t.tag = p_tag AND t.ordering > p_after AND NOT j.deleted
         ORDER BY t.ordering LIMIT p_limit
      $fn$;
      CREATE FUNCTION ${s}.all_page(p_after bigint, p_limit integer)
      RETURNS TABLE (${EVENT_RESULT_COLUMNS})
      LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_sort = off AS $fn$
        SELECT ${EVENT_SELECT_LIST} FROM ${s}.journal j
         WHERE j.ordering > p_after AND NOT j.deleted
         ORDER BY j.ordering LIMIT p_limit
      $fn$;
    `,
  },
];

/** The newest schema version that this code writes and reads. */
export const PG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the schema of `connection` to {@link PG_SCHEMA_VERSION}, creating it when missing.
 * Fails with ERR_NOCONNECTION when the server cannot be reached, and with ERR_STORE when the
 * schema was migrated by a newer version of Starweave.
 */
export async function migratePg(connection: PgConnection, logger: Logger): Promise<void> {
  const { pool, schema, target, maxRetries } = connection;
  const s = quoteSchema(schema);
  const operation = `migrate schema ${JSON.stringify(schema)}`;
  try {
    await inTransaction(
      pool,
      async (client) => {
        await client.query(
          "SELECT pg_advisory_xact_lock(hashtext('starweave.migrations:' || $1))",
          [schema],
        );
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${s}.migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
        const result = await client.query<{ applied: number | null }>(
          `SELECT max(version) AS applied FROM ${s}.migrations`,
        );
        const applied = result.rows[0]?.applied ?? 0;
        if (applied > PG_SCHEMA_VERSION) {
          throw new StarweaveError(
            'ERR_STORE',
            `schema ${JSON.stringify(schema)} at ${target} is at version ${applied}, newer than ` +
              `version ${PG_SCHEMA_VERSION} that this code knows. Upgrade @starweave/persistence.`,
            { details: { schema, applied, supported: PG_SCHEMA_VERSION } },
          );
        }
        for (const migration of MIGRATIONS) {
          if (migration.version <= applied) continue;
          await client.query(migration.sql(s, appendLockKey(schema)));
          await client.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
          logger.log('info', 'persistence.migrated', {
            target,
            schema,
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
