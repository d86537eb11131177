/**
 * Process introspection: status, mailbox length, links, monitors, registered name, reductions
 * and the memory estimate that processInfo reports.
 */
import { describe, expect, it } from 'vitest';
import { type Pid } from '@starweave/actors';
import { nextTurn, settle, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

describe('ActorSystem.processInfo', () => {
  it('returns undefined for a process that ended', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });

    system.exit(pid, 'kill');

    expect(system.processInfo(pid)).toBeUndefined();
  });

  it('reports waiting for an idle callback process', () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });

    expect(system.processInfo(pid)?.status).toBe('waiting');
  });

  it('reports runnable for a process in the run queue', () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });

    system.send(pid, 'work');

    expect(system.processInfo(pid)?.status).toBe('runnable');
  });

  it('reports waiting for an async process blocked in receive', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      await self.receive();
    });
    await settle(system);

    expect(system.processInfo(pid)?.status).toBe('waiting');
  });

  it('reports running for an async process awaiting something else', async () => {
    const system = newSystem();
    let release!: () => void;
    const pid = system.spawn(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await waitUntil(() => release !== undefined);

    expect(system.processInfo(pid)?.status).toBe('running');
    release();
  });

  it('reports suspended for a callback process waiting on its handler promise', async () => {
    const system = newSystem();
    let release!: () => void;
    const pid = system.spawn({
      handleMessage: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    });
    system.send(pid, 'go');
    await waitUntil(() => release !== undefined);

    expect(system.processInfo(pid)?.status).toBe('suspended');
    release();
  });

  it('reports the mailbox length', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      await self.receive((m) => m === 'never');
    });
    await settle(system);

    for (let i = 0; i < 5; i++) system.send(pid, i);
    await settle(system);

    expect(system.processInfo(pid)?.mailboxLength).toBe(5);
  });

  it('reports links, monitors held, watchers and the registered name', async () => {
    const system = newSystem();
    const partner = system.spawn({ handleMessage() {} });
    const watched = system.spawn({ handleMessage() {} });
    let ref: unknown;
    const pid = system.spawn(
      async (self) => {
        self.link(partner);
        ref = self.monitor(watched);
        await self.receive();
      },
      { name: 'inspected' },
    );
    const watcherRef = system.monitor(pid);
    await settle(system);

    const info = system.processInfo('inspected')!;

    expect(info.pid.equals(pid)).toBe(true);
    expect(info.registeredName).toBe('inspected');
    expect(info.links.map(String)).toEqual([String(partner)]);
    expect(info.monitors.map(String)).toEqual([String(ref)]);
    expect(info.monitoredBy.map(String)).toEqual([String(system.pid)]);
    expect(system.processInfo(watched)?.monitoredBy.map(String)).toEqual([String(pid)]);
    expect(watcherRef).toBeDefined();
  });

  it('reports null in monitoredBy for a callback monitor made outside processes', () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });

    system.monitor(pid, () => {});

    expect(system.processInfo(pid)?.monitoredBy).toEqual([null]);
  });

  it('counts handled messages as reductions', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });

    for (let i = 0; i < 7; i++) system.send(pid, i);
    await settle(system);

    expect(system.processInfo(pid)?.reductions).toBe(7);
  });

  it('estimates more memory for a longer mailbox and more links', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      await self.receive((m) => m === 'never');
    });
    await settle(system);
    const before = system.processInfo(pid)!.memory;

    for (let i = 0; i < 100; i++) system.send(pid, i);
    await nextTurn();
    const withMail = system.processInfo(pid)!.memory;
    const partners: Pid[] = [];
    for (let i = 0; i < 3; i++) partners.push(system.spawn({ handleMessage() {} }));
    system.spawn(async (self) => {
      for (const partner of partners) self.link(partner);
      self.link(pid);
      await self.receive();
    });
    await settle(system);
    const withLink = system.processInfo(pid)!.memory;

    expect(before).toBeGreaterThan(0);
    expect(withMail).toBeGreaterThan(before);
    expect(withLink).toBeGreaterThan(withMail);
  });

  it('returns undefined for a name that is not registered', () => {
    const system = newSystem();

    expect(system.processInfo('nobody')).toBeUndefined();
  });
});
