/**
 * The codec of stored payloads: the core codec's msgpack, with the wire format version kept in
 * a column beside each payload, so the bytes stay plain msgpack that any reader can decode.
 * Stores import the codec from here alone, so its source can change in one place.
 */
import { decode, encode, StarweaveError, WIRE_FORMAT_VERSION } from '@starweave/actors';

/** The wire format version that {@link encodeStored} writes and {@link decodeStored} reads. */
export const STORED_FORMAT = WIRE_FORMAT_VERSION;

/**
 * Encodes `value` as msgpack in wire format {@link STORED_FORMAT}. Fails with ERR_ENCODE or
 * ERR_FRAME_TOO_LARGE from the core codec.
 */
export function encodeStored(value: unknown): Uint8Array {
  return encode(value);
}

/**
 * Decodes a payload stored in wire format `format`. Fails with ERR_DECODE on invalid bytes and
 * on a format this code does not read.
 */
export function decodeStored(bytes: Uint8Array, format: number): unknown {
  if (format !== STORED_FORMAT) {
    throw new StarweaveError(
      'ERR_DECODE',
      `payload is in wire format ${format}, but this code reads format ${STORED_FORMAT}. ` +
        'Upgrade Starweave to read newer data.',
      { details: { format, supported: STORED_FORMAT } },
    );
  }
  // Drivers return Buffers, and msgpackr decodes binary values as slices of its input's class.
  // A plain Uint8Array view (no copy) gives back the Uint8Array that was stored.
  const view = Buffer.isBuffer(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes;
  return decode(view);
}
