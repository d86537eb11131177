/**
 * Tests of handler clauses: first match wins, narrowing, and each noMatch behaviour.
 */

import { clauses, clausesFor, P } from '@starweave/patterns';
import { describe, expect, it } from 'vitest';

type Msg = { type: 'add'; amount: number } | { type: 'reset'; at: number } | { type: 'stop' };

describe('clauses', () => {
  it('runs the handler of the first matching clause', () => {
    const handle = clauses([
      [{ type: 'add', amount: P.number.gt(10) }, (message) => `big ${message.amount}`],
      [{ type: 'add', amount: P.number }, (message) => `add ${message.amount}`],
    ]);
    expect(handle({ type: 'add', amount: 20 })).toBe('big 20');
    expect(handle({ type: 'add', amount: 2 })).toBe('add 2');
  });

  it('fails with ERR_BAD_CALL when nothing matches and noMatch is throw', () => {
    const handle = clauses([[{ type: 'add' }, () => 1]], { name: 'counter' });
    expect(() => handle({ type: 'other' })).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_CALL' }),
    );
  });

  it('returns undefined when nothing matches and noMatch is ignore', () => {
    const handle = clauses([[{ type: 'add' }, () => 1]], { noMatch: 'ignore' });
    expect(handle({ type: 'other' })).toBeUndefined();
  });

  it('calls the noMatch function with the value', () => {
    const handle = clauses([[{ type: 'add' }, () => 'added']], {
      noMatch: (value) => `dropped ${JSON.stringify(value)}`,
    });
    expect(handle({ type: 'x' })).toBe('dropped {"type":"x"}');
  });

  it('compiles each pattern once and reports which clause matches', () => {
    const handle = clausesFor<Msg, number>()([
      [{ type: 'add' }, (message) => message.amount],
      [{ type: 'reset' }, (message) => message.at],
    ]);
    expect(handle({ type: 'reset', at: 7 })).toBe(7);
    expect(handle.indexOf({ type: 'reset', at: 7 })).toBe(1);
    expect(handle.matches({ type: 'stop' })).toBe(false);
  });

  it('rejects a clause that is not a pattern and handler pair', () => {
    expect(() => clauses([[{ type: 'add' }] as never])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('narrows each handler to its pattern (checked by the compiler)', () => {
    const handle = clausesFor<Msg, number>()([
      // @ts-expect-error: a reset message has no amount
      [{ type: 'reset' }, (message) => message.amount],
      [{ type: 'add' }, (message) => message.amount],
    ]);
    expect(handle({ type: 'add', amount: 3 })).toBe(3);
  });
});
