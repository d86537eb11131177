/**
 * Sending: to pids and names, silently to dead pids, in send order between any pair, and the
 * checks on the destination.
 */
import { describe, expect, it } from 'vitest';
import { type ActorSystem, Pid } from '@starweave/actors';
import { hasCode, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function collector(system: ActorSystem, name?: string): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = system.spawn(
    { handleMessage: (_self, message) => void got.push(message) },
    name === undefined ? undefined : { name },
  );
  return { pid, got };
}

describe('ActorSystem.send', () => {
  it('delivers to a pid', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);

    system.send(pid, { type: 'hello' });
    await settle(system);

    expect(got).toEqual([{ type: 'hello' }]);
  });

  it('delivers to a registered name', async () => {
    const system = newSystem();
    const { got } = collector(system, 'inbox');

    system.send('inbox', 'hello');
    await settle(system);

    expect(got).toEqual(['hello']);
  });

  it('passes the message by reference within one system', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    const message = { type: 'big', rows: [1, 2, 3] };

    system.send(pid, message);
    await settle(system);

    expect(got[0]).toBe(message);
  });

  it('keeps the send order of one sender', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);

    for (let i = 0; i < 10_000; i++) system.send(pid, i);
    await settle(system);

    expect(got).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('drops a message to a dead pid without an error', async () => {
    const system = newSystem();
    const pid = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(pid));

    expect(() => system.send(pid, 'late')).not.toThrow();
  });

  it('delivers to a copy of a pid made from its node and id', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);

    system.send(new Pid(pid.node, pid.id), 'by copy');
    await settle(system);

    expect(got).toEqual(['by copy']);
  });

  it('drops a message to a dead pid and to a copy of it', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    system.exit(pid, 'kill');

    system.send(pid, 'late');
    system.send(new Pid(pid.node, pid.id), 'late copy');
    await settle(system);

    expect(system.isAlive(pid)).toBe(false);
    expect(got).toEqual([]);
  });

  it('finds a process only in the system that spawned it', async () => {
    const first = newSystem();
    const second = newSystem();
    const { pid, got } = collector(first);

    expect(first.resolve(pid)).toBe(pid);
    second.send(pid, 'from the second system');
    await settle(first);
    await settle(second);

    expect(got).toEqual([]);
  });

  it('drops a message to a pid of another node without an error', () => {
    const system = newSystem();

    expect(() => system.send(new Pid('elsewhere', 1), 'hello')).not.toThrow();
  });

  it('delivers to the system root, where system.receive reads it', async () => {
    const system = newSystem();
    system.spawn(async (self) => {
      self.send(system.pid, { type: 'report', from: self.pid });
    });

    const report = await system.receive((m: any) => m?.type === 'report', 1000);

    expect(report.type).toBe('report');
  });

  it('fails with ERR_NOPROC naming a name that is not registered', () => {
    const system = newSystem();

    const error = thrownBy(() => system.send('nobody', 'hello'));

    expect(hasCode(error, 'ERR_NOPROC')).toBe(true);
    expect((error as Error).message).toContain('"nobody"');
  });

  const badDestinations: Array<[string, unknown, string]> = [
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['a plain object shaped like a pid', { node: 'local', id: 1 }, '{"node":"local","id":1}'],
  ];
  for (const [label, dest, shown] of badDestinations) {
    it(`fails with ERR_INVALID_ARGUMENT naming ${label} as destination`, () => {
      const system = newSystem();

      const error = thrownBy(() => system.send(dest as Pid, 'hello'));

      expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(shown);
    });
  }
});

describe('ProcessContext.send', () => {
  it('delivers from one process to another', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    system.spawn(async (self) => {
      self.send(pid, 'from a process');
    });

    await waitUntil(() => got.length === 1);

    expect(got).toEqual(['from a process']);
  });

  it('crashes the sender with ERR_INVALID_ARGUMENT for a bad destination', async () => {
    const system = newSystem();
    const [, ref] = system.spawnMonitor(async (self) => {
      self.send(7 as unknown as Pid, 'x');
    });

    const down = await system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 1000);

    expect(hasCode(down.reason, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
