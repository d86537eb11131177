/**
 * Translation of better-sqlite3's errors into StarweaveError, so callers test one code and
 * read which file and operation failed and what to do about it.
 */
import { isStarweaveError, StarweaveError } from '@starweave/actors';

const FIXES: Record<string, string> = {
  SQLITE_READONLY:
    'The database file or its folder is read-only: make both writable, or open the store ' +
    'with readOnly: true and only read.',
  SQLITE_CANTOPEN: 'Check that the folder exists and that the process may create files in it.',
  SQLITE_BUSY:
    'Another connection held the write lock past busyTimeoutMs: raise it, or write from ' +
    'fewer processes.',
  SQLITE_FULL: 'The disk is full: free space and retry.',
  SQLITE_CORRUPT: 'The database file is damaged: restore it from a backup.',
  SQLITE_NOTADB: 'The file is not an SQLite database: check the filename.',
};

/** Returns the SQLite result code of `error`, such as `SQLITE_READONLY`, or undefined. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Wraps a failure of `operation` on the database `filename` in ERR_STORE. StarweaveErrors pass
 * through unchanged.
 */
export function toStoreError(error: unknown, filename: string, operation: string): StarweaveError {
  if (isStarweaveError(error)) return error;
  const code = sqliteCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  // Extended codes such as SQLITE_READONLY_DBMOVED share the fix of their primary code.
  const primary = code?.split('_').slice(0, 2).join('_');
  const fix = primary === undefined ? undefined : FIXES[primary];
  return new StarweaveError(
    'ERR_STORE',
    `cannot ${operation} in SQLite database ${JSON.stringify(filename)}: ${reason}` +
      `${code === undefined ? '' : ` (${code})`}.${fix === undefined ? '' : ` ${fix}`}`,
    { cause: error, details: { filename, operation, sqliteCode: code } },
  );
}
