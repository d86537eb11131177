/**
 * The second step of decoding: turns the pending Map, Set and error payloads that msgpackr left
 * in a decoded value into the values they carry, decoding each nested payload in turn.
 */
import { StarweaveError } from '../errors.js';
import { Pid, Ref } from '../pid.js';
import { buildError } from './error-fields.js';
import { ExtensionTypes } from './extension-types.js';
import { Pending } from './extensions.js';
import { NDArray } from './ndarray.js';

/** Decodes one nested payload, resolving what it contains; supplied by the codec. */
export type DecodeNested = (payload: Uint8Array) => unknown;

/** Returns `value` with every {@link Pending} inside it replaced, in place where possible. */
export function resolvePending(value: unknown, decodeNested: DecodeNested): unknown {
  if (value instanceof Pending) return materialize(value, decodeNested);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (typeof item === 'object' && item !== null) {
        value[index] = resolvePending(item, decodeNested);
      }
    }
    return value;
  }
  if (
    ArrayBuffer.isView(value) ||
    value instanceof Date ||
    value instanceof Pid ||
    value instanceof Ref ||
    value instanceof NDArray
  ) {
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'object' && item !== null) record[key] = resolvePending(item, decodeNested);
  }
  return record;
}

function materialize(pending: Pending, decodeNested: DecodeNested): unknown {
  const inner = decodeNested(pending.payload);
  switch (pending.type) {
    case ExtensionTypes.MAP: {
      if (!Array.isArray(inner) || inner.length % 2 !== 0) {
        throw new StarweaveError(
          'ERR_DECODE',
          'invalid Map (extension 0x15): expected an array of keys and values in turn.',
        );
      }
      const map = new Map<unknown, unknown>();
      for (let index = 0; index < inner.length; index += 2) map.set(inner[index], inner[index + 1]);
      return map;
    }
    case ExtensionTypes.SET: {
      if (!Array.isArray(inner)) {
        throw new StarweaveError(
          'ERR_DECODE',
          'invalid Set (extension 0x16): expected an array of members.',
        );
      }
      return new Set(inner);
    }
    default:
      return buildError(inner);
  }
}
