/**
 * The pass before msgpackr: it checks that a value can be encoded, naming the path of the first
 * part that cannot, and swaps Maps, Sets, bigints, errors and typed arrays for wire values.
 * Objects and arrays are copied only when something inside them was swapped.
 */
import { StarweaveError } from '../errors.js';
import { Pid, Ref } from '../pid.js';
import { NDArray, type NumericArray } from './ndarray.js';
import {
  type ErrorFields,
  WireBigInt,
  WireError,
  WireInt64,
  WireMap,
  WireNegativeZero,
  WireSet,
} from './wire-values.js';

const ERROR_FIELDS = new Set(['name', 'message', 'stack', 'code', 'details', 'cause']);

/** Walks one value; create one per encode call. */
export class Preparer {
  private readonly path: Array<string | number> = [];
  private readonly ancestors = new Set<object>();

  constructor(private readonly maxDepth: number) {}

  /** Returns `value` ready for msgpackr, or fails with ERR_ENCODE naming the bad path. */
  prepare(value: unknown): unknown {
    switch (typeof value) {
      case 'number':
        return prepareNumber(value);
      case 'string':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return new WireBigInt(value);
      case 'symbol':
        return this.fail(`a symbol (${String(value)})`, 'Use a string instead.');
      case 'function':
        return this.fail(
          `a function (${value.name || 'anonymous'})`,
          'Send data, not code: functions cannot cross a process boundary.',
        );
      default:
        return value === null ? null : this.prepareObject(value as object);
    }
  }

  private prepareObject(value: object): unknown {
    if (value instanceof Pid || value instanceof Ref) {
      if (typeof value.node !== 'string' || !Number.isSafeInteger(value.id) || value.id < 0) {
        return this.fail(
          `a ${value.constructor.name} with node ${value.node} and id ${value.id}`,
          'A pid or ref needs a string node and a non-negative integer id.',
        );
      }
      return value;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) {
        return this.fail('an invalid Date', 'Check the date before sending it.');
      }
      return value;
    }
    if (ArrayBuffer.isView(value)) return this.prepareView(value);
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (value instanceof NDArray) return value;

    if (this.ancestors.has(value)) {
      return this.fail('a cyclic reference', 'The codec encodes trees; break the cycle first.');
    }
    if (this.ancestors.size >= this.maxDepth) {
      return this.fail(`nesting deeper than maxDepth ${this.maxDepth}`, 'Flatten the value.');
    }
    this.ancestors.add(value);
    try {
      return this.prepareContainer(value);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private prepareContainer(value: object): unknown {
    if (Array.isArray(value)) return this.prepareArray(value);
    if (value instanceof Map) return this.prepareMap(value);
    if (value instanceof Set) return new WireSet(this.prepareEach([...value], 'set member'));
    if (value instanceof Error) return new WireError(this.errorFields(value));

    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      if (
        value instanceof Promise ||
        value instanceof WeakMap ||
        value instanceof WeakSet ||
        value instanceof WeakRef ||
        value instanceof RegExp
      ) {
        return this.fail(`a ${prototype.constructor.name}`, 'Send plain data instead.');
      }
      // As JSON.stringify does, a class with toJSON chooses its own form.
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.prepare(toJSON.call(value));
    }
    return this.prepareRecord(value as Record<string, unknown>);
  }

  private prepareView(view: ArrayBufferView): unknown {
    if (view instanceof DataView) {
      return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    }
    // Bytes travel as msgpack bin; every other typed array as a one-dimensional NDArray.
    if (view instanceof Uint8Array) return view;
    return new NDArray(view as NumericArray);
  }

  private prepareArray(array: unknown[]): unknown[] {
    let copy: unknown[] | undefined;
    for (let index = 0; index < array.length; index++) {
      const item = array[index];
      this.path.push(index);
      const prepared = this.prepare(item);
      this.path.pop();
      if (prepared !== item && copy === undefined) copy = array.slice(0, index);
      if (copy !== undefined) copy.push(prepared);
    }
    return copy ?? array;
  }

  private prepareRecord(record: Record<string, unknown>): Record<string, unknown> {
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(record);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const item = record[key];
      this.path.push(key);
      const prepared = this.prepare(item);
      this.path.pop();
      if (prepared !== item && copy === undefined) {
        copy = {};
        for (let before = 0; before < index; before++) {
          copy[keys[before]!] = record[keys[before]!];
        }
      }
      if (copy !== undefined) copy[key] = prepared;
    }
    return copy ?? record;
  }

  private prepareMap(map: Map<unknown, unknown>): WireMap {
    const flat: unknown[] = [];
    let index = 0;
    for (const [key, item] of map) {
      this.path.push(`<map key ${index}>`);
      flat.push(this.prepare(key));
      this.path.pop();
      this.path.push(`<map value ${index}>`);
      flat.push(this.prepare(item));
      this.path.pop();
      index++;
    }
    return new WireMap(flat);
  }

  private prepareEach(items: unknown[], label: string): unknown[] {
    return items.map((item, index) => {
      this.path.push(`<${label} ${index}>`);
      const prepared = this.prepare(item);
      this.path.pop();
      return prepared;
    });
  }

  private errorFields(error: Error): ErrorFields {
    const fields: ErrorFields = { name: String(error.name), message: String(error.message) };
    if (typeof error.stack === 'string') fields.stack = error.stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') fields.code = code;

    // A StarweaveError keeps its details in `details`. Other errors keep extra facts (errno,
    // syscall, path) in own properties, so those travel as details and come back as properties.
    let details: unknown;
    if (error instanceof StarweaveError) {
      details = error.details;
    } else {
      const extra: Record<string, unknown> = {};
      let hasExtra = false;
      for (const key of Object.keys(error)) {
        if (ERROR_FIELDS.has(key)) continue;
        extra[key] = (error as unknown as Record<string, unknown>)[key];
        hasExtra = true;
      }
      if (hasExtra) details = extra;
    }
    if (details !== undefined) {
      this.path.push('details');
      fields.details = this.prepare(details);
      this.path.pop();
    }
    if (error.cause !== undefined) {
      this.path.push('cause');
      fields.cause = this.prepare(error.cause);
      this.path.pop();
    }
    return fields;
  }

  private fail(what: string, fix: string): never {
    const path = formatPath(this.path);
    throw new StarweaveError(
      'ERR_ENCODE',
      `cannot encode ${path}: it is ${what}, which the wire format does not carry. ${fix}`,
      { details: { path } },
    );
  }
}

/**
 * Wraps the two numbers msgpackr would change: safe integers beyond 32 bits, which it writes as
 * float64 (so Python would read a float), and negative zero, which it writes as the integer 0.
 */
function prepareNumber(value: number): unknown {
  if (value === 0) return Object.is(value, -0) ? new WireNegativeZero() : value;
  if ((value > 0xffffffff || value < -0x80000000) && Number.isSafeInteger(value)) {
    return new WireInt64(value);
  }
  return value;
}

/** Formats a path such as `value.items[3].owner` for error messages. */
function formatPath(path: ReadonlyArray<string | number>): string {
  let text = 'value';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (segment.startsWith('<')) text += segment;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
