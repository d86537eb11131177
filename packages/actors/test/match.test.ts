/**
 * Selectors for receive: predicates pass through, ts-pattern patterns compile to predicates.
 */
import { describe, expect, it } from 'vitest';
import { P } from 'ts-pattern';
import { Pid, toPredicate } from '@starweave/actors';

describe('toPredicate', () => {
  it('returns null for no selector, meaning any message', () => {
    expect(toPredicate(undefined)).toBeNull();
  });

  it('returns a predicate function unchanged', () => {
    const predicate = (message: unknown): boolean => message === 1;

    expect(toPredicate(predicate)).toBe(predicate);
  });

  it('compiles an object pattern that matches on shape and literal values', () => {
    const predicate = toPredicate({ type: 'ping', n: P.number })!;

    expect(predicate({ type: 'ping', n: 1 })).toBe(true);
    expect(predicate({ type: 'ping', n: 1, extra: true })).toBe(true);
    expect(predicate({ type: 'pong', n: 1 })).toBe(false);
    expect(predicate({ type: 'ping', n: '1' })).toBe(false);
    expect(predicate(null)).toBe(false);
    expect(predicate('ping')).toBe(false);
  });

  it('compiles patterns with P.instanceOf, P.union and P.when', () => {
    const fromPid = toPredicate({ from: P.instanceOf(Pid) })!;
    const either = toPredicate({ type: P.union('a', 'b') })!;
    const large = toPredicate({ n: P.when((n: unknown) => typeof n === 'number' && n > 10) })!;

    expect(fromPid({ from: new Pid('local', 3) })).toBe(true);
    expect(fromPid({ from: '<0.3.0>' })).toBe(false);
    expect(either({ type: 'b' })).toBe(true);
    expect(either({ type: 'c' })).toBe(false);
    expect(large({ n: 11 })).toBe(true);
    expect(large({ n: 10 })).toBe(false);
  });

  it('compiles a literal pattern', () => {
    const predicate = toPredicate('go')!;

    expect(predicate('go')).toBe(true);
    expect(predicate('stop')).toBe(false);
  });
});
