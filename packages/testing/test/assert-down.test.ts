/**
 * assertDown and reasonMatches: waiting for an exit through a monitor and checking its reason.
 */
import { AssertionError } from 'node:assert';
import { isStarweaveError, type Pid } from '@starweave/actors';
import { assertDown, assertReceive, reasonMatches } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

class DiskError extends Error {}

function idle(t: ReturnType<typeof newTestSystem>): Pid {
  return t.system.spawn({ handleMessage() {} });
}

describe('assertDown', () => {
  it('returns the reason of a process that ends within the timeout', async () => {
    const t = newTestSystem();
    const pid = t.system.spawn({
      handleMessage() {
        throw new Error('boom');
      },
    });
    t.system.sendAfter(pid, 'go', 30);

    const reason = await assertDown(t.system, pid);

    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toBe('boom');
    expect(t.now()).toBe(30);
  });

  it('checks the reason against an expected reason', async () => {
    const t = newTestSystem();
    const pid = idle(t);
    const down = assertDown(t.system, pid, { shutdown: 'maintenance' });

    t.system.exit(pid, { shutdown: 'maintenance' });

    expect(await down).toEqual({ shutdown: 'maintenance' });
  });

  it('fails when the reason differs', async () => {
    const t = newTestSystem();
    const pid = idle(t);
    const down = assertDown(t.system, pid, 'shutdown');

    t.system.exit(pid, 'kill');
    const error = await rejectionOf(down);

    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toBe(
      `assertDown: ${pid} ended with reason killed, expected shutdown.`,
    );
  });

  it('fails with a hint when the process was already dead', async () => {
    const t = newTestSystem();
    const pid = idle(t);
    t.system.exit(pid, 'kill');

    const error = await rejectionOf(assertDown(t.system, pid, 'killed'));

    expect((error as Error).message).toContain('ended with reason noproc');
    expect((error as Error).message).toContain('call assertDown before the action that ends it');
  });

  it('fails when the process stays alive, and removes its monitor', async () => {
    const t = newTestSystem();
    const pid = idle(t);

    const error = await rejectionOf(assertDown(t.system, pid, undefined, 50));

    expect((error as Error).message).toContain(
      `assertDown: ${pid} did not end within 50 ms of virtual time`,
    );
    expect((error as Error).message).toContain('(it is waiting with 0 queued messages)');
    expect(t.system.processInfo(pid)?.monitoredBy).toEqual([]);
  });

  it('waits on a monitor the caller already holds', async () => {
    const t = newTestSystem();
    const pid = idle(t);
    const ref = t.system.monitor(pid);
    t.system.exit(pid, 'noconnection');

    expect(await assertDown(t.system, ref, 'noconnection')).toBe('noconnection');
  });

  it('leaves other DOWN messages in the mailbox', async () => {
    const t = newTestSystem();
    const other = idle(t);
    const watched = idle(t);
    t.system.monitor(other);
    t.system.exit(other, 'kill');
    const down = assertDown(t.system, watched, 'killed');

    t.system.exit(watched, 'kill');
    await down;

    expect(await assertReceive(t.system, { type: 'DOWN', pid: other }, 0)).toMatchObject({
      reason: 'killed',
    });
  });

  it('fails with ERR_INVALID_ARGUMENT for a name', async () => {
    const t = newTestSystem();

    expect(
      isStarweaveError(
        await rejectionOf(assertDown(t.system, 'name' as never)),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });
});

describe('reasonMatches', () => {
  it('compares strings by value', () => {
    expect(reasonMatches('killed', 'killed')).toBe(true);
    expect(reasonMatches('killed', 'kill')).toBe(false);
  });

  it('compares shutdown tuples deeply', () => {
    expect(reasonMatches({ shutdown: { code: 1 } }, { shutdown: { code: 1 } })).toBe(true);
    expect(reasonMatches({ shutdown: { code: 1 } }, { shutdown: { code: 2 } })).toBe(false);
  });

  it('compares errors by class and message', () => {
    expect(reasonMatches(new DiskError('full'), new DiskError('full'))).toBe(true);
    expect(reasonMatches(new Error('full'), new DiskError('full'))).toBe(false);
    expect(reasonMatches(new DiskError('gone'), new DiskError('full'))).toBe(false);
  });

  it('applies a predicate', () => {
    expect(reasonMatches(new DiskError('full'), (reason) => reason instanceof DiskError)).toBe(
      true,
    );
    expect(reasonMatches('normal', (reason) => reason instanceof DiskError)).toBe(false);
  });
});
