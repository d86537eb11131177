/**
 * Telemetry events on `system.telemetry`: spawns, exits, exits over links and long mailboxes.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLogger, type Pid, type Reason } from '@starweave/actors';
import { settle, useSystems, waitUntil } from './helpers.js';

const newSystem = useSystems();

describe("telemetry 'process.spawned'", () => {
  it('carries the pid and the registered name', () => {
    const system = newSystem();
    const events: Array<{ pid: Pid; name: string | undefined }> = [];
    system.telemetry.on('process.spawned', (event) => events.push(event));

    const anonymous = system.spawn({ handleMessage() {} });
    const named = system.spawn({ handleMessage() {} }, { name: 'cache' });

    expect(events.map((event) => [String(event.pid), event.name])).toEqual([
      [String(anonymous), undefined],
      [String(named), 'cache'],
    ]);
  });
});

describe("telemetry 'process.exited'", () => {
  it('fires once per process with its reason, for every way a process ends', async () => {
    const system = newSystem();
    const events: Array<{ pid: string; name: string | undefined; reason: Reason }> = [];
    system.telemetry.on('process.exited', ({ pid, name, reason }) => {
      events.push({ pid: String(pid), name, reason });
    });
    const error = new Error('crash');
    const normal = system.spawn(async () => {});
    const crashed = system.spawn(async () => {
      throw error;
    });
    const killed = system.spawn({ handleMessage() {} }, { name: 'victim' });

    system.exit(killed, 'kill');
    await waitUntil(() => events.length === 3);

    const byPid = new Map(events.map((event) => [event.pid, event]));
    expect(byPid.get(String(normal))?.reason).toBe('normal');
    expect(byPid.get(String(crashed))?.reason).toBe(error);
    expect(byPid.get(String(killed))).toEqual({ pid: String(killed), name: 'victim', reason: 'killed' });
  });

  it('fires after the process is no longer alive', async () => {
    const system = newSystem();
    const aliveAtEvent: boolean[] = [];
    system.telemetry.on('process.exited', ({ pid }) => aliveAtEvent.push(system.isAlive(pid)));
    const pid = system.spawn({ handleMessage() {} });

    system.exit(pid, 'shutdown');

    expect(aliveAtEvent).toEqual([false]);
  });
});

describe("telemetry 'process.link_exit'", () => {
  it('fires when an exit signal over a link ends a process', async () => {
    const system = newSystem();
    const events: Array<{ pid: string; from: string; reason: Reason }> = [];
    system.telemetry.on('process.link_exit', ({ pid, from, reason }) => {
      events.push({ pid: String(pid), from: String(from), reason });
    });
    const partner = system.spawn({ handleMessage() {} });
    const linked = system.spawn(async (self) => {
      self.link(partner);
      await self.receive();
    });
    await settle(system);

    system.exit(partner, 'shutdown');

    expect(events).toEqual([{ pid: String(linked), from: String(partner), reason: 'shutdown' }]);
  });

  it('stays silent for direct, trapped and normal exits', async () => {
    const system = newSystem();
    let fired = 0;
    system.telemetry.on('process.link_exit', () => fired++);
    const trapping = system.spawn({ handleMessage() {} }, { trapExit: true });
    const plain = system.spawn({ handleMessage() {} });
    system.spawn(async (self) => {
      self.link(trapping);
      self.link(plain);
    });
    await settle(system);
    const direct = system.spawn({ handleMessage() {} });

    system.exit(direct, 'shutdown');
    const crasher = system.spawn(async (self) => {
      self.link(trapping);
      throw new Error('crash');
    });
    await waitUntil(() => !system.isAlive(crasher));

    expect(fired).toBe(0);
    expect(system.isAlive(trapping)).toBe(true);
    expect(system.isAlive(plain)).toBe(true);
  });
});

describe("telemetry 'process.mailbox_long'", () => {
  it('fires once past the threshold, with the length', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger, mailboxWarning: 100 });
    const events: Array<{ pid: string; name: string | undefined; length: number; threshold: number }> = [];
    system.telemetry.on('process.mailbox_long', ({ pid, name, length, threshold }) => {
      events.push({ pid: String(pid), name, length, threshold });
    });
    const pid = system.spawn(
      async (self) => {
        await self.receive((m) => m === 'never');
      },
      { name: 'slow' },
    );
    await settle(system);

    for (let i = 0; i < 300; i++) system.send(pid, i);

    expect(events).toEqual([{ pid: String(pid), name: 'slow', length: 101, threshold: 100 }]);
    expect(logger.find('process.mailbox_long')).toHaveLength(1);
    expect(logger.find('process.mailbox_long')[0]!.level).toBe('warn');
  });

  it('uses the mailboxWarning spawn option over the system default', () => {
    const system = newSystem({ mailboxWarning: 1000 });
    const lengths: number[] = [];
    system.telemetry.on('process.mailbox_long', ({ length }) => lengths.push(length));
    const pid = system.spawn(
      async (self) => {
        await self.receive();
      },
      { mailboxWarning: 5 },
    );

    for (let i = 0; i < 10; i++) system.send(pid, i);

    expect(lengths).toEqual([6]);
  });

  it('fires again for a callback process after its mailbox drained', async () => {
    const system = newSystem({ mailboxWarning: 10 });
    let fired = 0;
    system.telemetry.on('process.mailbox_long', () => fired++);
    const pid = system.spawn({ handleMessage() {} });

    for (let i = 0; i < 20; i++) system.send(pid, i);
    await settle(system);
    for (let i = 0; i < 20; i++) system.send(pid, i);
    await settle(system);

    expect(fired).toBe(2);
  });

  it('fires again for an async process after its mailbox drained', async () => {
    const system = newSystem({ mailboxWarning: 10 });
    let fired = 0;
    system.telemetry.on('process.mailbox_long', () => fired++);
    const pid = system.spawn(async (self) => {
      for (;;) await self.receive();
    });
    await settle(system);

    for (let i = 0; i < 20; i++) system.send(pid, i);
    await settle(system);
    expect(system.processInfo(pid)?.mailboxLength).toBe(0);
    for (let i = 0; i < 20; i++) system.send(pid, i);
    await settle(system);

    expect(fired).toBe(2);
  });
});

describe('telemetry listeners', () => {
  it('that throw do not stop the scheduler or leave a process half ended', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    let calls = 0;
    system.telemetry.on('process.exited', () => {
      calls++;
      throw new Error('listener fails');
    });
    const partner = system.spawn({ handleMessage() {} });
    const crasher = system.spawn(async (self) => {
      self.link(partner);
      await self.receive();
      throw new Error('crash');
    });
    await settle(system);

    system.send(crasher, 'go');
    await waitUntil(() => !system.isAlive(crasher));
    const handled: number[] = [];
    const survivor = system.spawn({ handleMessage: (_self, n: number) => void handled.push(n) });
    system.send(survivor, 1);
    await settle(system);

    expect(system.isAlive(partner)).toBe(false);
    expect(handled).toEqual([1]);
    // The failing listener is detached after its first failure and logged once.
    expect(calls).toBe(1);
    expect(logger.find('system.telemetry_listener_failed')).toHaveLength(1);
    expect(logger.find('system.telemetry_listener_failed')[0]!.fields.event).toBe('process.exited');
  });
});
