/**
 * Turns an `error` frame from a worker into the StarweaveError a caller receives: the worker's
 * code when Starweave defines it, else ERR_REMOTE, with the Python exception type, message and
 * traceback in `details`.
 */
import { type ErrorCode, ErrorCodes, StarweaveError } from '@starweave/actors';
import type { WorkerErrorFrame } from '../transport/index.js';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/** Returns the error a caller of `handler` on `worker` receives for `frame`. */
export function remoteError(
  frame: WorkerErrorFrame,
  worker: string,
  handler: string,
): StarweaveError {
  const code = (KNOWN_CODES.has(frame.code) ? frame.code : 'ERR_REMOTE') as ErrorCode;
  const what = frame.code === 'ERR_REMOTE' ? `${frame.errorType}: ${frame.message}` : frame.message;
  const hint = frame.traceback ? ' The Python traceback is in details.traceback.' : '';
  return new StarweaveError(
    code,
    `handler ${JSON.stringify(handler)} on Python worker ${JSON.stringify(worker)} failed: ` +
      `${what}.${hint}`,
    {
      details: {
        ...frame.details,
        worker,
        handler,
        id: frame.id,
        remoteCode: frame.code,
        errorType: frame.errorType,
        remoteMessage: frame.message,
        traceback: frame.traceback,
      },
    },
  );
}
