/**
 * Child spec and option checks: bad values fail with ERR_INVALID_ARGUMENT naming the field, and
 * the significant-child rules of OTP 24's automatic shutdown are enforced.
 */

import { Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { resolveChildSpec, resolveChildSpecs } from '../src/child-spec.js';
import { resolveSupervisorOptions } from '../src/supervisor-options.js';
import { useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();
const start = () => Promise.reject(new Error('not started in these tests'));

function errorOf(action: () => unknown): { code?: string; message?: string } {
  try {
    action();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  throw new Error('expected the action to throw');
}

describe('resolveChildSpec', () => {
  it('fills in OTP defaults', () => {
    expect(resolveChildSpec({ id: 'w', start }, 'spec')).toMatchObject({
      restart: 'permanent',
      shutdown: 5000,
      type: 'worker',
      significant: false,
    });
    expect(resolveChildSpec({ id: 's', start, type: 'supervisor' }, 'spec').shutdown).toBe(
      'infinity',
    );
  });

  it.each([
    [{ start }, 'spec.id'],
    [{ id: '', start }, 'spec.id'],
    [{ id: 'x' }, 'spec.start'],
    [{ id: 'x', start, restart: 'always' }, 'spec.restart'],
    [{ id: 'x', start, type: 'daemon' }, 'spec.type'],
    [{ id: 'x', start, shutdown: -1 }, 'spec.shutdown'],
    [{ id: 'x', start, shutdown: 'brutal_kill' }, 'spec.shutdown'],
    [{ id: 'x', start, significant: 'yes' }, 'spec.significant'],
  ])('rejects %j naming %s', (spec, field) => {
    const error = errorOf(() => resolveChildSpec(spec, 'spec'));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain(field);
  });
});

describe('resolveChildSpecs', () => {
  it('rejects a duplicate id', () => {
    const error = errorOf(() =>
      resolveChildSpecs(
        [
          { id: 'a', start },
          { id: 'a', start },
        ],
        'never',
      ),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('children[1].id');
  });

  it('rejects a significant permanent child', () => {
    const error = errorOf(() =>
      resolveChildSpecs([{ id: 'a', start, significant: true }], 'anySignificant'),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('permanent');
  });

  it("rejects a significant child under autoShutdown: 'never'", () => {
    const error = errorOf(() =>
      resolveChildSpecs([{ id: 'a', start, restart: 'transient', significant: true }], 'never'),
    );
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('autoShutdown');
  });
});

describe('resolveSupervisorOptions', () => {
  it('defaults to oneForOne, 3 restarts in 5 seconds, no automatic shutdown, no back-off', () => {
    expect(resolveSupervisorOptions(undefined)).toMatchObject({
      strategy: 'oneForOne',
      maxRestarts: 3,
      maxSeconds: 5,
      autoShutdown: 'never',
      backoff: null,
    });
  });

  it.each([
    [{ strategy: 'simpleOneForOne' }, 'options.strategy'],
    [{ maxRestarts: -1 }, 'options.maxRestarts'],
    [{ maxRestarts: 1.5 }, 'options.maxRestarts'],
    [{ maxSeconds: 0 }, 'options.maxSeconds'],
    [{ autoShutdown: 'always' }, 'options.autoShutdown'],
    [{ backoff: { initialMs: 500, maxMs: 100 } }, 'options.backoff.maxMs'],
    [{ backoff: { jitter: 2 } }, 'options.backoff.jitter'],
  ])('rejects %j naming %s', (options, field) => {
    const error = errorOf(() => resolveSupervisorOptions(options));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain(field);
  });
});

describe('Supervisor.startLink arguments', () => {
  it('rejects bad children before starting anything', async () => {
    const system = makeSystem();
    await expect(Supervisor.startLink(system, 'nope' as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(system.processCount()).toBe(1);
  });

  it('rejects a significant child added by startChild under autoShutdown never', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(system, []);
    const spec = workerSpec('s', [], { restart: 'transient', significant: true });
    await expect(Supervisor.startChild(system, sup, spec)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});
