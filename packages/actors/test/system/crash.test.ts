/**
 * Crashes: an exception in process code ends that process with the error as reason, logs a
 * crash report, and disturbs no other process, the scheduler or the host.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryLogger, type Reason } from '@starweave/actors';
import { settle, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

// Every failure that escaped to the host during a test.
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};
beforeEach(() => {
  escaped.length = 0;
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});
afterEach(() => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});

describe('crash report', () => {
  it('names the pid, the registered name, the last message and the reason', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const error = new Error('cannot handle');
    const pid = system.spawn(
      {
        label: 'Counter',
        handleMessage(_self, message: { type: string }) {
          if (message.type === 'bad') throw error;
        },
      },
      { name: 'counter' },
    );

    system.send(pid, { type: 'good' });
    system.send(pid, { type: 'bad', payload: 7 });
    await settle(system);
    const reports = logger.find('process.crashed');

    expect(reports).toHaveLength(1);
    expect(reports[0]!.level).toBe('error');
    expect(String(reports[0]!.fields.pid)).toBe(String(pid));
    expect(reports[0]!.fields.name).toBe('counter');
    expect(reports[0]!.fields.label).toBe('Counter');
    expect(reports[0]!.fields.lastMessage).toEqual({ type: 'bad', payload: 7 });
    expect(reports[0]!.fields.reason).toBe(error);
  });

  it('names the message whose handler promise rejected', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const pid = system.spawn({
      async handleMessage(_self, message: { type: string }) {
        if (message.type === 'bad') throw new Error('rejected');
      },
    });

    system.send(pid, { type: 'good' });
    system.send(pid, { type: 'bad', id: 2 });
    system.send(pid, { type: 'good' });
    await waitUntil(() => !system.isAlive(pid));
    const [report] = logger.find('process.crashed');

    expect(report?.fields.lastMessage).toEqual({ type: 'bad', id: 2 });
  });

  it('names the last message an async process received', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const pid = system.spawn(async (self) => {
      const message = await self.receive();
      throw new Error(`cannot handle ${message.type}`);
    });

    system.send(pid, { type: 'order', id: 1 });
    await waitUntil(() => !system.isAlive(pid));
    const [report] = logger.find('process.crashed');

    expect(report?.fields.lastMessage).toEqual({ type: 'order', id: 1 });
    expect((report?.fields.reason as Error).message).toBe('cannot handle order');
    expect(report?.fields.name).toBeUndefined();
  });

  it('is not logged for normal ends or exit signals', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const normal = system.spawn(async () => {});
    const stopped = system.spawn({ handleMessage() {} });
    const killed = system.spawn({ handleMessage() {} });

    system.exit(stopped, 'shutdown');
    system.exit(killed, 'kill');
    await waitUntil(() => !system.isAlive(normal));

    expect(logger.find('process.crashed')).toEqual([]);
  });
});

describe('crash isolation', () => {
  it('ends only the process that threw', async () => {
    const system = newSystem();
    const handled: number[] = [];
    const steady = system.spawn({ handleMessage: (_self, n: number) => void handled.push(n) });
    const reasons: Reason[] = [];

    for (let i = 0; i < 100; i++) {
      const [pid] = system.spawnMonitor({
        handleMessage() {
          throw new Error(`crash ${i}`);
        },
      });
      system.monitor(pid, (down) => reasons.push(down.reason));
      system.send(pid, 'go');
      system.send(steady, i);
    }
    await settle(system);

    expect(reasons).toHaveLength(100);
    expect(handled).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(system.isAlive(steady)).toBe(true);
  });

  it('lets the scheduler keep running processes after a crash in the same slice', async () => {
    const system = newSystem();
    const order: string[] = [];
    const crasher = system.spawn({
      handleMessage() {
        order.push('crasher');
        throw new Error('fails');
      },
    });
    const next = system.spawn({ handleMessage: () => void order.push('next') });

    system.send(crasher, 'go');
    system.send(next, 'go');
    await settle(system);
    system.send(next, 'again');
    await settle(system);

    expect(order).toEqual(['crasher', 'next', 'next']);
  });

  it('lets nothing escape to the host from sync, async, init and handler failures', async () => {
    const system = newSystem();
    system.spawn(() => {
      throw new Error('sync function');
    });
    system.spawn(async () => {
      throw new Error('async function');
    });
    system.spawn({
      init() {
        throw new Error('init');
      },
      handleMessage() {},
    });
    system.spawn({
      init: async () => {
        throw new Error('async init');
      },
      handleMessage() {},
    });
    const handler = system.spawn({
      handleMessage: async () => {
        throw new Error('async handler');
      },
    });
    system.send(handler, 'go');

    await settle(system);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));

    expect(escaped).toEqual([]);
    expect(system.processCount()).toBe(1);
  });

  it('lets nothing escape from the code of a process killed while it awaited', async () => {
    const system = newSystem();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pid = system.spawn(async (self) => {
      await gate;
      self.send(self.pid, 'after the kill');
      throw new Error('after the kill');
    });
    await waitUntil(() => system.processInfo(pid)?.status === 'running');

    system.exit(pid, 'kill');
    release();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));

    expect(escaped).toEqual([]);
  });

  it('logs a DOWN callback that throws and keeps delivering to other watchers', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const target = system.spawn({ handleMessage() {} });
    const seen: string[] = [];
    system.monitor(target, () => {
      throw new Error('callback fails');
    });
    system.monitor(target, () => seen.push('ok'));

    system.exit(target, 'shutdown');

    expect(seen).toEqual(['ok']);
    expect(logger.find('system.monitor_callback_failed')).toHaveLength(1);
    expect(escaped).toEqual([]);
  });
});
