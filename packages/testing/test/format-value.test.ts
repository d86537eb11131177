/**
 * formatValue: one-line text for messages, reasons and patterns in assertion errors and traces.
 */

import { Pid, Ref } from '@starweave/actors';
import { formatValue } from '@starweave/testing';
import { P } from 'ts-pattern';
import { describe, expect, it } from 'vitest';

class Envelope {
  constructor(readonly request: unknown) {}
}

describe('formatValue', () => {
  it('prints pids and refs in Erlang notation', () => {
    expect(formatValue({ from: new Pid('local', 4), ref: new Ref('local', 9) })).toBe(
      '{ from: <0.4.0>, ref: #Ref<0.9> }',
    );
  });

  it('quotes strings and escapes quotes and newlines', () => {
    expect(formatValue("it's\nhere")).toBe("'it\\'s\\nhere'");
  });

  it('prints errors as name and message', () => {
    expect(formatValue({ reason: new TypeError('bad') })).toBe('{ reason: TypeError: bad }');
  });

  it('names the class of an instance', () => {
    expect(formatValue(new Envelope({ type: 'get' }))).toBe(
      "Envelope { request: { type: 'get' } }",
    );
  });

  it('prints arrays, maps, sets and typed arrays', () => {
    expect(formatValue([1, 'a', null, undefined])).toBe("[1, 'a', null, undefined]");
    expect(formatValue(new Map([['k', 1]]))).toBe("Map(1) { 'k' => 1 }");
    expect(formatValue(new Set([2]))).toBe('Set(1) { 2 }');
    expect(formatValue(new Uint8Array(3))).toBe('Uint8Array(3 bytes)');
  });

  it('quotes keys that are not identifiers', () => {
    expect(formatValue({ 'a-b': 1 })).toBe("{ 'a-b': 1 }");
  });

  it('marks cycles and cuts deep nesting', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    expect(formatValue(cyclic)).toBe("{ name: 'loop', self: [Circular] }");
    expect(formatValue({ a: { b: { c: 1 } } }, { depth: 1 })).toBe('{ a: { b: {...} } }');
  });

  it('cuts long text at maxLength', () => {
    const text = formatValue({ data: 'x'.repeat(500) }, { maxLength: 40 });

    expect(text).toHaveLength(40);
    expect(text.endsWith('...')).toBe(true);
  });

  it('marks ts-pattern matchers', () => {
    expect(formatValue({ type: 'ping', n: P.number })).toBe(
      "{ type: 'ping', n: [ts-pattern matcher] }",
    );
  });
});
