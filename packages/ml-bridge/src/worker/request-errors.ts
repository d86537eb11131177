/**
 * The errors a caller of a worker receives when the Node side fails its request. Each names
 * the worker, the handler and the request, states what happened and what to do.
 */
import { StarweaveError } from '@starweave/actors';
import type { WorkerExit } from '../transport/index.js';
import type { PendingRequest } from './pending-request.js';

const quote = (text: string) => JSON.stringify(text);

/** ERR_OVERLOADED: the in-flight cap and the queue are full. */
export function overloadedError(
  worker: string,
  handler: string,
  inFlight: number,
  queued: number,
): StarweaveError {
  return new StarweaveError(
    'ERR_OVERLOADED',
    `Python worker ${quote(worker)} is overloaded: ${inFlight} requests are in flight and ` +
      `${queued} wait, the maximum. Retry later, add workers or raise maxInFlight or maxQueued.`,
    { details: { worker, handler, inFlight, queued } },
  );
}

/** ERR_NOCONNECTION: the worker is draining or stopped. */
export function notRunningError(worker: string, handler: string, status: string): StarweaveError {
  const state = status === 'draining' ? 'shutting down' : 'stopped';
  return new StarweaveError(
    'ERR_NOCONNECTION',
    `Python worker ${quote(worker)} is ${state} and takes no new requests. Send to another ` +
      'worker or to a pool.',
    { details: { worker, handler, status } },
  );
}

/** ERR_NOT_FOUND: the worker does not offer `handler`. */
export function handlerNotFoundError(
  worker: string,
  handler: string,
  offered: string[],
): StarweaveError {
  const list = [...offered].sort().join(', ') || 'no handlers';
  return new StarweaveError(
    'ERR_NOT_FOUND',
    `handler ${quote(handler)} is not found on Python worker ${quote(worker)}, which offers ` +
      `${list}. Check the name, or add the module that defines it to handlers.`,
    { details: { worker, handler, offered } },
  );
}

/** ERR_INVALID_ARGUMENT: `call` on a streaming handler, or `stream` on a plain one. */
export function wrongModeError(worker: string, handler: string, streams: boolean): StarweaveError {
  const what = streams ? 'streams its results' : 'returns one result';
  return new StarweaveError(
    'ERR_INVALID_ARGUMENT',
    `handler ${quote(handler)} ${what}; use ${streams ? 'stream()' : 'call()'} for it.`,
    { details: { worker, handler } },
  );
}

/** ERR_CANCELLED: the signal had aborted before the request was made. */
export function abortedBeforeError(
  worker: string,
  handler: string,
  reason: unknown,
): StarweaveError {
  return new StarweaveError(
    'ERR_CANCELLED',
    `the request to ${quote(handler)} was cancelled before it was sent.`,
    { cause: reason, details: { worker, handler } },
  );
}

/** Adds the worker and handler to an encoding or frame-size error from the transport. */
export function sendError(
  worker: string,
  entry: PendingRequest,
  error: StarweaveError,
): StarweaveError {
  if (error.code === 'ERR_NOCONNECTION') return error;
  return new StarweaveError(
    error.code,
    `cannot send the request to handler ${quote(entry.handler)} on Python worker ` +
      `${quote(worker)}: ${error.message}`,
    { cause: error, details: { ...error.details, worker, handler: entry.handler } },
  );
}

/** ERR_DEADLINE: the request's deadline passed in Node. */
export function deadlineError(
  worker: string,
  entry: PendingRequest,
  timeoutMs: number,
): StarweaveError {
  const where =
    entry.state === 'queued'
      ? 'waiting for an in-flight slot'
      : entry.state === 'sent'
        ? 'in flight'
        : 'waiting for its batch';
  return new StarweaveError(
    'ERR_DEADLINE',
    `request ${entry.id} to handler ${quote(entry.handler)} on Python worker ${quote(worker)} ` +
      `passed its deadline of ${timeoutMs} ms while ${where}. Raise timeoutMs or make the ` +
      'handler faster.',
    { details: { worker, handler: entry.handler, id: entry.id, timeoutMs } },
  );
}

/** ERR_CANCELLED: the caller's signal aborted the request. */
export function abortedError(
  worker: string,
  entry: PendingRequest,
  reason: unknown,
): StarweaveError {
  return new StarweaveError(
    'ERR_CANCELLED',
    `request ${entry.id} to handler ${quote(entry.handler)} on Python worker ${quote(worker)} ` +
      'was cancelled through its AbortSignal.',
    { cause: reason, details: { worker, handler: entry.handler, id: entry.id } },
  );
}

/** ERR_NOCONNECTION: the worker process ended; `killReason` is why Node killed it, if it did. */
export function workerExitError(
  worker: string,
  osPid: number | undefined,
  exit: WorkerExit,
  killReason: string | undefined,
): StarweaveError {
  const how = exit.signal
    ? `was killed by ${exit.signal}`
    : exit.code === null
      ? 'lost its connection'
      : `exited with status ${exit.code}`;
  const why = killReason === undefined ? '' : ` after ${killReason}`;
  return new StarweaveError(
    'ERR_NOCONNECTION',
    `Python worker ${quote(worker)} ${how}${why}, so the requests in flight on it failed.`,
    { details: { worker, osPid, code: exit.code, signal: exit.signal, reason: killReason } },
  );
}

/** ERR_NOCONNECTION: the worker process ended without a drain. */
export function stoppedError(worker: string, reason: string): StarweaveError {
  return new StarweaveError(
    'ERR_NOCONNECTION',
    `Python worker ${quote(worker)} stopped (${reason}) before it answered.`,
    { details: { worker, reason } },
  );
}
