/**
 * Argument checks of the SQL checkpoint stores, the same that MemoryCheckpointStore makes, so
 * a pipeline fails alike whichever store it uses.
 */
import { invalidArgument } from '@starweave/actors';

/** The maximum length of a stage id or a pipeline id, in UTF-16 code units. */
export const MAX_CHECKPOINT_NAME_LENGTH = 255;

/** Checks a checkpoint id: a positive safe integer. */
export function checkCheckpointId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    invalidArgument('checkpointId', 'a positive integer', value);
  }
  return value;
}

/**
 * Checks a stage id or a pipeline id: a non-empty string of at most 255 characters without
 * NUL, which PostgreSQL's text type cannot store.
 */
export function checkCheckpointName(name: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_CHECKPOINT_NAME_LENGTH ||
    value.includes('\u0000')
  ) {
    invalidArgument(
      name,
      `a non-empty string of at most ${MAX_CHECKPOINT_NAME_LENGTH} characters without NUL`,
      value,
    );
  }
  return value;
}

/** Checks the bytes of a snapshot. */
export function checkSnapshotBytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) invalidArgument('bytes', 'a Uint8Array', value);
  return value;
}

/**
 * Copies the bytes a driver returned (a Buffer, often a slice of a larger pool) into a plain
 * Uint8Array of their own, as MemoryCheckpointStore returns.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
