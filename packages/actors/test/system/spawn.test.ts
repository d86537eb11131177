/**
 * Spawning and the process table: pids, isAlive, processes(), processCount() and the checks
 * on what spawn accepts.
 */
import { describe, expect, it } from 'vitest';
import { ActorSystem, Pid, isPid, silentLogger } from '@starweave/actors';
import { hasCode, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

describe('ActorSystem.spawn', () => {
  it('returns a pid printed like <0.N.0> for the local node', () => {
    const system = newSystem();

    const pid = system.spawn({ handleMessage() {} });

    expect(isPid(pid)).toBe(true);
    expect(pid.node).toBe('local');
    expect(String(pid)).toMatch(/^<0\.\d+\.0>$/);
  });

  it('prints the node name in pids of a named node', async () => {
    const system = new ActorSystem({ logger: silentLogger, node: 'alpha' });

    const pid = system.spawn({ handleMessage() {} });

    expect(String(pid)).toBe(`<alpha.${pid.id}.0>`);
    await system.shutdown();
  });

  it('never reuses a pid, even after its process ended', async () => {
    const system = newSystem();
    const seen = new Set<number>();

    for (let i = 0; i < 100; i++) {
      const pid = system.spawn(async () => {});
      expect(seen.has(pid.id)).toBe(false);
      seen.add(pid.id);
      await settle(system);
    }

    expect(seen.size).toBe(100);
  });

  it('gives a pid that equals a copy of itself but not another pid', () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });
    const other = system.spawn({ handleMessage() {} });

    expect(pid.equals(new Pid(pid.node, pid.id))).toBe(true);
    expect(pid.equals(other)).toBe(false);
  });

  it('starts a process with trapExit set when the option asks for it', () => {
    const system = newSystem();

    const pid = system.spawn({ handleMessage() {} }, { trapExit: true });

    expect(system.processInfo(pid)?.trapExit).toBe(true);
  });

  it('spawns from inside a process without linking', async () => {
    const system = newSystem();
    let child: Pid | undefined;
    const parent = system.spawn(async (self) => {
      child = self.spawn(async (inner) => {
        await inner.receive();
      });
      throw new Error('parent fails');
    });

    await waitUntil(() => !system.isAlive(parent));

    expect(system.isAlive(child!)).toBe(true);
  });

  // Each bad body with the text its error message must show.
  const badBodies: Array<[string, unknown, string]> = [
    ['a number', 42, '42'],
    ['a string', 'worker', '"worker"'],
    ['null', null, 'null'],
    ['an object without handleMessage', { init() {} }, '{'],
    ['an object whose handleMessage is not a function', { handleMessage: 'x' }, '{"handleMessage":"x"}'],
  ];
  for (const [label, body, shown] of badBodies) {
    it(`fails with ERR_INVALID_ARGUMENT for ${label}`, () => {
      const system = newSystem();
      const count = system.processCount();

      const error = thrownBy(() => system.spawn(body as never));

      expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(shown);
      expect(system.processCount()).toBe(count);
    });
  }

  it('fails with ERR_INVALID_ARGUMENT naming options that are not an object', () => {
    const system = newSystem();

    const error = thrownBy(() => system.spawn({ handleMessage() {} }, 'fast' as never));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"fast"');
  });

  it('fails with ERR_SYSTEM_STOPPED after shutdown', async () => {
    const system = newSystem();
    await system.shutdown();

    const error = thrownBy(() => system.spawn({ handleMessage() {} }));

    expect(hasCode(error, 'ERR_SYSTEM_STOPPED')).toBe(true);
  });
});

describe('ActorSystem.isAlive', () => {
  it('is true for a live process and false once it ended', async () => {
    const system = newSystem();
    const pid = system.spawn({ handleMessage() {} });
    expect(system.isAlive(pid)).toBe(true);

    system.exit(pid, 'kill');

    expect(system.isAlive(pid)).toBe(false);
  });

  it('is false for a pid of another node', () => {
    const system = newSystem();
    const local = system.spawn({ handleMessage() {} });

    expect(system.isAlive(new Pid('elsewhere', local.id))).toBe(false);
  });

  it('fails with ERR_INVALID_ARGUMENT naming a value that is not a pid', () => {
    const system = newSystem();

    const error = thrownBy(() => system.isAlive('<0.1.0>' as unknown as Pid));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"<0.1.0>"');
  });
});

describe('ActorSystem.processes', () => {
  it('lists the root and every live process, and no ended one', async () => {
    const system = newSystem();
    const live = system.spawn({ handleMessage() {} });
    const ended = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(ended));

    const listed = system.processes().map(String);

    expect(listed.sort()).toEqual([String(system.pid), String(live)].sort());
    expect(system.processCount()).toBe(2);
  });
});
