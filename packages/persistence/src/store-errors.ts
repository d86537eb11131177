/**
 * The errors that journals and snapshot stores raise for conflicts, corrupt rows and use after
 * close, built in one place so that every store words them alike.
 */
import { isStarweaveError, StarweaveError } from '@starweave/actors';

/** Builds the ERR_CONFLICT of an append whose expected sequence is not the current one. */
export function conflictError(
  persistenceId: string,
  expectedSeq: number,
  actualSeq: number,
): StarweaveError {
  return new StarweaveError(
    'ERR_CONFLICT',
    `cannot append to ${JSON.stringify(persistenceId)}: expected sequence ${expectedSeq}, ` +
      `but the journal is at ${actualSeq}. Another writer appended first; replay the events ` +
      `after ${expectedSeq} and retry with expectedSeq ${actualSeq}.`,
    { details: { persistenceId, expectedSeq, actualSeq } },
  );
}

/**
 * Builds the ERR_DECODE of a stored event or snapshot that cannot be read back, naming the
 * persistence id and the sequence number of the row.
 */
export function decodeError(
  what: 'event' | 'snapshot',
  persistenceId: string,
  seq: number,
  cause: unknown,
): StarweaveError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StarweaveError(
    'ERR_DECODE',
    `cannot decode the ${what} of ${JSON.stringify(persistenceId)} at sequence ${seq}: ` +
      `${reason} The row is corrupt or was written by a newer version; other rows are intact.`,
    { cause, details: { persistenceId, seq } },
  );
}

/** Builds the ERR_ENCODE of an event or snapshot that the codec cannot encode. */
export function encodeError(where: string, cause: unknown): StarweaveError {
  const code = isStarweaveError(cause) ? cause.code : 'ERR_ENCODE';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StarweaveError(code, `cannot encode ${where}: ${reason}`, { cause });
}

/** Builds the ERR_STORE of an operation on a store that was closed. */
export function closedError(store: string, operation: string): StarweaveError {
  return new StarweaveError(
    'ERR_STORE',
    `cannot ${operation}: the ${store} is closed. Open a new one.`,
    { details: { store, operation } },
  );
}
