/**
 * Translation of pg's errors into StarweaveError: ERR_NOCONNECTION naming host and port when
 * the server cannot be reached or the connection drops, ERR_STORE with the SQLSTATE otherwise.
 */
import { isStarweaveError, StarweaveError } from '@starweave/actors';

// Socket errors of a server that is down, unknown or unreachable.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// SQLSTATEs of a connection that the server ended: 57P01 admin_shutdown (pg_terminate_backend),
// 57P02 crash_shutdown and 57P03 cannot_connect_now. Class 08 contains the connection exceptions.
const ENDED_CONNECTION_STATES = new Set(['57P01', '57P02', '57P03']);

// pg reports a dropped socket or a connect timeout with plain Errors that carry no code.
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
  /Client was closed and is not queryable/,
];

/** Returns the SQLSTATE of a server error, such as `40001`, or undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Returns true for a serialization failure (40001) or a deadlock (40P01), which a retry cures. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

/** Returns true when `error` means that the server is unreachable or the connection is lost. */
export function isConnectionError(error: unknown): boolean {
  if (isStarweaveError(error)) return error.code === 'ERR_NOCONNECTION';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || ENDED_CONNECTION_STATES.has(code) || code.startsWith('08')) {
      return true;
    }
  }
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Wraps a failure of `operation` against the server at `target` (`host:port`) in
 * ERR_NOCONNECTION or ERR_STORE. StarweaveErrors pass through unchanged.
 */
export function toPgError(error: unknown, target: string, operation: string): StarweaveError {
  if (isStarweaveError(error)) return error;
  const reason = describeError(error);
  const state = sqlState(error);
  if (isConnectionError(error)) {
    // The server rolls back a transaction whose connection it ends, so an error with an
    // SQLSTATE means the write was undone. A dropped socket leaves the outcome unknown.
    const outcome =
      state === undefined
        ? 'Whether the last write committed is unknown: read the journal before retrying.'
        : 'The transaction was rolled back.';
    return new StarweaveError(
      'ERR_NOCONNECTION',
      `cannot ${operation}: no connection to PostgreSQL at ${target} (${reason}). ${outcome} ` +
        'Check that the server runs and that host and port are right.',
      { cause: error, details: { target, operation, sqlState: state } },
    );
  }
  return new StarweaveError(
    'ERR_STORE',
    `cannot ${operation} in PostgreSQL at ${target}: ${reason}` +
      `${state === undefined ? '' : ` (SQLSTATE ${state})`}.`,
    { cause: error, details: { target, operation, sqlState: state } },
  );
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) return error.message || String((error as { code?: unknown }).code);
  return String(error);
}
