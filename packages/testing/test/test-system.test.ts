/**
 * Test systems: virtual time for every timer of a system, advance firing timers one at a time
 * with the scheduler run dry in between, runUntilIdle, waitFor, and the real-clock mode.
 */

import {
  GenServer,
  isStarweaveError,
  MemoryLogger,
  type ProcessContext,
  type ServerPid,
  VirtualClock,
} from '@starweave/actors';
import { createTestSystem } from '@starweave/testing';
import { P } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

describe('createTestSystem', () => {
  it('runs the system on a virtual clock by default', () => {
    const t = newTestSystem();

    expect(t.virtualTime).toBe(true);
    expect(t.system.clock).toBeInstanceOf(VirtualClock);
    expect(t.system.clock).toBe(t.clock);
    expect(t.now()).toBe(0);
  });

  it('keeps the seed it was given', () => {
    const t = newTestSystem({ seed: 1234 });

    expect(t.seed).toBe(1234);
  });

  it('uses the logger it was given', async () => {
    const logger = new MemoryLogger();
    const t = newTestSystem({ logger });
    const pid = t.system.spawn({
      handleMessage() {
        throw new Error('boom');
      },
    });
    t.system.send(pid, { type: 'go' });
    await t.runUntilIdle();

    expect(logger.find('process.crashed')).toHaveLength(1);
  });

  it('records a trace unless told not to', () => {
    expect(newTestSystem().trace).toBeDefined();
    expect(newTestSystem({ trace: false }).trace).toBeUndefined();
  });

  it('fails with ERR_INVALID_ARGUMENT for a seed that is not an integer', () => {
    let error: unknown;
    try {
      createTestSystem({ seed: 1.5 });
    } catch (thrown) {
      error = thrown;
    }

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('TestSystem.advance', () => {
  it('fires a timer when time reaches it and not before', async () => {
    const t = newTestSystem();
    const got: string[] = [];
    const pid = t.system.spawn({ handleMessage: (_self, message) => void got.push(message.type) });
    t.system.sendAfter(pid, { type: 'tick' }, 1000);

    await t.advance(999);
    expect(got).toEqual([]);
    await t.advance(1);
    expect(got).toEqual(['tick']);
    expect(t.now()).toBe(1000);
  });

  it('lets the work a timer starts finish before the next timer fires', async () => {
    const t = newTestSystem();
    const log: string[] = [];
    const second = t.system.spawn({
      handleMessage: (_self, message) => void log.push(`second got ${message.n}`),
    });
    const first = t.system.spawn({
      handleMessage(self, message) {
        log.push(`first got ${message.n}`);
        self.send(second, message);
      },
    });
    // Two clock timers due at 100 ms: timers of equal duration set at once share one.
    t.system.sendAfter(first, { n: 1 }, 100);
    await t.advance(50);
    t.system.sendAfter(first, { n: 2 }, 50);

    await t.advance(50);

    expect(log).toEqual(['first got 1', 'second got 1', 'first got 2', 'second got 2']);
  });

  it('times out a receive on the virtual clock', async () => {
    const t = newTestSystem();
    const outcomes: unknown[] = [];
    t.system.spawn(async (self: ProcessContext) => {
      outcomes.push(await self.tryReceive(P._, 5000));
    });

    await t.advance(4999);
    expect(outcomes).toEqual([]);
    await t.advance(1);
    expect(outcomes).toEqual([undefined]);
  });

  it('fires timers set by timers within the same advance', async () => {
    const t = newTestSystem();
    const times: number[] = [];
    const pid = t.system.spawn({
      handleMessage(self) {
        times.push(t.now());
        if (times.length < 5) self.sendAfter(self.pid, { type: 'again' }, 30);
      },
    });
    t.system.sendAfter(pid, { type: 'again' }, 30);

    await t.advance(1000);

    expect(times).toEqual([30, 60, 90, 120, 150]);
    expect(t.now()).toBe(1000);
  });

  it('fails with ERR_INVALID_ARGUMENT for a negative duration', async () => {
    const error = await rejectionOf(newTestSystem().advance(-1));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT on the real clock', async () => {
    const error = await rejectionOf(newTestSystem({ virtualTime: false }).advance(10));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/virtualTime: true/);
  });
});

describe('TestSystem.runUntilIdle', () => {
  it('returns once a chain of messages has run out', async () => {
    const t = newTestSystem();
    let rounds = 0;
    const pong = t.system.spawn({
      handleMessage: (self, message) => self.send(message.from, { n: message.n }),
    });
    t.system.spawn(async (self: ProcessContext) => {
      for (let n = 0; n < 100; n++) {
        self.send(pong, { from: self.pid, n });
        await self.receive({ n });
        rounds++;
      }
    });

    await t.runUntilIdle();

    expect(rounds).toBe(100);
    expect(t.system.isIdle()).toBe(true);
  });

  it('fires timers due now but not later ones', async () => {
    const t = newTestSystem();
    const got: string[] = [];
    const pid = t.system.spawn({ handleMessage: (_self, message) => void got.push(message.type) });
    t.system.sendAfter(pid, { type: 'now' }, 0);
    t.system.sendAfter(pid, { type: 'later' }, 1);

    await t.runUntilIdle();

    expect(got).toEqual(['now']);
    expect(t.now()).toBe(0);
  });

  it('returns while a process waits for a reply that needs a timer', async () => {
    const t = newTestSystem();
    const server = await GenServer.start(
      t.system,
      {
        init: () => ({ state: null }),
        handleCall: (_request, from, state, self) => {
          self.sendAfter(self.pid, { type: 'reply', from }, 500);
          return { noreply: true, state };
        },
        handleInfo: (message, state, self) => {
          GenServer.reply(self, message.from, 'late');
          return { noreply: true, state };
        },
      },
      undefined,
    );
    const replies: unknown[] = [];
    t.system.spawn(async (self: ProcessContext) => {
      replies.push(await GenServer.call(self, server, { type: 'get' }));
    });

    await t.runUntilIdle();
    expect(replies).toEqual([]);
    await t.advance(500);
    expect(replies).toEqual(['late']);
  });

  it('fails with ERR_DEADLINE when processes never stop', async () => {
    const t = newTestSystem();
    t.system.spawn({
      init: (self) => self.send(self.pid, 'again'),
      handleMessage: (self) => self.send(self.pid, 'again'),
    });

    const error = await rejectionOf(t.runUntilIdle({ maxTurns: 50 }));

    expect(isStarweaveError(error, 'ERR_DEADLINE')).toBe(true);
    expect((error as Error).message).toMatch(/still running after 50 event-loop turns/);
  });

  it('waits for the scheduler on the real clock', async () => {
    const t = newTestSystem({ virtualTime: false });
    const got: number[] = [];
    const pid = t.system.spawn({ handleMessage: (_self, message) => void got.push(message) });
    for (let n = 0; n < 10; n++) t.system.send(pid, n);

    await t.runUntilIdle();

    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('TestSystem.waitFor', () => {
  it('moves virtual time until a call times out', async () => {
    const t = newTestSystem();
    const silent = t.system.spawn({ handleMessage() {} });

    const error = await rejectionOf(
      t.waitFor(GenServer.call(t.system, silent as ServerPid, { type: 'get' }, 1000)),
    );

    expect(isStarweaveError(error, 'ERR_CALL_TIMEOUT')).toBe(true);
    expect(t.now()).toBe(1000);
  });

  it('returns the value of a promise that settles', async () => {
    const t = newTestSystem();
    const pid = t.system.spawn({ handleMessage() {} });
    const down = new Promise((resolve) => t.system.monitor(pid, resolve));
    t.system.spawn(async (self: ProcessContext) => {
      await self.tryReceive(P._, 250);
      self.exit(pid, 'kill');
    });

    const message = await t.waitFor(down);

    expect(message).toMatchObject({ type: 'DOWN', reason: 'killed' });
    expect(t.now()).toBe(250);
  });

  it('fails with ERR_DEADLINE when nothing is left that could settle the promise', async () => {
    const t = newTestSystem();

    const error = await rejectionOf(t.waitFor(new Promise(() => {})));

    expect(isStarweaveError(error, 'ERR_DEADLINE')).toBe(true);
    expect((error as Error).message).toMatch(/idle and no timer is pending/);
  });

  it('fails with ERR_DEADLINE after its timeout', async () => {
    const t = newTestSystem();
    const pid = t.system.spawn({ handleMessage() {} });
    t.system.sendAfter(pid, 'tick', 10_000);

    const error = await rejectionOf(t.waitFor(new Promise(() => {}), 300));

    expect(isStarweaveError(error, 'ERR_DEADLINE')).toBe(true);
    expect((error as Error).message).toMatch(/within 300 ms of virtual time/);
  });

  it('fails with ERR_DEADLINE when a periodic timer keeps the system running', async () => {
    const t = newTestSystem();
    t.system.spawn({
      init: (self) => void self.sendAfter(self.pid, 'tick', 10),
      handleMessage: (self) => void self.sendAfter(self.pid, 'tick', 10),
    });

    const error = await rejectionOf(t.waitFor(new Promise(() => {})));

    expect(isStarweaveError(error, 'ERR_DEADLINE')).toBe(true);
    expect((error as Error).message).toMatch(/periodic timer/);
  });
});
