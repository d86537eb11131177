/**
 * The byte layout of extension 0x12: a small header (dtype and shape) padded to 8 bytes, then
 * the elements as raw little-endian bytes, so a reader can view them in place after one copy.
 */
import { StarweaveError } from '../errors.js';
import { ExtensionTypes } from './extension-types.js';
import { DTYPE_ARRAYS, isDType, NDArray, type NumericArray } from './ndarray.js';

/** The maximum number of dimensions a header describes, as in numpy 2. */
export const MAX_NDIM = 64;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Allocate = (size: number) => { target: Uint8Array; targetView: DataView; position: number };

/** Returns the header length of an array: dtype, shape and padding to a multiple of 8. */
function headerLength(dtype: string, ndim: number): number {
  const unpadded = 1 + dtype.length + 1 + 4 * ndim;
  return (unpadded + 7) & ~7;
}

/** Writes `array` as one extension 0x12 value straight into msgpackr's output buffer. */
export function writeNDArray(array: NDArray, allocate: Allocate): void {
  // The elements are copied in host byte order, which is only right on a little-endian host.
  // NOTE: big-endian hosts (no platform Node 20 ships binaries for) get ERR_ENCODE instead.
  if (!LITTLE_ENDIAN) {
    throw new StarweaveError('ERR_ENCODE', 'cannot encode typed arrays on a big-endian host.');
  }
  const { dtype, shape, data } = array;
  const header = headerLength(dtype, shape.length);
  const payload = header + data.byteLength;
  // ext 8, ext 16 or ext 32: the type byte plus a length of one, two or four bytes.
  let extHeader = 6;
  if (payload < 0x100) extHeader = 3;
  else if (payload < 0x10000) extHeader = 4;
  const { target, targetView, position: start } = allocate(extHeader + payload);

  let position = start;
  if (payload < 0x100) {
    target[position++] = 0xc7;
    target[position++] = payload;
  } else if (payload < 0x10000) {
    target[position++] = 0xc8;
    targetView.setUint16(position, payload);
    position += 2;
  } else {
    target[position++] = 0xc9;
    targetView.setUint32(position, payload);
    position += 4;
  }
  target[position++] = ExtensionTypes.NDARRAY;

  const headerStart = position;
  target[position++] = dtype.length;
  for (let index = 0; index < dtype.length; index++) target[position++] = dtype.charCodeAt(index);
  target[position++] = shape.length;
  for (const length of shape) {
    targetView.setUint32(position, length, true);
    position += 4;
  }
  target.fill(0, position, headerStart + header);
  position = headerStart + header;
  target.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
}

/**
 * Reads an extension 0x12 payload. The elements are copied once into a fresh, aligned buffer;
 * a one-dimensional array comes back as its typed array, any other rank as an {@link NDArray}.
 */
export function readNDArray(payload: Uint8Array): NumericArray | NDArray {
  if (!LITTLE_ENDIAN) throw decodeError('typed arrays cannot be decoded on a big-endian host');
  if (payload.length < 2) throw decodeError(`a ${payload.length}-byte payload is too short`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const dtypeLength = payload[0]!;
  if (1 + dtypeLength + 1 > payload.length) throw decodeError('the dtype runs past the payload');
  const dtype = String.fromCharCode(...payload.subarray(1, 1 + dtypeLength));
  if (!isDType(dtype)) {
    throw decodeError(`dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(DTYPE_ARRAYS)}`);
  }
  const ndim = payload[1 + dtypeLength]!;
  if (ndim > MAX_NDIM) throw decodeError(`${ndim} dimensions exceed the maximum of ${MAX_NDIM}`);
  const header = headerLength(dtype, ndim);
  if (header > payload.length) throw decodeError('the shape runs past the payload');

  const shape: number[] = [];
  let size = 1;
  for (let axis = 0; axis < ndim; axis++) {
    const length = view.getUint32(1 + dtypeLength + 1 + 4 * axis, true);
    shape.push(length);
    size *= length;
  }
  const Class = DTYPE_ARRAYS[dtype];
  const byteLength = payload.length - header;
  if (size * Class.BYTES_PER_ELEMENT !== byteLength) {
    throw decodeError(
      `shape ${JSON.stringify(shape)} of ${dtype} needs ${size * Class.BYTES_PER_ELEMENT} ` +
        `bytes but ${byteLength} follow the header`,
    );
  }
  // Uint8Array.prototype.slice copies even for a Buffer, whose own slice would not.
  const bytes = Uint8Array.prototype.slice.call(payload, header);
  const data = new Class(bytes.buffer, 0, size);
  return ndim === 1 ? data : new NDArray(data, shape);
}

function decodeError(problem: string): StarweaveError {
  return new StarweaveError('ERR_DECODE', `invalid typed array (extension 0x12): ${problem}.`);
}
