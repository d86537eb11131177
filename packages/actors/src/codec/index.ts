/**
 * The Starweave codec: msgpack with one table of extension types shared by threads, nodes,
 * storage and the Python worker. docs/wire-format.md describes the bytes.
 */
import { Codec } from './codec.js';

export { Codec, type CodecOptions, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } from './codec.js';
export { ExtensionTypes, VERSIONED_MARKER, WIRE_FORMAT_VERSION } from './extension-types.js';
export {
  DTYPE_ARRAYS,
  type DType,
  dtypeOf,
  isDType,
  NDArray,
  type NumericArray,
} from './ndarray.js';

const defaultCodec = new Codec();

/** Encodes `value` as msgpack with the default {@link Codec} (64 MiB maximum). */
export function encode(value: unknown): Uint8Array {
  return defaultCodec.encode(value);
}

/** Decodes one msgpack value with the default {@link Codec}. */
export function decode(bytes: Uint8Array): unknown {
  return defaultCodec.decode(bytes);
}

/** Encodes `value` for storage, with the format version in front (see {@link Codec}). */
export function encodeVersioned(value: unknown): Uint8Array {
  return defaultCodec.encodeVersioned(value);
}

/** Decodes bytes written by {@link encodeVersioned}. */
export function decodeVersioned(bytes: Uint8Array): unknown {
  return defaultCodec.decodeVersioned(bytes);
}
