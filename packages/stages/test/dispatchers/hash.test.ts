import { hashValue } from '@starweave/stages';
import { describe, expect, it } from 'vitest';

describe('hashValue', () => {
  it('hashes equal values alike', () => {
    expect(hashValue(42)).toBe(hashValue(42));
    expect(hashValue('user-7')).toBe(hashValue('user-7'));
    expect(hashValue({ id: 1, name: 'a' })).toBe(hashValue({ id: 1, name: 'a' }));
  });

  it('returns a non-negative 32-bit integer', () => {
    for (const value of [0, -1, 2 ** 40, 'x', '', null, undefined, [1, 2], 10n, 1.5]) {
      const hash = hashValue(value);
      expect(Number.isInteger(hash)).toBe(true);
      expect(hash).toBeGreaterThanOrEqual(0);
      expect(hash).toBeLessThan(2 ** 32);
    }
  });

  it('spreads consecutive integers over four partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[hashValue(i) % 4]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
