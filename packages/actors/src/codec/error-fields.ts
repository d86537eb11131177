/**
 * Rebuilds an error from the fields of extension 0x13. A StarweaveError comes back as its class
 * with code and details; JavaScript's built-in error classes come back by name.
 */
import { type ErrorCode, StarweaveError } from '../errors.js';

const BUILT_IN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Builds the error described by decoded extension 0x13 fields. */
export function buildError(fields: unknown): Error {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new StarweaveError(
      'ERR_DECODE',
      'invalid error (extension 0x13): expected a map of name, message and stack.',
    );
  }
  const { name, message, stack, code, details, cause } = fields as Record<string, unknown>;
  if (typeof name !== 'string' || typeof message !== 'string') {
    throw new StarweaveError(
      'ERR_DECODE',
      'invalid error (extension 0x13): name and message must be strings.',
    );
  }
  const options = cause === undefined ? undefined : { cause };

  let error: Error;
  if (name === 'StarweaveError' && typeof code === 'string') {
    const record = isRecord(details) ? details : undefined;
    error = new StarweaveError(code as ErrorCode, message, { cause, details: record });
  } else {
    const Class = Object.hasOwn(BUILT_IN_ERRORS, name) ? BUILT_IN_ERRORS[name]! : Error;
    error = new Class(message, options);
    if (error.name !== name) error.name = name;
    if (typeof code === 'string') (error as Error & { code: string }).code = code;
    if (isRecord(details)) {
      for (const [key, value] of Object.entries(details)) {
        if (!(key in error)) (error as unknown as Record<string, unknown>)[key] = value;
      }
    } else if (details !== undefined && details !== null) {
      (error as Error & { details: unknown }).details = details;
    }
  }
  if (typeof stack === 'string') error.stack = stack;
  return error;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
