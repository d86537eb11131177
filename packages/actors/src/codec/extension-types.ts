/**
 * The msgpack extension type numbers that Starweave writes, shared with the Python worker.
 * docs/wire-format.md fixes the table; change a number only together with WIRE_FORMAT_VERSION.
 */

/**
 * Extension type numbers of the Starweave wire format. They avoid the numbers msgpackr gives
 * its own extensions (0, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, 0xff).
 */
export const ExtensionTypes = {
  /** The msgpack timestamp extension, used for `Date`. */
  TIMESTAMP: -1,
  /** A {@link Pid}: `[node, id]`. */
  PID: 0x10,
  /** A {@link Ref}: `[node, id]`. */
  REF: 0x11,
  /** A typed array or numpy array: dtype, shape and raw little-endian bytes. */
  NDARRAY: 0x12,
  /** An error: `{ name, message, stack, code?, details?, cause? }`. */
  ERROR: 0x13,
  /** A bigint, as its decimal digits in ASCII. */
  BIGINT: 0x14,
  /** A `Map`: one array of keys and values in turn, in insertion order. */
  MAP: 0x15,
  /** A `Set`: one array of its members, in insertion order. */
  SET: 0x16,
} as const;

/** The format version that {@link encodeVersioned} writes and {@link decodeVersioned} reads. */
export const WIRE_FORMAT_VERSION = 1;

/**
 * The first byte of a versioned blob. msgpack never uses 0xc1, so a versioned blob cannot be
 * mistaken for a bare msgpack value.
 */
export const VERSIONED_MARKER = 0xc1;
