/**
 * NDArray: a typed array with a numpy dtype and a shape, the value that extension 0x12 carries.
 * One-dimensional arrays travel as plain typed arrays; other ranks need the shape.
 */
import { describe, StarweaveError } from '../errors.js';

/** The numpy dtype names that the wire format carries. */
export type DType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64';

/** The typed arrays that map to a {@link DType}. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type NumericArrayClass = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
  new (length: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** The typed array class of each dtype. */
export const DTYPE_ARRAYS: Readonly<Record<DType, NumericArrayClass>> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

/** Returns true when `value` names a supported dtype. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_ARRAYS, value);
}

/** Returns the dtype of a typed array; a `Uint8ClampedArray` counts as `'uint8'`. */
export function dtypeOf(data: NumericArray): DType {
  switch (data.constructor) {
    case Float32Array:
      return 'float32';
    case Float64Array:
      return 'float64';
    case Int8Array:
      return 'int8';
    case Int16Array:
      return 'int16';
    case Uint16Array:
      return 'uint16';
    case Int32Array:
      return 'int32';
    case Uint32Array:
      return 'uint32';
    case BigInt64Array:
      return 'int64';
    case BigUint64Array:
      return 'uint64';
    default:
      // Uint8Array, its subclasses (Buffer) and Uint8ClampedArray hold unsigned bytes.
      return 'uint8';
  }
}

/**
 * An n-dimensional numeric array in C (row-major) order: a dtype, a shape and a typed array of
 * `shape` product elements. It maps to a numpy `ndarray` in the Python worker.
 *
 * @example
 * ```ts
 * import { NDArray, decode, encode } from '@starweave/actors';
 * const matrix = new NDArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * const copy = decode(encode(matrix)) as NDArray;
 * console.log(copy.shape, copy.get(1, 2)); // [ 2, 3 ] 6
 * ```
 */
export class NDArray<T extends NumericArray = NumericArray> {
  /** The numpy name of the element type. */
  readonly dtype: DType;
  /** The length of each dimension; `[]` for a zero-dimensional array of one element. */
  readonly shape: readonly number[];
  /** The elements in row-major order. */
  readonly data: T;

  /** Wraps `data` with a shape, which defaults to `[data.length]`. */
  constructor(data: T, shape: readonly number[] = [data.length]) {
    if (!ArrayBuffer.isView(data) || data instanceof DataView) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid NDArray data: expected a numeric typed array, received ${describe(data)}.`,
      );
    }
    let size = 1;
    for (const length of shape) {
      if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
        throw new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `invalid NDArray shape ${JSON.stringify(shape)}: expected integers from 0 to 2^32 - 1.`,
        );
      }
      size *= length;
    }
    if (size !== data.length) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid NDArray shape ${JSON.stringify(shape)}: it holds ${size} elements but the data ` +
          `has ${data.length}. Pass a shape whose product is the data length.`,
      );
    }
    this.dtype = dtypeOf(data);
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Reads the element at one index per dimension, as numpy's `array[i, j]` does. */
  get(...index: number[]): T[number] {
    if (index.length !== this.shape.length) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid NDArray index [${index}]: expected ${this.shape.length} indices for shape ` +
          `${JSON.stringify(this.shape)}.`,
      );
    }
    let offset = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const length = this.shape[axis]!;
      const position = index[axis]!;
      if (!Number.isInteger(position) || position < 0 || position >= length) {
        throw new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `invalid NDArray index [${index}]: axis ${axis} has length ${length}.`,
        );
      }
      offset = offset * length + position;
    }
    return this.data[offset] as T[number];
  }
}
