/**
 * Argument checks shared by the journals and snapshot stores. Each fails with
 * ERR_INVALID_ARGUMENT naming the argument, what was expected and the value received.
 */
import { invalidArgument } from '@starweave/actors';

/** The maximum length of a persistence id, in UTF-16 code units. */
export const MAX_PERSISTENCE_ID_LENGTH = 255;

/** The maximum length of a tag, in UTF-16 code units. */
export const MAX_TAG_LENGTH = 255;

/** The maximum length of an event type, in UTF-16 code units. */
export const MAX_EVENT_TYPE_LENGTH = 255;

/**
 * Checks a persistence id: a non-empty string of at most 255 characters without NUL, which
 * PostgreSQL's text type cannot store.
 */
export function checkPersistenceId(value: unknown): string {
  return checkText('persistenceId', value, MAX_PERSISTENCE_ID_LENGTH);
}

/** Checks a sequence number or offset: a non-negative safe integer. */
export function checkSeq(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    invalidArgument(name, 'a non-negative integer', value);
  }
  return value;
}

/** Checks a tag: a non-empty string of at most 255 characters without NUL. */
export function checkTag(name: string, value: unknown): string {
  return checkText(name, value, MAX_TAG_LENGTH);
}

/** Checks an event type: a string of at most 255 characters without NUL; it may be empty. */
export function checkEventType(name: string, value: unknown): string {
  if (!isText(value, 0, MAX_EVENT_TYPE_LENGTH)) {
    const expected = `a string of at most ${MAX_EVENT_TYPE_LENGTH} characters without NUL`;
    invalidArgument(name, expected, value);
  }
  return value;
}

function checkText(name: string, value: unknown, maxLength: number): string {
  if (!isText(value, 1, maxLength)) {
    invalidArgument(
      name,
      `a non-empty string of at most ${maxLength} characters without NUL`,
      value,
    );
  }
  return value;
}

function isText(value: unknown, minLength: number, maxLength: number): value is string {
  return (
    typeof value === 'string' &&
    value.length >= minLength &&
    value.length <= maxLength &&
    !value.includes('\u0000')
  );
}

/** Checks a positive integer option, such as a page size. */
export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalidArgument(name, 'a positive integer', value);
  }
  return value;
}
