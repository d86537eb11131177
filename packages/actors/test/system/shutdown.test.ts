/**
 * Shutdown: every process ends with 'shutdown', every timer is cleared and nothing is left to
 * keep Node running. This file leaves long real timers pending on purpose; the run finishing
 * on its own shows that shutdown cleared them.
 */
import { describe, expect, it } from 'vitest';
import { ActorSystem, type DownMessage, type Pid, silentLogger } from '@starweave/actors';
import { hasCode, settle, thrownBy, waitUntil } from '../helpers.js';

const TEN_MINUTES = 10 * 60 * 1000;

// Counts Node's active timers in this worker. The test runner's own timers come and go, so the
// checks below only require that no more are active than before the systems were made.
function timeoutHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

function newSystem(): ActorSystem {
  return new ActorSystem({ logger: silentLogger });
}

describe('ActorSystem.shutdown', () => {
  it('leaves no active timer and no Node timer behind', async () => {
    const before = timeoutHandles();
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      self.sendAfter(self.pid, 'wake', TEN_MINUTES);
      await self.receive((m) => m === 'never', TEN_MINUTES);
    });
    system.sendAfter(pid, 'a', TEN_MINUTES);
    system.sendAfter('by-name', 'b', TEN_MINUTES + 1);
    const waiting = system.tryReceive((m) => m === 'never', TEN_MINUTES);
    // Shutdown fails this receive; the handler keeps that from counting as unhandled.
    const outcome = waiting.catch((error: unknown) => error);
    await settle(system);
    expect(system.activeTimers()).toBe(3);
    expect(timeoutHandles()).toBeGreaterThan(before);

    await system.shutdown();

    expect(system.activeTimers()).toBe(0);
    expect(timeoutHandles()).toBeLessThanOrEqual(before);
    expect(hasCode(await outcome, 'ERR_SYSTEM_STOPPED')).toBe(true);
  });

  it('ends every process, the root included', async () => {
    const system = newSystem();
    const pids: Pid[] = [];
    for (let i = 0; i < 10; i++) pids.push(system.spawn({ handleMessage() {} }));
    pids.push(system.spawn(async (self) => void (await self.receive())));

    await system.shutdown();

    expect(system.processCount()).toBe(0);
    expect(system.processes()).toEqual([]);
    for (const pid of pids) expect(system.isAlive(pid)).toBe(false);
    expect(system.isAlive(system.pid)).toBe(false);
    expect(system.isStopped).toBe(true);
  });

  it('ends processes with reason shutdown, seen by monitors', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });
    const downs: DownMessage[] = [];
    system.monitor(pid, (down) => downs.push(down));

    await system.shutdown();

    expect(downs.map((down) => down.reason)).toEqual(['shutdown']);
  });

  it('leaves no process alive even when a DOWN callback spawns during shutdown', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });
    const errors: unknown[] = [];
    system.monitor(pid, () => {
      try {
        system.spawn({ handleMessage() {} });
      } catch (error) {
        errors.push(error);
      }
    });

    await system.shutdown();

    expect(system.processCount()).toBe(0);
    expect(errors).toHaveLength(1);
    expect(hasCode(errors[0], 'ERR_SYSTEM_STOPPED')).toBe(true);
  });

  it('fails a pending system.receive with ERR_SYSTEM_STOPPED', async () => {
    const system = newSystem();
    const waiting = system.receive((m) => m === 'never').then(
      () => 'resolved',
      (error: unknown) => error,
    );

    await system.shutdown();
    const outcome = await Promise.race([
      waiting,
      new Promise((resolve) => setTimeout(() => resolve('still pending'), 100)),
    ]);

    expect(hasCode(outcome, 'ERR_SYSTEM_STOPPED')).toBe(true);
  });

  it('fails system.receive called after shutdown with ERR_SYSTEM_STOPPED', async () => {
    const system = newSystem();
    await system.shutdown();

    const error = await system.receive(undefined, 10).catch((caught: unknown) => caught);

    expect(hasCode(error, 'ERR_SYSTEM_STOPPED')).toBe(true);
  });

  it('fails spawn and sendAfter afterwards with ERR_SYSTEM_STOPPED', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });
    await system.shutdown();

    expect(hasCode(thrownBy(() => system.spawn(async () => {})), 'ERR_SYSTEM_STOPPED')).toBe(true);
    expect(hasCode(thrownBy(() => system.sendAfter('x', 'y', 10)), 'ERR_SYSTEM_STOPPED')).toBe(true);
    expect(hasCode(thrownBy(() => system.sendAfter(pid, 'y', 10)), 'ERR_SYSTEM_STOPPED')).toBe(true);
  });

  it('drops sends to ended processes afterwards without an error', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });
    await system.shutdown();

    expect(() => system.send(pid, 'late')).not.toThrow();
  });

  it('can be called twice', async () => {
    const system = newSystem();
    system.spawn({ handleMessage() {} });

    await system.shutdown();
    await system.shutdown();

    expect(system.processCount()).toBe(0);
  });

  it('stops processes with full mailboxes and timers spread over many systems', async () => {
    const before = timeoutHandles();
    const systems = Array.from({ length: 20 }, () => newSystem());
    for (const system of systems) {
      const pid = system.spawn(async (self) => void (await self.receive((m) => m === 'never')));
      for (let i = 0; i < 1000; i++) system.send(pid, i);
      for (let i = 0; i < 10; i++) system.sendAfter(pid, i, TEN_MINUTES + i);
    }

    await Promise.all(systems.map((system) => system.shutdown()));

    expect(systems.map((system) => system.activeTimers())).toEqual(systems.map(() => 0));
    await waitUntil(() => timeoutHandles() <= before);
  });
});
