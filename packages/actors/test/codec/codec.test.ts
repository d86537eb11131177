import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Codec,
  decode,
  decodeVersioned,
  encode,
  encodeVersioned,
  NDArray,
  WIRE_FORMAT_VERSION,
} from '../../src/codec/index.js';
import { isStarweaveError, StarweaveError } from '../../src/errors.js';
import { Pid, Ref } from '../../src/pid.js';

function roundTrip<T>(value: T): T {
  return decode(encode(value)) as T;
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isStarweaveError(error) ? error.code : `not a StarweaveError: ${String(error)}`;
  }
  return undefined;
}

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('encode and decode', () => {
  it('round-trips plain JSON-like values', () => {
    const value = { type: 'hello', n: 42, f: 1.25, s: 'é✓', list: [1, 'two', null, true] };
    expect(roundTrip(value)).toEqual(value);
  });

  it('round-trips pids and refs as their classes', () => {
    const out = roundTrip({ from: new Pid('local', 42), ref: new Ref('node-b', 2 ** 40) });
    expect(out.from).toBeInstanceOf(Pid);
    expect(out.from.equals(new Pid('local', 42))).toBe(true);
    expect(out.ref).toBeInstanceOf(Ref);
    expect(out.ref.equals(new Ref('node-b', 2 ** 40))).toBe(true);
  });

  it('round-trips dates through the timestamp extension', () => {
    const dates = [new Date(0), new Date(1_700_000_000_123), new Date(-5_000), new Date(2 ** 45)];
    expect(roundTrip(dates).map((date) => date.getTime())).toEqual(dates.map((d) => d.getTime()));
  });

  it('round-trips bigints of any size as bigints', () => {
    const values = [0n, -1n, 2n ** 64n, -(2n ** 200n) + 7n];
    expect(roundTrip(values)).toEqual(values);
  });

  it('keeps integers beyond 32 bits exact', () => {
    const values = [2 ** 32, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    expect(roundTrip(values)).toEqual(values);
  });

  it('keeps negative zero, NaN and infinities', () => {
    const out = roundTrip([-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(Object.is(out[0], -0)).toBe(true);
    expect(out[1]).toBeNaN();
    expect(out.slice(2)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it('round-trips Maps with non-string keys in insertion order', () => {
    const key = { id: 1 };
    const map = new Map<unknown, unknown>([
      [3, 'three'],
      ['a', 1],
      [key, [1, 2]],
      [new Pid('local', 1), new Map([[1n, 'nested']])],
    ]);
    const out = roundTrip(map);
    expect(out).toBeInstanceOf(Map);
    expect([...out.keys()]).toEqual([3, 'a', key, new Pid('local', 1)]);
    expect(out.get(3)).toBe('three');
    expect([...out.values()][3]).toEqual(new Map([[1n, 'nested']]));
  });

  it('round-trips Sets in insertion order', () => {
    const out = roundTrip(new Set([3, 'x', 1, new Set([2])]));
    expect(out).toBeInstanceOf(Set);
    expect([...out]).toEqual([3, 'x', 1, new Set([2])]);
  });

  it('round-trips every typed array as its own class', () => {
    const arrays = [
      new Float32Array([1.5, -2]),
      new Float64Array([Math.PI, -0]),
      new Int8Array([-128, 127]),
      new Int16Array([-32768, 32767]),
      new Uint16Array([0, 65535]),
      new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
      new Uint32Array([0, 2 ** 32 - 1]),
      new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
      new BigUint64Array([0n, 2n ** 64n - 1n]),
    ];
    for (const array of arrays) {
      const out = roundTrip(array);
      expect(out.constructor).toBe(array.constructor);
      expect(out).toEqual(array);
    }
  });

  it('reads typed arrays that start at an unaligned offset', () => {
    const buffer = new ArrayBuffer(8 * 5);
    const view = new Float64Array(buffer, 8, 3);
    view.set([1, 2, 3]);
    const bytes = encode({ pad: 'x', view });
    const out = decode(bytes) as { view: Float64Array };
    expect([...out.view]).toEqual([1, 2, 3]);
    expect(out.view.byteOffset).toBe(0);
  });

  it('carries Uint8Array as msgpack bin and returns a copy', () => {
    const bytes = encode(new Uint8Array([1, 2, 3]));
    expect(bytes[0]).toBe(0xc4);
    const out = decode(bytes) as Uint8Array;
    expect([...out]).toEqual([1, 2, 3]);
    bytes.fill(0);
    expect([...out]).toEqual([1, 2, 3]);
  });

  it('round-trips NDArrays with their shape', () => {
    const matrix = new NDArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const out = roundTrip(matrix);
    expect(out).toBeInstanceOf(NDArray);
    expect(out.dtype).toBe('float64');
    expect(out.shape).toEqual([2, 3]);
    expect(out.get(1, 2)).toBe(6);
    const scalar = roundTrip(new NDArray(new Int32Array([7]), []));
    expect(scalar.shape).toEqual([]);
    expect(scalar.get()).toBe(7);
  });

  it('decodes a one-dimensional NDArray as its typed array', () => {
    const out = roundTrip(new NDArray(new Uint16Array([1, 2])));
    expect(out).toBeInstanceOf(Uint16Array);
  });

  it('round-trips a 10 MB typed array', () => {
    const array = new Float64Array((10 * 1024 * 1024) / 8);
    for (let index = 0; index < array.length; index++) array[index] = index * 0.5;
    const out = roundTrip({ array }).array;
    expect(out.length).toBe(array.length);
    expect(out[array.length - 1]).toBe((array.length - 1) * 0.5);
    expect(Buffer.compare(Buffer.from(out.buffer), Buffer.from(array.buffer))).toBe(0);
  });

  it('round-trips a StarweaveError as its class with code and details', () => {
    const error = new StarweaveError('ERR_NOPROC', 'no process "cache"', {
      details: { name: 'cache' },
      cause: new RangeError('inner'),
    });
    const out = roundTrip(error);
    expect(out).toBeInstanceOf(StarweaveError);
    expect(out.code).toBe('ERR_NOPROC');
    expect(out.message).toBe('no process "cache"');
    expect(out.details).toEqual({ name: 'cache' });
    expect(out.stack).toBe(error.stack);
    expect(out.cause).toBeInstanceOf(RangeError);
  });

  it('round-trips built-in errors by name and keeps extra properties', () => {
    const error = Object.assign(new TypeError('bad input'), { code: 'ENOENT', errno: -2 });
    const out = roundTrip(error) as TypeError & { code: string; errno: number };
    expect(out).toBeInstanceOf(TypeError);
    expect(out.code).toBe('ENOENT');
    expect(out.errno).toBe(-2);
  });

  it('keeps the name of an error class it does not know', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    const out = roundTrip(new QuotaError('over quota'));
    expect(out).toBeInstanceOf(Error);
    expect(out.name).toBe('QuotaError');
    expect(out.message).toBe('over quota');
  });

  it('writes undefined as nil and leaves out undefined properties', () => {
    expect(roundTrip({ a: undefined, b: 1 })).toEqual({ b: 1 });
    expect('a' in (roundTrip({ a: undefined }) as object)).toBe(false);
    expect(roundTrip([undefined])).toEqual([null]);
    expect(roundTrip(undefined)).toBeNull();
  });

  it('round-trips nested combinations', () => {
    const value = {
      type: 'batch',
      items: [
        { pid: new Pid('a', 1), when: new Date(5), tags: new Set(['x']) },
        new Map<unknown, unknown>([[1, { rows: new NDArray(new Int32Array(6), [3, 2]) }]]),
      ],
    };
    const out = roundTrip(value);
    expect(out.items[0]).toEqual(value.items[0]);
    const rows = (out.items[1] as Map<number, { rows: NDArray }>).get(1)!.rows;
    expect(rows.shape).toEqual([3, 2]);
  });

  it('encodes a class instance with toJSON through toJSON', () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return { cents: this.cents, currency: 'EUR' };
      }
    }
    expect(roundTrip(new Money(5))).toEqual({ cents: 5, currency: 'EUR' });
  });

  it('round-trips arbitrary JSON values (fast-check, seed 42)', () => {
    const seed = 42;
    console.info(`fast-check seed ${seed}`);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON has no negative zero distinction worth testing here; the codec keeps it anyway.
        expect(roundTrip(value)).toEqual(value);
      }),
      { seed, numRuns: 300 },
    );
  });
});

