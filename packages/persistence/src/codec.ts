/**
 * The codec of stored payloads: the core codec's versioned msgpack form, so that every stored
 * event and snapshot starts with the wire format version. Stores import the codec from here
 * alone, so the source of the codec can change in one place.
 */
import { decodeVersioned, encodeVersioned } from '@starweave/actors';

/**
 * Encodes `value` for a store as a Buffer, which both better-sqlite3 and pg bind as a blob.
 * Fails with ERR_ENCODE or ERR_FRAME_TOO_LARGE from the core codec.
 */
export function encodeStored(value: unknown): Buffer {
  const bytes = encodeVersioned(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes bytes written by {@link encodeStored}. Fails with ERR_DECODE on invalid bytes. */
export function decodeStored(bytes: Uint8Array): unknown {
  // Drivers return Buffers, and msgpackr decodes binary values as slices of its input's class.
  // A plain Uint8Array view (no copy) gives back the Uint8Array that was stored.
  const view = Buffer.isBuffer(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes;
  return decodeVersioned(view);
}
