/**
 * assertReceive and refuteReceive: patterns and predicates, virtual and real time, and
 * failure messages that show the mailbox.
 */
import { AssertionError } from 'node:assert';
import { isStarweaveError, type ProcessContext } from '@starweave/actors';
import { assertReceive, refuteReceive } from '@starweave/testing';
import { P } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

describe('assertReceive', () => {
  it('takes the first matching message only', async () => {
    const t = newTestSystem();
    t.system.send(t.system.pid, { type: 'other', n: 1 });
    t.system.send(t.system.pid, { type: 'wanted', n: 2 });
    t.system.send(t.system.pid, { type: 'other', n: 3 });

    const wanted = await assertReceive(t.system, { type: 'wanted' });

    expect(wanted).toEqual({ type: 'wanted', n: 2 });
    expect(await assertReceive(t.system, P._)).toEqual({ type: 'other', n: 1 });
    expect(await assertReceive(t.system, P._)).toEqual({ type: 'other', n: 3 });
  });

  it('accepts a predicate', async () => {
    const t = newTestSystem();
    t.system.send(t.system.pid, 4);
    t.system.send(t.system.pid, 9);

    const odd = await assertReceive(
      t.system,
      (message) => typeof message === 'number' && message % 2 === 1,
    );

    expect(odd).toBe(9);
  });

  it('waits on virtual time for a message a timer sends and stops there', async () => {
    const t = newTestSystem();
    t.system.sendAfter(t.system.pid, { type: 'tick' }, 70);

    await assertReceive(t.system, { type: 'tick' }, 100);

    expect(t.now()).toBe(70);
  });

  it('fails after the timeout with the mailbox in the message', async () => {
    const t = newTestSystem();
    t.system.send(t.system.pid, { type: 'ping', n: 1 });
    t.system.send(t.system.pid, { type: 'EXIT', reason: 'normal' });

    const error = await rejectionOf(assertReceive(t.system, { type: 'pong' }));

    expect(error).toBeInstanceOf(AssertionError);
    const message = (error as Error).message;
    expect(message).toContain(
      `assertReceive: no message matching { type: 'pong' } arrived at ${t.system.pid}`,
    );
    expect(message).toContain('within 100 ms of virtual time');
    expect(message).toContain('The mailbox holds 2 messages:');
    expect(message).toContain("  1. { type: 'ping', n: 1 }");
    expect(message).toContain("  2. { type: 'EXIT', reason: 'normal' }");
    expect(t.now()).toBe(100);
  });

  it('says when the mailbox is empty and names a predicate', async () => {
    const t = newTestSystem();
    const isPong = (message: unknown) => (message as { type?: string })?.type === 'pong';

    const error = await rejectionOf(assertReceive(t.system, isPong, 10));

    expect((error as Error).message).toContain('predicate isPong');
    expect((error as Error).message).toContain('The mailbox is empty.');
  });

  it('keeps the mailbox intact after a failure', async () => {
    const t = newTestSystem();
    t.system.send(t.system.pid, 'kept');
    await rejectionOf(assertReceive(t.system, 'missing', 10));

    expect(await assertReceive(t.system, 'kept', 0)).toBe('kept');
  });

  it('receives a message that a timer sends exactly at the timeout', async () => {
    const t = newTestSystem();
    t.system.sendAfter(t.system.pid, 'on time', 100);

    expect(await assertReceive(t.system, 'on time', 100)).toBe('on time');
  });

  it('waits with infinity until the system is idle with no timer pending', async () => {
    const t = newTestSystem();
    t.system.sendAfter(t.system.pid, 'very late', 3_600_000);

    expect(await assertReceive(t.system, 'very late', 'infinity')).toBe('very late');

    const error = await rejectionOf(assertReceive(t.system, 'never', 'infinity'));
    expect((error as Error).message).toContain('before the system went idle with no timer pending');
  });

  it('receives on behalf of a process context', async () => {
    const t = newTestSystem();
    const outcomes: unknown[] = [];
    const pid = t.system.spawn(async (self: ProcessContext) => {
      outcomes.push(await assertReceive(self, { type: 'hello' }));
      outcomes.push(
        await assertReceive(self, { type: 'hello' }, 50).catch((error: Error) => error.message),
      );
    });

    t.system.send(pid, { type: 'hello' });
    await t.advance(100);

    expect(outcomes[0]).toEqual({ type: 'hello' });
    expect(outcomes[1]).toMatch(
      new RegExp(`arrived at ${pid.toString().replace(/[.<>]/g, '\\$&')}`),
    );
  });

  it('waits in real time on the real clock', async () => {
    const t = newTestSystem({ virtualTime: false });
    setTimeout(() => t.system.send(t.system.pid, 'real'), 20);

    expect(await assertReceive(t.system, 'real', 1000)).toBe('real');
    const error = await rejectionOf(assertReceive(t.system, 'never', 30));
    expect((error as Error).message).toContain('within 30 ms.');
  });

  it('records what it took in the trace', async () => {
    const t = newTestSystem();
    t.system.send(t.system.pid, { type: 'traced' });

    await assertReceive(t.system, { type: 'traced' });

    expect(t.trace!.entries().map((entry) => entry.kind)).toEqual(['send', 'receive']);
    expect(t.trace!.format()).toContain(`${t.system.pid} took { type: 'traced' }`);
  });

  it('fails with ERR_INVALID_ARGUMENT without a pattern', async () => {
    const t = newTestSystem();

    const error = await rejectionOf(assertReceive(t.system, undefined as never));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for a negative timeout', async () => {
    const t = newTestSystem();

    expect(
      isStarweaveError(await rejectionOf(assertReceive(t.system, P._, -1)), 'ERR_INVALID_ARGUMENT'),
    ).toBe(true);
  });
});

describe('refuteReceive', () => {
  it('passes when no matching message arrives within the timeout', async () => {
    const t = newTestSystem();
    t.system.send(t.system.pid, { type: 'other' });
    t.system.sendAfter(t.system.pid, { type: 'late' }, 150);

    await refuteReceive(t.system, { type: 'late' }, 100);

    expect(t.now()).toBe(100);
    expect(await assertReceive(t.system, { type: 'other' }, 0)).toEqual({ type: 'other' });
  });

  it('fails naming the message that matched', async () => {
    const t = newTestSystem();
    t.system.sendAfter(t.system.pid, { type: 'alarm', level: 3 }, 40);

    const error = await rejectionOf(refuteReceive(t.system, { type: 'alarm' }));

    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toContain(
      `refuteReceive: ${t.system.pid} received { type: 'alarm', level: 3 }, which matches { type: 'alarm' }`,
    );
  });

  it("rejects 'infinity' on the real clock", async () => {
    const t = newTestSystem({ virtualTime: false });

    const error = await rejectionOf(refuteReceive(t.system, P._, 'infinity'));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
