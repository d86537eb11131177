import { isStarweaveError, Pid } from '@starweave/actors';
import { resolveSubscribeOptions } from '@starweave/stages';
import { describe, expect, it } from 'vitest';

function failure(input: unknown): unknown {
  try {
    resolveSubscribeOptions(input);
  } catch (error) {
    return error;
  }
  throw new Error('resolveSubscribeOptions accepted the input');
}

describe('resolveSubscribeOptions', () => {
  it('fills in maxDemand 1000, minDemand 500 and permanent', () => {
    const options = resolveSubscribeOptions({ to: 'producer' });
    expect(options.maxDemand).toBe(1000);
    expect(options.minDemand).toBe(500);
    expect(options.cancel).toBe('permanent');
  });

  it('takes half of maxDemand, rounded down, as the default minDemand', () => {
    expect(resolveSubscribeOptions({ to: 'producer', maxDemand: 7 }).minDemand).toBe(3);
    expect(resolveSubscribeOptions({ to: 'producer', maxDemand: 1 }).minDemand).toBe(0);
  });

  it('accepts a bare pid or name', () => {
    const pid = new Pid('local', 4);
    expect(resolveSubscribeOptions(pid).to).toBe(pid);
    expect(resolveSubscribeOptions('producer').to).toBe('producer');
  });

  it('keeps unknown options for the producer', () => {
    expect(resolveSubscribeOptions({ to: 'producer', tag: 'x' }).tag).toBe('x');
  });

  it.each([
    ['a missing producer', {}],
    ['a maxDemand of zero', { to: 'p', maxDemand: 0 }],
    ['a fractional maxDemand', { to: 'p', maxDemand: 1.5 }],
    ['a negative minDemand', { to: 'p', minDemand: -1 }],
    ['a minDemand equal to maxDemand', { to: 'p', maxDemand: 4, minDemand: 4 }],
    ['an unknown cancel mode', { to: 'p', cancel: 'sometimes' }],
    ['a selector that is not a function', { to: 'p', selector: true }],
    ['a partition that is an object', { to: 'p', partition: {} }],
  ])('fails with ERR_INVALID_ARGUMENT for %s', (_case, input) => {
    expect(isStarweaveError(failure(input), 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
