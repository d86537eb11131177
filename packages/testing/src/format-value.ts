/**
 * Formats messages, reasons and patterns for assertion errors and traces: short, one line,
 * with pids and refs printed as `<0.4.0>` and `#Ref<0.7>`.
 */
import { isPid, isRef } from '@starweave/actors';

/** Options of {@link formatValue}. */
export interface FormatValueOptions {
  /** Nesting depth past which objects print as `{...}`. Default 4. */
  depth?: number;
  /** Characters past which the text is cut and ends with `...`. Default 200. */
  maxLength?: number;
}

const MATCHER = Symbol.for('@ts-pattern/matcher');

/**
 * Formats `value` on one line for people: strings quoted, pids and refs in Erlang's notation,
 * errors as `Name: message`, class instances with their class name, cycles as `[Circular]`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Pid } from '@starweave/actors';
 * import { formatValue } from '@starweave/testing';
 *
 * assert.equal(formatValue({ type: 'ping', from: new Pid('local', 4) }), "{ type: 'ping', from: <0.4.0> }");
 * ```
 */
export function formatValue(value: unknown, options: FormatValueOptions = {}): string {
  const depth = options.depth ?? 4;
  const maxLength = options.maxLength ?? 200;
  const text = render(value, depth, new Set());
  return text.length > maxLength ? `${text.slice(0, Math.max(0, maxLength - 3))}...` : text;
}

function render(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
    case 'bigint':
      return `${value}n`;
    case 'function':
      return `[function ${value.name || '(anonymous)'}]`;
    case 'symbol':
      return value.toString();
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value === null) return 'null';
  if (isPid(value) || isRef(value)) return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Date) return value.toISOString();
  if (MATCHER in value) return '[ts-pattern matcher]';
  if (seen.has(value)) return '[Circular]';
  if (depth < 0) return Array.isArray(value) ? '[...]' : '{...}';

  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => render(item, depth - 1, seen)).join(', ')}]`;
    }
    if (value instanceof Map) {
      const entries = [...value].map(
        ([key, item]) => `${render(key, depth - 1, seen)} => ${render(item, depth - 1, seen)}`,
      );
      return `Map(${value.size}) { ${entries.join(', ')} }`;
    }
    if (value instanceof Set) {
      const items = [...value].map((item) => render(item, depth - 1, seen));
      return `Set(${value.size}) { ${items.join(', ')} }`;
    }
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`;
    const prototype = Object.getPrototypeOf(value);
    const className =
      prototype === null || prototype === Object.prototype
        ? ''
        : `${prototype.constructor?.name ?? 'Object'} `;
    const fields = Object.entries(value).map(
      ([key, item]) => `${formatKey(key)}: ${render(item, depth - 1, seen)}`,
    );
    return fields.length === 0 ? `${className}{}` : `${className}{ ${fields.join(', ')} }`;
  } finally {
    seen.delete(value);
  }
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `'${key}'`;
}
