import { describe, expect, it } from 'vitest';
import { ActorSystem } from '@starweave/actors';

describe('ActorSystem options', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a clock without methods', { clock: 42 }],
    ['a logger without log', { logger: 42 }],
    ['a non-integer seed', { seed: 1.5 }],
    ['a zero slice budget', { sliceBudget: 0 }],
    ['a negative process budget', { processBudget: -1 }],
    ['an empty node name', { node: '' }],
  ];
  for (const [label, options] of cases) {
    it(`rejects ${label}`, () => {
      expect(() => new ActorSystem(options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    });
  }

  it('names the bad value in the message', () => {
    expect(() => new ActorSystem({ clock: 42 } as never)).toThrow(/options\.clock.*42/);
  });
});
