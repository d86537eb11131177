/**
 * Argument checks shared by the journals and snapshot stores. Each fails with
 * ERR_INVALID_ARGUMENT naming the argument, what was expected and the value received.
 */
import { invalidArgument } from '@starweave/actors';

/** The longest persistence id accepted, in UTF-16 code units. */
export const MAX_PERSISTENCE_ID_LENGTH = 255;

/** The longest tag accepted, in UTF-16 code units. */
export const MAX_TAG_LENGTH = 255;

/** Checks a persistence id: a non-empty string of at most 255 characters. */
export function checkPersistenceId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PERSISTENCE_ID_LENGTH) {
    invalidArgument(
      'persistenceId',
      `a non-empty string of at most ${MAX_PERSISTENCE_ID_LENGTH} characters`,
      value,
    );
  }
  return value;
}

/** Checks a sequence number or offset: a non-negative safe integer. */
export function checkSeq(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    invalidArgument(name, 'a non-negative integer', value);
  }
  return value;
}

/** Checks a tag: a non-empty string of at most 255 characters. */
export function checkTag(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TAG_LENGTH) {
    invalidArgument(name, `a non-empty string of at most ${MAX_TAG_LENGTH} characters`, value);
  }
  return value;
}

/** Checks a positive integer option, such as a page size. */
export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalidArgument(name, 'a positive integer', value);
  }
  return value;
}