describe('encode failures', () => {
  it('fails with ERR_ENCODE naming the path of a function', () => {
    const action = () => encode({ items: [1, { handler() {} }] });
    expect(codeOf(action)).toBe('ERR_ENCODE');
    expect(messageOf(action)).toContain('value.items[1].handler');
  });

  it('fails with ERR_ENCODE on a symbol', () => {
    expect(codeOf(() => encode({ s: Symbol('x') }))).toBe('ERR_ENCODE');
    expect(messageOf(() => encode({ s: Symbol('x') }))).toContain('value.s');
  });

  it('fails with ERR_ENCODE inside Map values and error details', () => {
    const map = new Map([['k', () => 1]]);
    expect(messageOf(() => encode({ map }))).toContain('value.map<map value 0>');
    const error = new StarweaveError('ERR_STORE', 'x', { details: { hook: () => 1 } });
    expect(messageOf(() => encode(error))).toContain('value.details.hook');
  });

  it('fails with ERR_ENCODE on a cycle', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = value;
    expect(codeOf(() => encode(value))).toBe('ERR_ENCODE');
    expect(messageOf(() => encode(value))).toContain('cyclic');
  });

  it('encodes a value shared twice without calling it a cycle', () => {
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('fails with ERR_ENCODE on a Promise, a WeakMap and an invalid Date', () => {
    expect(codeOf(() => encode(Promise.resolve(1)))).toBe('ERR_ENCODE');
    expect(codeOf(() => encode(new WeakMap()))).toBe('ERR_ENCODE');
    expect(codeOf(() => encode(new Date(Number.NaN)))).toBe('ERR_ENCODE');
  });

  it('fails with ERR_ENCODE past maxDepth', () => {
    let value: unknown = 1;
    for (let depth = 0; depth < 20; depth++) value = [value];
    expect(codeOf(() => new Codec({ maxDepth: 10 }).encode(value))).toBe('ERR_ENCODE');
    expect(codeOf(() => new Codec({ maxDepth: 30 }).encode(value))).toBeUndefined();
  });

  it('fails with ERR_FRAME_TOO_LARGE over maxBytes', () => {
    const codec = new Codec({ maxBytes: 100 });
    expect(codeOf(() => codec.encode('x'.repeat(200)))).toBe('ERR_FRAME_TOO_LARGE');
    expect(codeOf(() => codec.decode(encode('x'.repeat(200))))).toBe('ERR_FRAME_TOO_LARGE');
  });

  it('rejects invalid options with ERR_INVALID_ARGUMENT', () => {
    expect(codeOf(() => new Codec({ maxBytes: 0 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => new Codec({ maxDepth: 1.5 }))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('decode failures', () => {
  const cases: Array<[string, number[]]> = [
    ['an empty buffer', []],
    ['a truncated array', [0x92, 0x01]],
    ['trailing bytes', [0x01, 0x02]],
    ['an unknown extension type', [0xd4, 0x20, 0x00]],
    ['a bigint with letters', [0xc7, 0x02, 0x14, 0x31, 0x78]],
    ['a pid that is not an array', [0xd4, 0x10, 0x01]],
    ['a Map with an odd count', [0xc7, 0x02, 0x15, 0x91, 0x01]],
    ['an error without a message', [0xc7, 0x01, 0x13, 0x80]],
    ['an ndarray with an unknown dtype', [0xc7, 0x08, 0x12, 0x03, 0x66, 0x31, 0x36, 0x01, 0, 0, 0]],
  ];
  for (const [name, bytes] of cases) {
    it(`fails with ERR_DECODE on ${name}`, () => {
      expect(codeOf(() => decode(new Uint8Array(bytes)))).toBe('ERR_DECODE');
    });
  }

  it('fails with ERR_DECODE when ndarray bytes do not match the shape', () => {
    const bytes = Buffer.from(encode(new NDArray(new Int32Array(4), [2, 2])));
    expect(codeOf(() => decode(bytes.subarray(0, bytes.length - 1)))).toBe('ERR_DECODE');
    const cut = Buffer.from(bytes);
    cut[1] = (cut[1] ?? 0) - 4;
    expect(codeOf(() => decode(cut.subarray(0, cut.length - 4)))).toBe('ERR_DECODE');
  });

  it('fails with ERR_DECODE on random garbage (fast-check, seed 42)', () => {
    const seed = 42;
    console.info(`fast-check seed ${seed}`);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          expect(isStarweaveError(error, 'ERR_DECODE')).toBe(true);
        }
      }),
      { seed, numRuns: 2000 },
    );
  });
});

describe('encodeVersioned and decodeVersioned', () => {
  it('writes the marker and the version before the value', () => {
    const bytes = encodeVersioned({ a: 1 });
    expect(bytes[0]).toBe(0xc1);
    expect(bytes[1]).toBe(WIRE_FORMAT_VERSION);
    expect(decodeVersioned(bytes)).toEqual({ a: 1 });
  });

  it('fails with ERR_DECODE on an unknown version', () => {
    const bytes = encodeVersioned('x');
    bytes[1] = WIRE_FORMAT_VERSION + 1;
    expect(codeOf(() => decodeVersioned(bytes))).toBe('ERR_DECODE');
    expect(messageOf(() => decodeVersioned(bytes))).toContain(`version ${WIRE_FORMAT_VERSION + 1}`);
  });

  it('fails with ERR_DECODE on bytes without the marker', () => {
    expect(codeOf(() => decodeVersioned(encode({ a: 1 })))).toBe('ERR_DECODE');
  });
});
