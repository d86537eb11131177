/**
 * The upcaster registry: steps registered in order per event type, run from a stored version
 * to the newest.
 */
import { Upcasters } from '@starweave/persistence';
import { describe, expect, it } from 'vitest';

describe('Upcasters.register', () => {
  it('counts versions from 1 per event type', () => {
    const upcasters = new Upcasters()
      .register('deposited', 1, (payload) => payload)
      .register('deposited', 2, (payload) => payload);

    expect(upcasters.currentVersion('deposited')).toBe(3);
    expect(upcasters.currentVersion('withdrawn')).toBe(1);
  });

  it('rejects a step out of order', () => {
    const upcasters = new Upcasters().register('deposited', 1, (payload) => payload);
    const register = () => upcasters.register('deposited', 3, (payload) => payload);

    expect(register).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(register).toThrow(/fromVersion: expected 2.*received 3/);
  });

  it.each([
    ['type', () => new Upcasters().register('', 1, (p) => p), /type/],
    ['upcast', () => new Upcasters().register('x', 1, 'not a function' as never), /upcast/],
  ])('rejects a bad %s with ERR_INVALID_ARGUMENT', (_, register, message) => {
    expect(register).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(register).toThrow(message);
  });
});

describe('Upcasters.upcast', () => {
  const upcasters = new Upcasters()
    .register('deposited', 1, (payload) => ({ ...(payload as object), v2: true }))
    .register('deposited', 2, (payload) => ({ ...(payload as object), v3: true }));

  it('runs every step from the stored version', () => {
    expect(upcasters.upcast('deposited', 1, { amount: 1 })).toEqual({
      amount: 1,
      v2: true,
      v3: true,
    });
    expect(upcasters.upcast('deposited', 2, { amount: 1 })).toEqual({ amount: 1, v3: true });
  });

  it('returns a payload at the newest version unchanged', () => {
    const payload = { amount: 1 };
    expect(upcasters.upcast('deposited', 3, payload)).toBe(payload);
    expect(upcasters.upcast('unknown', 1, payload)).toBe(payload);
  });

  it.each([
    [4, /version 4, newer than the newest known version 3/],
    [0, /invalid version 0/],
  ])('fails with ERR_DECODE on version %i', (version, message) => {
    const upcast = () => upcasters.upcast('deposited', version, {});
    expect(upcast).toThrow(expect.objectContaining({ code: 'ERR_DECODE' }));
    expect(upcast).toThrow(message);
  });
});
