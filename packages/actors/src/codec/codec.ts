/**
 * The codec: msgpack through msgpackr with the Starweave extension table, size and depth limits,
 * and a versioned form for stored bytes. docs/wire-format.md describes the bytes.
 */
import { Packr, Unpackr } from 'msgpackr';
import { isStarweaveError, StarweaveError } from '../errors.js';
import { VERSIONED_MARKER, WIRE_FORMAT_VERSION } from './extension-types.js';
import { type Pending, pendingState, registerExtensions } from './extensions.js';
import { Preparer } from './prepare.js';
import { resolvePending } from './resolve.js';

registerExtensions();

// useRecords: false keeps the bytes plain msgpack that a fresh process and Python can read.
// undefined is written as nil, except as an object property, which is left out as JSON does.
const packr = new Packr({
  useRecords: false,
  encodeUndefinedAsNil: true,
  skipValues: [undefined],
  moreTypes: false,
  structuredClone: false,
} as ConstructorParameters<typeof Packr>[0]);

// int64AsType 'auto' gives a number up to 2^53 and a bigint beyond, so no integer loses digits.
// copyBuffers makes decoded bytes their own copy, so they stay valid when the input is reused.
const unpackr = new Unpackr({
  useRecords: false,
  copyBuffers: true,
  mapsAsObjects: true,
  int64AsType: 'auto',
} as unknown as ConstructorParameters<typeof Unpackr>[0]);

/** Options of a {@link Codec}. */
export interface CodecOptions {
  /** The largest encoded value, in bytes, that encode writes and decode reads. Default 64 MiB. */
  maxBytes?: number;
  /** The deepest nesting of arrays, objects, Maps, Sets and errors. Default 512. */
  maxDepth?: number;
}

/** The default of {@link CodecOptions.maxBytes}: 64 MiB, the bridge's default frame limit. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The default of {@link CodecOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 512;

/**
 * Encodes values to msgpack bytes and back, with the Starweave extension types: pids, refs,
 * typed arrays and NDArrays, errors, bigints, Maps, Sets and Dates.
 *
 * @example
 * ```ts
 * import { Codec, Pid } from '@starweave/actors';
 * const codec = new Codec({ maxBytes: 1024 * 1024 });
 * const bytes = codec.encode({ type: 'hello', from: new Pid('local', 7), at: new Date(0) });
 * const message = codec.decode(bytes) as { from: Pid };
 * console.log(message.from.toString()); // <0.7.0>
 * ```
 */
export class Codec {
  /** The largest encoded value in bytes. */
  readonly maxBytes: number;
  /** The deepest nesting of containers. */
  readonly maxDepth: number;

  constructor(options: CodecOptions = {}) {
    this.maxBytes = checkPositiveInteger('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.maxDepth = checkPositiveInteger('maxDepth', options.maxDepth ?? DEFAULT_MAX_DEPTH);
  }

  /**
   * Encodes `value` as msgpack. Fails with ERR_ENCODE naming the path of a part that the wire
   * format cannot carry (a function, a symbol, a cycle), and with ERR_FRAME_TOO_LARGE when the
   * bytes exceed `maxBytes`.
   */
  encode(value: unknown): Uint8Array {
    const prepared = new Preparer(this.maxDepth).prepare(value);
    let bytes: Uint8Array;
    try {
      bytes = packr.pack(prepared);
    } catch (error) {
      if (isStarweaveError(error)) throw error;
      throw new StarweaveError('ERR_ENCODE', `cannot encode the value: ${messageOf(error)}.`, {
        cause: error,
      });
    }
    if (bytes.length > this.maxBytes) {
      throw new StarweaveError(
        'ERR_FRAME_TOO_LARGE',
        `encoded value is ${bytes.length} bytes, over the maximum of ${this.maxBytes}. ` +
          'Send less at once or raise maxBytes.',
        { details: { size: bytes.length, maxBytes: this.maxBytes } },
      );
    }
    return bytes;
  }

  /** Decodes one msgpack value. Fails with ERR_DECODE on bytes that are not one valid value. */
  decode(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid bytes: expected a Uint8Array, received ${typeof bytes}.`,
      );
    }
    if (bytes.length > this.maxBytes) {
      throw new StarweaveError(
        'ERR_FRAME_TOO_LARGE',
        `cannot decode ${bytes.length} bytes, over the maximum of ${this.maxBytes}.`,
        { details: { size: bytes.length, maxBytes: this.maxBytes } },
      );
    }
    if (bytes.length === 0) {
      throw new StarweaveError('ERR_DECODE', 'cannot decode 0 bytes: expected one msgpack value.');
    }
    return decodeWithPending(bytes);
  }

  /**
   * Encodes `value` for storage: the byte 0xc1 (never valid msgpack), the format version,
   * then the msgpack value.
   */
  encodeVersioned(value: unknown): Uint8Array {
    const body = this.encode(value);
    const bytes = new Uint8Array(body.length + 2);
    bytes[0] = VERSIONED_MARKER;
    bytes[1] = WIRE_FORMAT_VERSION;
    bytes.set(body, 2);
    return bytes;
  }

  /**
   * Decodes bytes written by {@link Codec.encodeVersioned}. Fails with ERR_DECODE when the
   * marker is missing or the version is one this codec does not read.
   */
  decodeVersioned(bytes: Uint8Array): unknown {
    if (bytes.length < 3 || bytes[0] !== VERSIONED_MARKER) {
      throw new StarweaveError(
        'ERR_DECODE',
        'invalid versioned value: expected the marker byte 0xc1 and a version first. ' +
          'Use decode for bytes written by encode.',
      );
    }
    const version = bytes[1]!;
    if (version !== WIRE_FORMAT_VERSION) {
      throw new StarweaveError(
        'ERR_DECODE',
        `cannot decode wire format version ${version}: this codec reads version ` +
          `${WIRE_FORMAT_VERSION}. Upgrade Starweave to read newer data.`,
        { details: { version, supported: WIRE_FORMAT_VERSION } },
      );
    }
    return this.decode(bytes.subarray(2));
  }
}

function decodeWithPending(bytes: Uint8Array): unknown {
  const outer = pendingState.list;
  const pending: Pending[] = [];
  pendingState.list = pending;
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (error) {
    if (isStarweaveError(error)) throw error;
    throw new StarweaveError('ERR_DECODE', `invalid msgpack bytes: ${messageOf(error)}.`, {
      cause: error,
    });
  } finally {
    pendingState.list = outer;
  }
  // msgpackr's read is finished here, so nested payloads decode without copying the outer bytes.
  return pending.length === 0 ? value : resolvePending(value, decodeWithPending);
}

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid ${name}: expected a positive integer, received ${String(value)}.`,
    );
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
