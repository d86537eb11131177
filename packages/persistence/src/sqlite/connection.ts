/**
 * Opening an SQLite database for the stores: WAL mode with synchronous=NORMAL for files, the
 * schema migrated, and a second, read-only connection that serves reads for files.
 */

import { invalidArgument } from '@starweave/actors';
import Database from 'better-sqlite3';
import { checkSeq } from '../validate.js';
import { migrateSqlite } from './migrations.js';
import { toStoreError } from './sqlite-errors.js';

/** Database settings of an SQLite store. */
export interface SqliteOptions {
  /**
   * The database file, created when missing, or `':memory:'` for a database that lives as long
   * as the store. Ignored when `database` is given.
   */
  filename?: string;
  /**
   * An open better-sqlite3 database to use instead of opening `filename`, for example to share
   * one `':memory:'` database between a journal and a snapshot store. The store leaves its
   * settings alone and does not close it.
   */
  database?: Database.Database;
  /** Opens the file read-only: reads work and every write fails with ERR_STORE. Default false. */
  readOnly?: boolean;
  /** How long a write waits for another connection's write lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
}

/** The connections of one store. */
export interface SqliteConnections {
  /** The connection that writes; for `':memory:'` and given databases it reads too. */
  readonly writer: Database.Database;
  /** The connection that reads. */
  readonly reader: Database.Database;
  /** The database file, or `':memory:'`. */
  readonly filename: string;
  /** Whether the store opened the connections and so closes them. */
  readonly owned: boolean;
}

/** The default of {@link SqliteOptions.busyTimeoutMs}. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Opens or adopts the database of `options` and migrates it. Fails with ERR_STORE. */
export function openSqlite(options: SqliteOptions): SqliteConnections {
  if (typeof options !== 'object' || options === null) {
    invalidArgument(
      'options',
      "an object with a filename such as 'journal.db' or ':memory:'",
      options,
    );
  }
  if (options.database !== undefined) return adopt(options.database);

  const { filename } = options;
  if (typeof filename !== 'string' || filename.length === 0) {
    invalidArgument(
      'filename',
      "a file path or ':memory:'",
      filename,
      'Pass filename, or an open better-sqlite3 database as database.',
    );
  }
  const readOnly = options.readOnly ?? false;
  const timeout = checkSeq('busyTimeoutMs', options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  const memory = filename === ':memory:';
  if (memory && readOnly) {
    invalidArgument('readOnly', "false for ':memory:'", readOnly, 'Use a file to read only.');
  }

  let writer: Database.Database | undefined;
  try {
    writer = new Database(filename, { readonly: readOnly, fileMustExist: readOnly, timeout });
    if (!memory) {
      // WAL lets readers run beside the writer; NORMAL syncs at checkpoints rather than at
      // every commit, so a power loss may drop the last commits but never corrupts the file.
      writer.pragma('journal_mode = WAL');
      writer.pragma('synchronous = NORMAL');
    }
    migrateSqlite(writer, filename);
    const reader = memory ? writer : new Database(filename, { readonly: true, timeout });
    return { writer, reader, filename, owned: true };
  } catch (error) {
    writer?.close();
    throw toStoreError(error, filename, 'open the database');
  }
}

function adopt(database: Database.Database): SqliteConnections {
  if (
    typeof database !== 'object' ||
    database === null ||
    typeof (database as { prepare?: unknown }).prepare !== 'function' ||
    !database.open
  ) {
    invalidArgument('database', 'an open better-sqlite3 Database', database);
  }
  migrateSqlite(database, database.name);
  return { writer: database, reader: database, filename: database.name, owned: false };
}

/** Closes the connections that the store opened. */
export function closeSqlite(connections: SqliteConnections): void {
  if (!connections.owned) return;
  if (connections.reader !== connections.writer) connections.reader.close();
  connections.writer.close();
}
