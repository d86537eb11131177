/**
 * Callback processes: the scheduler calls `init` and `handleMessage` with no Promise per
 * message. A handler that returns a promise suspends the process until it settles.
 */
import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { MemoryLogger, type ProcessContext, type Reason } from '@starweave/actors';
import { nextTurn, settle, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('callback process', () => {
  it('calls handleMessage once per message, in send order', async () => {
    const system = newSystem();
    const handled: number[] = [];
    const pid = system.spawn({ handleMessage: (_self, message: number) => void handled.push(message) });

    for (let i = 0; i < 1000; i++) system.send(pid, i);
    await settle(system);

    expect(handled).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('runs init before the first message', async () => {
    const system = newSystem();
    const events: string[] = [];
    const pid = system.spawn({
      init: () => void events.push('init'),
      handleMessage: (_self, message: string) => void events.push(message),
    });
    system.send(pid, 'first');

    await settle(system);

    expect(events).toEqual(['init', 'first']);
  });

  it('passes the process context to init and handleMessage', async () => {
    const system = newSystem();
    const seen: string[] = [];
    const pid = system.spawn({
      init: (self: ProcessContext) => void seen.push(String(self.pid)),
      handleMessage: (self: ProcessContext) => void seen.push(String(self.pid)),
    });
    system.send(pid, 'x');

    await settle(system);

    expect(seen).toEqual([String(pid), String(pid)]);
  });

  it('creates no Promise per message', async () => {
    const system = newSystem();
    let handled = 0;
    const pid = system.spawn({
      handleMessage: () => {
        handled++;
      },
    });
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    });

    hook.enable();
    for (let i = 0; i < 100_000; i++) system.send(pid, i);
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        if (handled === 100_000) resolve();
        else setImmediate(poll);
      };
      poll();
    });
    hook.disable();

    expect(handled).toBe(100_000);
    // The wait above and the test runner's own traffic in this worker make a few promises;
    // one per message would make 100k.
    expect(promises).toBeLessThan(100);
  });

  it('suspends the process while a promise returned by handleMessage is pending', async () => {
    const system = newSystem();
    const gate = deferred();
    const handled: string[] = [];
    const pid = system.spawn({
      handleMessage(_self, message: string) {
        handled.push(message);
        if (message === 'slow') return gate.promise;
        return undefined;
      },
    });
    system.send(pid, 'slow');
    system.send(pid, 'next');
    // isIdle stays false while a handler's promise is pending, so this waits by turns.
    await waitUntil(() => handled.length === 1);
    for (let i = 0; i < 5; i++) await nextTurn();

    expect(handled).toEqual(['slow']);
    expect(system.processInfo(pid)?.status).toBe('suspended');
    expect(system.processInfo(pid)?.mailboxLength).toBe(1);

    gate.resolve();
    await waitUntil(() => handled.length === 2);

    expect(handled).toEqual(['slow', 'next']);
    expect(system.processInfo(pid)?.status).toBe('waiting');
  });

  it('ends the process with the error of a rejected handler promise', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const gate = deferred();
    const pid = system.spawn({ handleMessage: () => gate.promise });
    let reason: Reason | undefined;
    system.monitor(pid, (down) => {
      reason = down.reason;
    });
    system.send(pid, 'go');
    await waitUntil(() => system.processInfo(pid)?.status === 'suspended');
    const error = new Error('async failure');

    gate.reject(error);
    await waitUntil(() => reason !== undefined);

    expect(reason).toBe(error);
    expect(logger.find('process.crashed')).toHaveLength(1);
  });

  it('waits for a promise returned by init before the first message', async () => {
    const system = newSystem();
    const gate = deferred();
    const events: string[] = [];
    const pid = system.spawn({
      init: () => gate.promise.then(() => void events.push('init done')),
      handleMessage: (_self, message: string) => void events.push(message),
    });
    system.send(pid, 'first');
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(events).toEqual([]);
    expect(system.processInfo(pid)?.status).toBe('suspended');

    gate.resolve();
    await waitUntil(() => events.length === 2);

    expect(events).toEqual(['init done', 'first']);
  });

  it('ends the process with the error init throws', async () => {
    const system = newSystem();
    const error = new Error('init failed');
    let reason: Reason | undefined;
    const [pid] = system.spawnMonitor({
      init: () => {
        throw error;
      },
      handleMessage: () => {},
    });
    system.monitor(pid, (down) => {
      reason = down.reason;
    });

    await waitUntil(() => reason !== undefined);

    expect(reason).toBe(error);
  });

  it('handles no message after handleMessage throws', async () => {
    const system = newSystem();
    const handled: string[] = [];
    const pid = system.spawn({
      handleMessage(_self, message: string) {
        handled.push(message);
        if (message === 'bad') throw new Error('bad message');
      },
    });

    system.send(pid, 'good');
    system.send(pid, 'bad');
    system.send(pid, 'after');
    await settle(system);

    expect(handled).toEqual(['good', 'bad']);
    expect(system.isAlive(pid)).toBe(false);
  });

  it('stays off the run queue until its first message', () => {
    const system = newSystem();

    system.spawn({ handleMessage() {} });

    expect(system.isIdle()).toBe(true);
    expect(system.scheduler.length).toBe(0);
  });

  it('reports its label in processInfo', () => {
    const system = newSystem();

    const pid = system.spawn({ label: 'Counter', handleMessage() {} });

    expect(system.processInfo(pid)?.label).toBe('Counter');
  });

  it('sends a busy process to the back after its budget', async () => {
    const system = newSystem({ processBudget: 10, sliceBudget: 1000 });
    const order: string[] = [];
    const a = system.spawn({ handleMessage: () => void order.push('a') });
    const b = system.spawn({ handleMessage: () => void order.push('b') });

    for (let i = 0; i < 30; i++) system.send(a, i);
    for (let i = 0; i < 30; i++) system.send(b, i);
    await settle(system);

    expect(order.join('')).toBe(
      'a'.repeat(10) + 'b'.repeat(10) + 'a'.repeat(10) + 'b'.repeat(10) + 'a'.repeat(10) + 'b'.repeat(10),
    );
  });
});

