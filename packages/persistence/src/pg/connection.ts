/**
 * The connection of the PostgreSQL stores: a pg pool (their own or the caller's), the schema
 * that contains their tables, and the type parsers that read bigints as numbers.
 */

import { invalidArgument, type Logger } from '@starweave/actors';
import pg from 'pg';
import { checkPositiveInteger, checkSeq } from '../validate.js';

/** Connection settings of a PostgreSQL store. */
export interface PgOptions {
  /**
   * A pool to use instead of opening one. The store does not end it, and the caller handles
   * its 'error' events.
   */
  pool?: pg.Pool;
  /** A connection URL such as `postgres://user@127.0.0.1:5432/app`. */
  connectionString?: string;
  /** The server's host. Default: `PGHOST`, else localhost. */
  host?: string;
  /** The server's port. Default: `PGPORT`, else 5432. */
  port?: number;
  /** The database. Default: pg's, which is `PGDATABASE` or the user name. */
  database?: string;
  /** The role. Default: pg's, which is `PGUSER` or the operating system user. */
  user?: string;
  /** The password, when the server requires one. */
  password?: string;
  /** The largest number of connections the pool opens. Default 10. */
  max?: number;
  /** The name the connections show in pg_stat_activity. Default `'starweave'`. */
  applicationName?: string;
  /** How long to wait for a connection before failing with ERR_NOCONNECTION, in ms. Default 5000. */
  connectionTimeoutMs?: number;
  /** The schema of the tables, created when missing. Default `'starweave'`. */
  schema?: string;
  /** Runs after the first of a transaction that hit a serialization failure or deadlock. Default 5. */
  maxRetries?: number;
}

/** The resolved connection of one store. */
export interface PgConnection {
  readonly pool: pg.Pool;
  /** Whether the store opened the pool and so ends it. */
  readonly owned: boolean;
  /** `host:port`, for error messages. */
  readonly target: string;
  /** The schema name, checked to be a plain identifier. */
  readonly schema: string;
  readonly maxRetries: number;
}

/** The default of {@link PgOptions.schema}. */
export const DEFAULT_SCHEMA = 'starweave';

/** The default of {@link PgOptions.connectionTimeoutMs}. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;

/** The default of {@link PgOptions.maxRetries}. */
export const DEFAULT_MAX_RETRIES = 5;

const INT8_OID = 20;

// bigint columns hold sequence numbers, orderings and times, all below 2^53, so numbers are
// safe; pg's default would return strings.
const parseInt8 = (text: string): number => Number(text);

/** Type parsers for every store query, so that callers' pools need no setup. */
export const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Creates or adopts the pool of `options`. Opens no connection yet. */
export function createPgConnection(options: PgOptions, logger: Logger): PgConnection {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('options', 'an object with the connection settings', options);
  }
  const schema = checkSchema(options.schema ?? DEFAULT_SCHEMA);
  const maxRetries = checkSeq('maxRetries', options.maxRetries ?? DEFAULT_MAX_RETRIES);

  if (options.pool !== undefined) {
    if (!(options.pool instanceof pg.Pool)) invalidArgument('pool', 'a pg Pool', options.pool);
    const settings = options.pool.options as { host?: string; port?: number };
    return {
      pool: options.pool,
      owned: false,
      target: describeTarget(settings),
      schema,
      maxRetries,
    };
  }

  const timeout = checkSeq(
    'connectionTimeoutMs',
    options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
  );
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    max: checkPositiveInteger('max', options.max ?? 10),
    application_name: options.applicationName ?? 'starweave',
    connectionTimeoutMillis: timeout,
  });
  const target = describeTarget(options);
  // An idle connection that the server ends emits 'error' on the pool, and an 'error' event
  // without a listener crashes the process. The pool has already dropped that client, so
  // logging is enough.
  pool.on('error', (error) => {
    logger.log('warn', 'persistence.pg_connection_lost', { target, reason: error });
  });
  return { pool, owned: true, target, schema, maxRetries };
}

/** Quotes the checked schema name for SQL text. */
export function quoteSchema(schema: string): string {
  return `"${schema}"`;
}

function checkSchema(schema: unknown): string {
  if (typeof schema !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    invalidArgument(
      'schema',
      'a letter or underscore, then up to 62 letters, digits or underscores',
      schema,
    );
  }
  return schema;
}

function describeTarget(settings: {
  host?: string;
  port?: number;
  connectionString?: string;
}): string {
  let url: URL | undefined;
  if (settings.connectionString !== undefined) {
    try {
      url = new URL(settings.connectionString);
    } catch {
      url = undefined;
    }
  }
  const host = settings.host ?? (url?.hostname || undefined) ?? process.env.PGHOST ?? 'localhost';
  const port =
    settings.port ?? (url?.port ? Number(url.port) : undefined) ?? process.env.PGPORT ?? 5432;
  return `${host}:${port}`;
}
