/**
 * Error codes and the base error class shared by every Starweave package. The code is the API
 * that callers test; the message is for people and may change.
 */

/** Every error code that a Starweave package may raise, with what it means. */
export const ErrorCodes = {
  /** An argument has the wrong type or an out-of-range value. */
  ERR_INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  /** The target process is not alive, or the name is not registered. */
  ERR_NOPROC: 'ERR_NOPROC',
  /** A `call` got no reply within its timeout. */
  ERR_CALL_TIMEOUT: 'ERR_CALL_TIMEOUT',
  /** A `receive` with a timeout saw no matching message in time. */
  ERR_RECEIVE_TIMEOUT: 'ERR_RECEIVE_TIMEOUT',
  /** The callee exited while a call was in flight; `reason` holds its exit reason. */
  ERR_CALL_EXIT: 'ERR_CALL_EXIT',
  /** A process called itself, which would wait forever. */
  ERR_CALLING_SELF: 'ERR_CALLING_SELF',
  /** A name or key is already registered to another process. */
  ERR_ALREADY_REGISTERED: 'ERR_ALREADY_REGISTERED',
  /** A process is already started under this id or name. */
  ERR_ALREADY_STARTED: 'ERR_ALREADY_STARTED',
  /** An operation that needs a running process ran outside one, or after it ended. */
  ERR_NOT_IN_PROCESS: 'ERR_NOT_IN_PROCESS',
  /** The actor system is shut down and takes no more work. */
  ERR_SYSTEM_STOPPED: 'ERR_SYSTEM_STOPPED',
  /** A process failed to start; `reason` holds why. */
  ERR_START_FAILED: 'ERR_START_FAILED',
  /** A behaviour callback returned a value that is not one of its valid results. */
  ERR_BAD_RETURN: 'ERR_BAD_RETURN',
  /** A message matched none of a server's call clauses. */
  ERR_BAD_CALL: 'ERR_BAD_CALL',
  /** A reply was sent through a `from` whose call has already ended. */
  ERR_STALE_REPLY: 'ERR_STALE_REPLY',
  /** An optimistic-concurrency check failed: the expected sequence was not the current one. */
  ERR_CONFLICT: 'ERR_CONFLICT',
  /** A bounded queue is full; the caller should back off and retry. */
  ERR_OVERLOADED: 'ERR_OVERLOADED',
  /** A frame or message is over the agreed size limit. */
  ERR_FRAME_TOO_LARGE: 'ERR_FRAME_TOO_LARGE',
  /** Bytes could not be decoded as a valid frame or value. */
  ERR_DECODE: 'ERR_DECODE',
  /** A value could not be encoded by the codec. */
  ERR_ENCODE: 'ERR_ENCODE',
  /** A child, handler, key or record was not found. */
  ERR_NOT_FOUND: 'ERR_NOT_FOUND',
  /** A child or process is running where a stopped one is required. */
  ERR_RUNNING: 'ERR_RUNNING',
  /** A supervisor's restart intensity was exceeded. */
  ERR_SHUTDOWN: 'ERR_SHUTDOWN',
  /** A worker or server was unreachable or lost its connection. */
  ERR_NOCONNECTION: 'ERR_NOCONNECTION',
  /** A peer spoke a different protocol version or broke the protocol. */
  ERR_PROTOCOL: 'ERR_PROTOCOL',
  /** A remote handler raised an exception; `details` carries its type and traceback. */
  ERR_REMOTE: 'ERR_REMOTE',
  /** An operation was cancelled through an AbortSignal or by its owner's exit. */
  ERR_CANCELLED: 'ERR_CANCELLED',
  /** A store write or read failed. */
  ERR_STORE: 'ERR_STORE',
  /** A deadline passed before the work finished. */
  ERR_DEADLINE: 'ERR_DEADLINE',
} as const;

/** One of the stable error codes of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options of {@link StarweaveError}. */
export interface StarweaveErrorOptions {
  /** The underlying error or exit reason. */
  cause?: unknown;
  /** Structured facts about the failure (ids, values, limits). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error that Starweave raises. Test the `code`, not the message.
 *
 * @example
 * ```ts
 * import { StarweaveError } from '@starweave/actors';
 * const error = new StarweaveError('ERR_NOPROC', 'no process is registered as "cache"');
 * console.log(error.code); // ERR_NOPROC
 * ```
 */
export class StarweaveError extends Error {
  /** The stable code of this failure. */
  readonly code: ErrorCode;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: StarweaveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StarweaveError';
    this.code = code;
    this.details = options.details;
  }
}

/** Returns true when `value` is a {@link StarweaveError}, optionally with the given code. */
export function isStarweaveError(value: unknown, code?: ErrorCode): value is StarweaveError {
  return value instanceof StarweaveError && (code === undefined || value.code === code);
}

/** Formats a value for an error message: short, and safe for cycles and big values. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (typeof (value as { toString?: unknown }).toString === 'function') {
    const text = String(value);
    if (text !== '[object Object]') return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    // Falls through to the constructor name for cyclic or unserializable values.
  }
  return `[${value.constructor?.name ?? 'object'}]`;
}

/** Raises ERR_INVALID_ARGUMENT naming the argument, what was expected and what was received. */
export function invalidArgument(name: string, expected: string, received: unknown, fix?: string): never {
  const tail = fix ? ` ${fix}` : '';
  throw new StarweaveError(
    'ERR_INVALID_ARGUMENT',
    `invalid ${name}: expected ${expected}, received ${describe(received)}.${tail}`,
    { details: { argument: name, received } },
  );
}

/** Checks a timeout argument: a non-negative finite number of milliseconds, or 'infinity'. */
export function checkTimeout(name: string, value: unknown): number | 'infinity' {
  if (value === 'infinity') return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidArgument(name, "a non-negative number of milliseconds or 'infinity'", value);
  }
  return value;
}