describe('async process function', () => {
  it('ends with normal when the function returns', async () => {
    const system = newSystem();
    const [pid] = system.spawnMonitor(async () => 'done');

    const down = await system.receive((m: any) => m?.type === 'DOWN', 1000);

    expect(down.pid.equals(pid)).toBe(true);
    expect(down.reason).toBe('normal');
  });

  it('ends with normal when a plain function returns', async () => {
    const system = newSystem();
    system.spawnMonitor(() => 1);

    const down = await system.receive((m: any) => m?.type === 'DOWN', 1000);

    expect(down.reason).toBe('normal');
  });

  it('ends with the error a plain function throws', async () => {
    const system = newSystem();
    const error = new Error('sync failure');
    system.spawnMonitor(() => {
      throw error;
    });

    const down = await system.receive((m: any) => m?.type === 'DOWN', 1000);

    expect(down.reason).toBe(error);
  });

  it('ends with the error an async function rejects with', async () => {
    const system = newSystem();
    const error = new Error('async failure');
    system.spawnMonitor(async (self) => {
      await self.receive((m) => m === 'go', 0).catch(() => undefined);
      throw error;
    });

    const down = await system.receive((m: any) => m?.type === 'DOWN', 1000);

    expect(down.reason).toBe(error);
  });

  it('wraps a thrown non-Error in an Error naming it', async () => {
    const system = newSystem();
    system.spawnMonitor(async () => {
      throw 'plain string';
    });

    const down = await system.receive((m: any) => m?.type === 'DOWN', 1000);

    expect(down.reason).toBeInstanceOf(Error);
    expect(down.reason.message).toContain('"plain string"');
  });

  it('starts on the scheduler, not inside spawn', async () => {
    const system = newSystem();
    let started = false;

    system.spawn(async () => {
      started = true;
    });
    expect(started).toBe(false);
    await settle(system);

    expect(started).toBe(true);
  });
});
