/**
 * Registered names: unique local names that are released when their process ends, before
 * its monitors fire.
 */
import { describe, expect, it } from 'vitest';
import { type ActorSystem, type DownMessage, type Pid } from '@starweave/actors';
import { hasCode, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function idle(system: ActorSystem, name?: string): Pid {
  return system.spawn({ handleMessage() {} }, name === undefined ? undefined : { name });
}

describe('ActorSystem.register', () => {
  it('makes whereis return the pid and send reach it by name', async () => {
    const system = newSystem();
    const got: unknown[] = [];
    const pid = system.spawn({ handleMessage: (_self, message) => void got.push(message) });

    system.register('cache', pid);
    system.send('cache', 'hello');
    await settle(system);

    expect(system.whereis('cache')?.equals(pid)).toBe(true);
    expect(got).toEqual(['hello']);
    expect(system.processInfo(pid)?.registeredName).toBe('cache');
  });

  it('registers the name option of spawn before the process runs', async () => {
    const system = newSystem();
    let seen: Pid | undefined;
    const pid = system.spawn(
      async (self) => {
        seen = self.system.whereis('worker');
      },
      { name: 'worker' },
    );

    expect(system.whereis('worker')?.equals(pid)).toBe(true);
    await waitUntil(() => seen !== undefined);
    expect(seen?.equals(pid)).toBe(true);
  });

  it('registers the calling process with self.register', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      self.register('me');
      await self.receive();
    });

    await waitUntil(() => system.whereis('me') !== undefined);

    expect(system.whereis('me')?.equals(pid)).toBe(true);
  });

  it('fails with ERR_ALREADY_REGISTERED naming a name held by another process', () => {
    const system = newSystem();
    const holder = idle(system, 'cache');
    const other = idle(system);

    const error = thrownBy(() => system.register('cache', other));

    expect(hasCode(error, 'ERR_ALREADY_REGISTERED')).toBe(true);
    expect((error as Error).message).toContain('"cache"');
    expect(system.whereis('cache')?.equals(holder)).toBe(true);
  });

  it('fails with ERR_ALREADY_REGISTERED and starts nothing when spawn names a taken name', () => {
    const system = newSystem();
    idle(system, 'cache');
    const count = system.processCount();

    const error = thrownBy(() => idle(system, 'cache'));

    expect(hasCode(error, 'ERR_ALREADY_REGISTERED')).toBe(true);
    expect((error as Error).message).toContain('"cache"');
    expect(system.processCount()).toBe(count);
  });

  it('fails with ERR_ALREADY_REGISTERED when the process already has a name', () => {
    const system = newSystem();
    const pid = idle(system, 'first');

    const error = thrownBy(() => system.register('second', pid));

    expect(hasCode(error, 'ERR_ALREADY_REGISTERED')).toBe(true);
    expect((error as Error).message).toContain('"first"');
    expect(system.whereis('second')).toBeUndefined();
  });

  it('fails with ERR_NOPROC naming a pid that is not alive', async () => {
    const system = newSystem();
    const pid = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(pid));

    const error = thrownBy(() => system.register('late', pid));

    expect(hasCode(error, 'ERR_NOPROC')).toBe(true);
    expect((error as Error).message).toContain(String(pid));
    expect(system.whereis('late')).toBeUndefined();
  });

  for (const bad of ['', 42, null]) {
    it(`fails with ERR_INVALID_ARGUMENT for the name ${JSON.stringify(bad)}`, () => {
      const system = newSystem();
      const pid = idle(system);

      const error = thrownBy(() => system.register(bad as string, pid));

      expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(bad === '' ? '""' : String(bad));
    });
  }

  it('fails with ERR_INVALID_ARGUMENT naming a pid that is not a Pid', () => {
    const system = newSystem();

    const error = thrownBy(() => system.register('cache', { id: 3 } as unknown as Pid));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('{"id":3}');
  });
});

describe('ActorSystem.unregister', () => {
  it('removes the name and leaves the process running', () => {
    const system = newSystem();
    const pid = idle(system, 'cache');

    expect(system.unregister('cache')).toBe(true);

    expect(system.whereis('cache')).toBeUndefined();
    expect(system.isAlive(pid)).toBe(true);
    expect(system.processInfo(pid)?.registeredName).toBeUndefined();
  });

  it('returns false for a name that is not registered', () => {
    const system = newSystem();

    expect(system.unregister('nobody')).toBe(false);
  });

  it('lets the process take a new name afterwards', () => {
    const system = newSystem();
    const pid = idle(system, 'old');

    system.unregister('old');
    system.register('new', pid);

    expect(system.whereis('new')?.equals(pid)).toBe(true);
  });
});

describe('ActorSystem.whereis and registered', () => {
  it('returns undefined for a name that is not registered', () => {
    const system = newSystem();

    expect(system.whereis('nobody')).toBeUndefined();
  });

  it('lists every registered name', () => {
    const system = newSystem();
    idle(system, 'a');
    idle(system, 'b');

    expect(system.registered().sort()).toEqual(['a', 'b']);
  });
});

describe('names of ended processes', () => {
  it('releases the name when the process ends', async () => {
    const system = newSystem();
    const pid = idle(system, 'cache');

    system.exit(pid, 'shutdown');

    expect(system.whereis('cache')).toBeUndefined();
    expect(system.registered()).toEqual([]);
  });

  it('releases the name before monitors fire', async () => {
    const system = newSystem();
    const first = idle(system, 'cache');
    let heldAtDown: Pid | undefined | 'unset' = 'unset';
    let replacement: Pid | undefined;
    system.monitor(first, () => {
      heldAtDown = system.whereis('cache');
      replacement = idle(system, 'cache');
    });

    system.exit(first, new Error('crash'));

    expect(heldAtDown).toBeUndefined();
    expect(replacement).toBeDefined();
    expect(system.whereis('cache')?.equals(replacement!)).toBe(true);
  });

  it('releases the name before a DOWN message arrives', async () => {
    const system = newSystem();
    const first = idle(system, 'cache');
    system.spawn(async (self) => {
      self.monitor(first);
      self.send(system.pid, { type: 'watching' });
      const down: DownMessage = await self.receive((m: any) => m?.type === 'DOWN');
      const holderAtDown = self.system.whereis('cache');
      self.register('cache');
      self.send(system.pid, { type: 'seen', holderAtDown, reason: down.reason, self: self.pid });
      await self.receive();
    });
    await system.receive((m: any) => m?.type === 'watching', 1000);

    system.exit(first, 'shutdown');
    const seen = await system.receive((m: any) => m?.type === 'seen', 1000);

    expect(seen.holderAtDown).toBeUndefined();
    expect(system.whereis('cache')?.equals(seen.self)).toBe(true);
  });

  it('fails with ERR_NOPROC naming the name when sending to a released name', async () => {
    const system = newSystem();
    const pid = idle(system, 'cache');
    system.exit(pid, 'shutdown');

    const error = thrownBy(() => system.send('cache', 'hello'));

    expect(hasCode(error, 'ERR_NOPROC')).toBe(true);
    expect((error as Error).message).toContain('"cache"');
  });
});
