/**
 * faults.drop, faults.delay and faults.duplicate: which sends they hit, how they compose, and
 * how they retire.
 */

import { GenServer, isStarweaveError, type Pid, type ServerPid } from '@starweave/actors';
import { faults } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();
type T = ReturnType<typeof newTestSystem>;

function collector(t: T, name?: string): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = t.system.spawn(
    { handleMessage: (_self, message) => void got.push(message) },
    { name },
  );
  return { pid, got };
}

/** Spawns a process that forwards each message `{ to, body }` to `to`. */
function relay(t: T): Pid {
  return t.system.spawn({ handleMessage: (self, message) => self.send(message.to, message.body) });
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('faults.drop', () => {
  it('drops the sends that match the receiver and the pattern', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const fault = faults.drop(t.system, { to: pid, match: { type: 'lost' } });

    t.system.send(pid, { type: 'kept', n: 1 });
    t.system.send(pid, { type: 'lost', n: 2 });
    t.system.send(pid, { type: 'kept', n: 3 });
    await t.runUntilIdle();

    expect(got).toEqual([
      { type: 'kept', n: 1 },
      { type: 'kept', n: 3 },
    ]);
    expect(fault.hits).toBe(1);
  });

  it('drops only the sends of the named sender', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const a = relay(t);
    const b = relay(t);
    faults.drop(t.system, { from: a });

    t.system.send(a, { to: pid, body: 'via a' });
    t.system.send(b, { to: pid, body: 'via b' });
    await t.runUntilIdle();

    expect(got).toEqual(['via b']);
  });

  it('accepts a predicate as the message matcher', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    faults.drop(t.system, {
      to: pid,
      match: (message) => typeof message === 'number' && message % 2 === 0,
    });

    for (let n = 0; n < 6; n++) t.system.send(pid, n);
    await t.runUntilIdle();

    expect(got).toEqual([1, 3, 5]);
  });

  it('retires after count sends', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const fault = faults.drop(t.system, { to: pid, count: 2 });

    for (let n = 0; n < 4; n++) t.system.send(pid, n);
    await t.runUntilIdle();

    expect(got).toEqual([2, 3]);
    expect(fault.hits).toBe(2);
    expect(fault.active).toBe(false);
  });

  it('looks up a registered name at each send', async () => {
    const t = newTestSystem();
    faults.drop(t.system, { to: 'cache' });
    const first = collector(t, 'cache');
    t.system.send(first.pid, 'to first');
    t.system.exit(first.pid, 'kill');
    const second = collector(t, 'cache');

    t.system.send(second.pid, 'to second');
    await t.runUntilIdle();

    expect(first.got).toEqual([]);
    expect(second.got).toEqual([]);
  });

  it('stops dropping once removed', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const fault = faults.drop(t.system, { to: pid });
    t.system.send(pid, 'lost');

    fault.remove();
    t.system.send(pid, 'kept');
    await t.runUntilIdle();

    expect(got).toEqual(['kept']);
    expect(fault.active).toBe(false);
  });

  it('makes a call time out when it drops the reply', async () => {
    const t = newTestSystem();
    const server: ServerPid = await GenServer.start(
      t.system,
      { init: () => ({ state: 7 }), handleCall: (_request, _from, n) => ({ reply: n, state: n }) },
      undefined,
    );
    faults.drop(t.system, { from: server, to: t.system.pid });

    const error = await rejectionOf(
      t.waitFor(GenServer.call(t.system, server, { type: 'get' }, 2000)),
    );

    expect(isStarweaveError(error, 'ERR_CALL_TIMEOUT')).toBe(true);
    expect(t.now()).toBe(2000);
  });

  it('matches the request of a GenServer cast through its envelope', async () => {
    const t = newTestSystem();
    const seen: unknown[] = [];
    const server: ServerPid = await GenServer.start(
      t.system,
      {
        init: () => ({ state: null }),
        handleCast: (request, state) => {
          seen.push(request);
          return { noreply: true, state };
        },
      },
      undefined,
    );
    faults.drop(t.system, { to: server, match: { request: { type: 'reset' } } });

    GenServer.cast(t.system, server, { type: 'reset' });
    GenServer.cast(t.system, server, { type: 'add' });
    await t.runUntilIdle();

    expect(seen).toEqual([{ type: 'add' }]);
  });

  it('fails with ERR_INVALID_ARGUMENT for a count below one', () => {
    const t = newTestSystem();

    expect(
      isStarweaveError(
        thrown(() => faults.drop(t.system, { count: 0 })),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT for an endpoint that is neither pid, name nor predicate', () => {
    const t = newTestSystem();

    const error = thrown(() => faults.drop(t.system, { to: 42 as never }));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('faults.delay', () => {
  it('delivers a matching message after the delay on the system clock', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    faults.delay(t.system, { to: pid, delayMs: 200 });

    t.system.send(pid, 'slow');
    await t.advance(199);
    expect(got).toEqual([]);
    await t.advance(1);
    expect(got).toEqual(['slow']);
  });

  it('lets later messages overtake a delayed one', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    faults.delay(t.system, { to: pid, match: 'first', delayMs: 50 });

    t.system.send(pid, 'first');
    t.system.send(pid, 'second');
    await t.advance(50);

    expect(got).toEqual(['second', 'first']);
  });

  it('fails with ERR_INVALID_ARGUMENT without a delay', () => {
    const t = newTestSystem();

    const error = thrown(() => faults.delay(t.system, {} as never));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('faults.duplicate', () => {
  it('delivers each matching message the given number of times', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    faults.duplicate(t.system, { to: pid, match: 'twice' });
    faults.duplicate(t.system, { to: pid, match: 'thrice', copies: 3 });

    t.system.send(pid, 'twice');
    t.system.send(pid, 'thrice');
    t.system.send(pid, 'once');
    await t.runUntilIdle();

    expect(got).toEqual(['twice', 'twice', 'thrice', 'thrice', 'thrice', 'once']);
  });

  it('fails with ERR_INVALID_ARGUMENT for zero copies', () => {
    const t = newTestSystem();

    expect(
      isStarweaveError(
        thrown(() => faults.duplicate(t.system, { copies: 0 })),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });
});

describe('composed faults', () => {
  it('lets the first matching fault decide a send', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const dropped = faults.drop(t.system, { to: pid, match: 'x' });
    const duplicated = faults.duplicate(t.system, { to: pid });

    t.system.send(pid, 'x');
    t.system.send(pid, 'y');
    await t.runUntilIdle();

    expect(got).toEqual(['y', 'y']);
    expect(dropped.hits).toBe(1);
    expect(duplicated.hits).toBe(1);
  });

  it('partitions two processes with a drop each way', async () => {
    const t = newTestSystem();
    const a = relay(t);
    const b = relay(t);
    const outside = collector(t);
    const inboxA = collector(t);
    faults.drop(t.system, { from: a, to: b });
    faults.drop(t.system, { from: b, to: a });

    t.system.send(a, { to: b, body: { to: outside.pid, body: 'a to b' } });
    t.system.send(b, { to: a, body: { to: outside.pid, body: 'b to a' } });
    t.system.send(a, { to: outside.pid, body: 'a to outside' });
    t.system.send(a, { to: inboxA.pid, body: 'a to its inbox' });
    await t.runUntilIdle();

    expect(outside.got).toEqual(['a to outside']);
    expect(inboxA.got).toEqual(['a to its inbox']);
  });

  it('shows each fault in the trace', async () => {
    const t = newTestSystem();
    const { pid } = collector(t);
    faults.drop(t.system, { to: pid, match: 'a' });
    faults.delay(t.system, { to: pid, match: 'b', delayMs: 5 });
    faults.duplicate(t.system, { to: pid, match: 'c' });

    t.system.send(pid, 'a');
    t.system.send(pid, 'b');
    t.system.send(pid, 'c');
    await t.advance(5);

    const text = t.trace!.format();
    expect(text).toContain("'a'  [dropped]");
    expect(text).toContain("'b'  [delayed 5 ms]");
    expect(text).toContain("'c'  [delivered 2 times]");
  });

  it('removes every fault with faults.clear', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const one = faults.drop(t.system, { to: pid });
    const two = faults.duplicate(t.system, { to: pid });

    faults.clear(t.system);
    t.system.send(pid, 'plain');
    await t.runUntilIdle();

    expect(got).toEqual(['plain']);
    expect(one.active).toBe(false);
    expect(two.active).toBe(false);
  });
});
