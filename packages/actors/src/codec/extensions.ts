/**
 * Registers the Starweave extension types with msgpackr. Registration is process-wide in
 * msgpackr, which is harmless here: every class registered is the codec's own.
 *
 * Maps, Sets and errors carry a nested msgpack value. Decoding it inside msgpackr's read would
 * make msgpackr copy the whole outer buffer per nested value, so their payloads are kept as
 * {@link Pending} values and decoded after the outer value, by {@link resolvePending}.
 */
import { addExtension } from 'msgpackr';
import { StarweaveError } from '../errors.js';
import { Pid, Ref } from '../pid.js';
import { ExtensionTypes } from './extension-types.js';
import { NDArray } from './ndarray.js';
import { readNDArray, writeNDArray } from './ndarray-bytes.js';
import {
  WireBigInt,
  WireError,
  WireInt64,
  WireMap,
  WireNegativeZero,
  WireSet,
} from './wire-values.js';

/** An extension payload whose nested value is decoded after the outer value. */
export class Pending {
  constructor(
    readonly type: number,
    readonly payload: Uint8Array,
  ) {}
}

/** The pending payloads met by the decode in progress; the codec swaps this list per call. */
export const pendingState: { list: Pending[] } = { list: [] };

type Packer = { pack(value: unknown): Uint8Array };

function defer(type: number) {
  return (payload: Uint8Array) => {
    const pending = new Pending(type, payload);
    pendingState.list.push(pending);
    return pending;
  };
}

let registered = false;

/** Registers the extensions once per process. */
export function registerExtensions(): void {
  if (registered) return;
  registered = true;

  // These two write plain msgpack numbers, not extensions, but msgpackr requires a type number
  // for every class extension and also registers it as a decoder. They borrow 0x14, whose real
  // decoder is registered below and replaces theirs.
  addExtension({
    Class: WireInt64,
    type: ExtensionTypes.BIGINT,
    pack(wrapper: WireInt64, allocate: AllocateFn) {
      const { target, targetView, position } = allocate(9);
      target[position] = 0xd3;
      targetView.setBigInt64(position + 1, BigInt(wrapper.value));
    },
  } as never);
  addExtension({
    Class: WireNegativeZero,
    type: ExtensionTypes.BIGINT,
    pack(_wrapper: WireNegativeZero, allocate: AllocateFn) {
      const { target, targetView, position } = allocate(9);
      target[position] = 0xcb;
      targetView.setFloat64(position + 1, -0);
    },
  } as never);

  addExtension({
    Class: Pid,
    type: ExtensionTypes.PID,
    pack(this: Packer, pid: Pid) {
      return this.pack([pid.node, wireId(pid.id)]);
    },
    unpack: (payload: Uint8Array) => {
      const [node, id] = readNodeAndId(payload, 'pid (extension 0x10)');
      return new Pid(node, id);
    },
  });
  addExtension({
    Class: Ref,
    type: ExtensionTypes.REF,
    pack(this: Packer, ref: Ref) {
      return this.pack([ref.node, wireId(ref.id)]);
    },
    unpack: (payload: Uint8Array) => {
      const [node, id] = readNodeAndId(payload, 'ref (extension 0x11)');
      return new Ref(node, id);
    },
  });
  addExtension({
    Class: NDArray,
    type: ExtensionTypes.NDARRAY,
    pack(array: NDArray, allocate: AllocateFn) {
      writeNDArray(array, allocate);
    },
    unpack: readNDArray,
  } as never);
  addExtension({
    Class: WireError,
    type: ExtensionTypes.ERROR,
    pack(this: Packer, wrapper: WireError) {
      return this.pack(wrapper.fields);
    },
    unpack: defer(ExtensionTypes.ERROR),
  });
  addExtension({
    Class: WireBigInt,
    type: ExtensionTypes.BIGINT,
    pack(wrapper: WireBigInt) {
      return Buffer.from(wrapper.value.toString(10), 'latin1');
    },
    unpack: readBigInt,
  });
  addExtension({
    Class: WireMap,
    type: ExtensionTypes.MAP,
    pack(this: Packer, wrapper: WireMap) {
      return this.pack(wrapper.flat);
    },
    unpack: defer(ExtensionTypes.MAP),
  });
  addExtension({
    Class: WireSet,
    type: ExtensionTypes.SET,
    pack(this: Packer, wrapper: WireSet) {
      return this.pack(wrapper.members);
    },
    unpack: defer(ExtensionTypes.SET),
  });
}

/** Returns an id that msgpackr writes as an integer even beyond 32 bits. */
function wireId(id: number): number | WireInt64 {
  return id > 0xffffffff ? new WireInt64(id) : id;
}

type AllocateFn = (size: number) => {
  target: Uint8Array;
  targetView: DataView;
  position: number;
};

function readBigInt(payload: Uint8Array): bigint {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString(
    'latin1',
  );
  if (!/^-?\d+$/.test(text)) {
    throw new StarweaveError(
      'ERR_DECODE',
      `invalid bigint (extension 0x14): expected decimal digits, received ${JSON.stringify(
        text.slice(0, 40),
      )}.`,
    );
  }
  return BigInt(text);
}

/**
 * Reads the payload `[node, id]` of a pid or ref by hand: a fixarray of two, a string and a
 * non-negative integer. It is small and frequent, so it skips the deferred path.
 */
function readNodeAndId(payload: Uint8Array, what: string): [string, number] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const fail = (problem: string): never => {
    throw new StarweaveError('ERR_DECODE', `invalid ${what}: ${problem}.`);
  };
  if (payload.length < 3 || payload[0] !== 0x92) fail('expected an array of node and id');

  let position = 1;
  const head = payload[position++]!;
  let length: number;
  if (head >= 0xa0 && head <= 0xbf) length = head - 0xa0;
  else if (head === 0xd9) length = payload[position++] ?? fail('the node is cut short');
  else if (head === 0xda && position + 2 <= payload.length) {
    length = view.getUint16(position);
    position += 2;
  } else if (head === 0xdb && position + 4 <= payload.length) {
    length = view.getUint32(position);
    position += 4;
  } else return fail('the node is not a string');
  if (position + length > payload.length) fail('the node is cut short');
  const node = Buffer.from(payload.buffer, payload.byteOffset + position, length).toString('utf8');
  position += length;

  const tag = payload[position++];
  const remaining = payload.length - position;
  let id: number;
  if (tag !== undefined && tag <= 0x7f && remaining === 0) id = tag;
  else if (tag === 0xcc && remaining === 1) id = view.getUint8(position);
  else if (tag === 0xcd && remaining === 2) id = view.getUint16(position);
  else if (tag === 0xce && remaining === 4) id = view.getUint32(position);
  else if ((tag === 0xcf || tag === 0xd3) && remaining === 8) {
    const big = tag === 0xcf ? view.getBigUint64(position) : view.getBigInt64(position);
    if (big < 0n || big > BigInt(Number.MAX_SAFE_INTEGER)) fail(`id ${big} is out of range`);
    id = Number(big);
  } else if (tag === 0xd0 && remaining === 1) id = view.getInt8(position);
  else if (tag === 0xd1 && remaining === 2) id = view.getInt16(position);
  else if (tag === 0xd2 && remaining === 4) id = view.getInt32(position);
  else return fail('the id is not an integer, or bytes follow it');
  if (id < 0) fail(`id ${id} is negative`);
  return [node, id];
}
