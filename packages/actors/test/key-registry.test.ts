/**
 * KeyRegistry, after Elixir's Registry: unique and duplicate keys, dispatch to every process
 * under a key, and release of a process's entries when it ends, before its monitors fire.
 */
import { describe, expect, it } from 'vitest';
import {
  type ActorSystem,
  KeyRegistry,
  type Pid,
  type ProcessContext,
} from '@starweave/actors';
import { hasCode, settle, thrownBy, useSystems, waitUntil } from './helpers.js';

const newSystem = useSystems();

/**
 * Spawns a callback process that registers itself under `key` with `value` on its first
 * message and keeps every later message.
 */
function member<V>(
  system: ActorSystem,
  registry: KeyRegistry<V>,
  key: unknown,
  value: V,
): { pid: Pid; got: unknown[]; errors: unknown[] } {
  const got: unknown[] = [];
  const errors: unknown[] = [];
  const pid = system.spawn({
    init(self: ProcessContext) {
      registry.register(self, key, value);
    },
    handleMessage(self: ProcessContext, message: any) {
      if (message?.type === 'register') {
        try {
          registry.register(self, message.key, message.value);
        } catch (error) {
          errors.push(error);
        }
        return;
      }
      got.push(message);
    },
  });
  return { pid, got, errors };
}

describe('KeyRegistry with unique keys', () => {
  it('returns the process and its value from lookup', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'unique' });
    const { pid } = member(system, registry, 'user:1', 'session-a');
    await settle(system);

    const entries = registry.lookup('user:1');

    expect(entries).toHaveLength(1);
    expect(entries[0]!.pid.equals(pid)).toBe(true);
    expect(entries[0]!.value).toBe('session-a');
  });

  it('fails with ERR_ALREADY_REGISTERED naming the key when another process holds it', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'unique' });
    const holder = member(system, registry, 'user:1', 'a');
    const other = member(system, registry, 'other', 'b');
    await settle(system);

    system.send(other.pid, { type: 'register', key: 'user:1', value: 'b' });
    await settle(system);

    expect(other.errors).toHaveLength(1);
    expect(hasCode(other.errors[0], 'ERR_ALREADY_REGISTERED')).toBe(true);
    expect((other.errors[0] as Error).message).toContain('"user:1"');
    expect(registry.lookup('user:1').map((entry) => String(entry.pid))).toEqual([String(holder.pid)]);
  });

  it('fails with ERR_ALREADY_REGISTERED when the same process registers the key twice', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'unique' });
    const holder = member(system, registry, 'user:1', 'first');
    await settle(system);

    system.send(holder.pid, { type: 'register', key: 'user:1', value: 'second' });
    await settle(system);

    expect(holder.errors).toHaveLength(1);
    expect(hasCode(holder.errors[0], 'ERR_ALREADY_REGISTERED')).toBe(true);
    expect(registry.lookup('user:1').map((entry) => entry.value)).toEqual(['first']);
  });

  it('lets one process hold several different keys', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<number>(system, { keys: 'unique' });
    const holder = member(system, registry, 'a', 1);
    await settle(system);

    system.send(holder.pid, { type: 'register', key: 'b', value: 2 });
    await settle(system);

    expect(registry.keys(holder.pid).sort()).toEqual(['a', 'b']);
    expect(registry.count()).toBe(2);
  });
});

describe('KeyRegistry with duplicate keys', () => {
  it('returns every process under a key from lookup', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'duplicate' });
    const a = member(system, registry, 'topic', 'a');
    const b = member(system, registry, 'topic', 'b');
    await settle(system);

    const entries = registry.lookup('topic');

    expect(entries.map((entry) => entry.value).sort()).toEqual(['a', 'b']);
    expect(entries.map((entry) => String(entry.pid)).sort()).toEqual([String(a.pid), String(b.pid)].sort());
  });

  it('keeps every registration of one process under the same key', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'duplicate' });
    const holder = member(system, registry, 'topic', 'first');
    await settle(system);

    system.send(holder.pid, { type: 'register', key: 'topic', value: 'second' });
    await settle(system);

    expect(holder.errors).toEqual([]);
    expect(registry.lookup('topic').map((entry) => entry.value)).toEqual(['first', 'second']);
    expect(registry.keys(holder.pid)).toEqual(['topic', 'topic']);
    expect(registry.count()).toBe(2);
  });

  it('dispatches to every process under a key', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'duplicate' });
    const listeners = [0, 1, 2].map((i) => member(system, registry, 'prices', `listener-${i}`));
    const outsider = member(system, registry, 'weather', 'outsider');
    await settle(system);

    const count = registry.dispatch('prices', (entries) => {
      for (const { pid, value } of entries) system.send(pid, { type: 'tick', to: value });
    });
    await settle(system);

    expect(count).toBe(3);
    listeners.forEach((listener, i) => {
      expect(listener.got).toEqual([{ type: 'tick', to: `listener-${i}` }]);
    });
    expect(outsider.got).toEqual([]);
  });

  it('does not call the dispatch callback for a key with no entries', () => {
    const system = newSystem();
    const registry = new KeyRegistry(system, { keys: 'duplicate' });
    let called = false;

    const count = registry.dispatch('empty', () => {
      called = true;
    });

    expect(count).toBe(0);
    expect(called).toBe(false);
  });
});

describe('KeyRegistry.unregister', () => {
  it('removes every entry of the calling process under the key', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'duplicate' });
    const other = member(system, registry, 'topic', 'other');
    const pid = system.spawn(async (self) => {
      registry.register(self, 'topic', 'one');
      registry.register(self, 'topic', 'two');
      registry.register(self, 'kept', 'three');
      registry.unregister(self, 'topic');
      await self.receive();
    });
    await settle(system);

    expect(registry.lookup('topic').map((entry) => entry.value)).toEqual(['other']);
    expect(registry.keys(pid)).toEqual(['kept']);
    expect(registry.keys(other.pid)).toEqual(['topic']);
  });

  it('frees a unique key for another process', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'unique' });
    system.spawn(async (self) => {
      registry.register(self, 'lock', 'first');
      registry.unregister(self, 'lock');
      await self.receive();
    });
    await settle(system);
    const second = member(system, registry, 'lock', 'second');
    await settle(system);

    expect(second.errors).toEqual([]);
    expect(registry.lookup('lock').map((entry) => entry.value)).toEqual(['second']);
  });
});

describe('KeyRegistry entries of ended processes', () => {
  it('are released when the process ends', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'duplicate' });
    const { pid } = member(system, registry, 'topic', 'a');
    const survivor = member(system, registry, 'topic', 'b');
    await settle(system);

    system.exit(pid, 'kill');

    expect(registry.lookup('topic').map((entry) => String(entry.pid))).toEqual([String(survivor.pid)]);
    expect(registry.keys(pid)).toEqual([]);
    expect(registry.count()).toBe(1);
  });

  it('are released before monitors fire', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'unique' });
    const first = member(system, registry, 'leader', 'first');
    await settle(system);
    let entriesAtDown = -1;
    system.monitor(first.pid, () => {
      entriesAtDown = registry.lookup('leader').length;
    });
    const successor = system.spawn(async (self) => {
      self.monitor(first.pid);
      await self.receive((m: any) => m?.type === 'DOWN');
      registry.register(self, 'leader', 'successor');
      await self.receive();
    });
    await settle(system);

    system.exit(first.pid, new Error('crash'));
    await waitUntil(() => registry.lookup('leader').length === 1);

    expect(entriesAtDown).toBe(0);
    expect(registry.lookup('leader')[0]!.pid.equals(successor)).toBe(true);
  });

  it('fails with ERR_NOT_IN_PROCESS when a context registers after its process ended', async () => {
    const system = newSystem();
    const registry = new KeyRegistry<string>(system, { keys: 'unique' });
    let leaked: ProcessContext | undefined;
    const pid = system.spawn(async (self) => {
      leaked = self;
    });
    await waitUntil(() => !system.isAlive(pid));

    const error = thrownBy(() => registry.register(leaked!, 'ghost', 'value'));

    expect(hasCode(error, 'ERR_NOT_IN_PROCESS')).toBe(true);
    expect((error as Error).message).toContain(String(pid));
    expect(registry.lookup('ghost')).toEqual([]);
  });
});

describe('KeyRegistry options', () => {
  it('fails with ERR_INVALID_ARGUMENT naming a keys mode that is not unique or duplicate', () => {
    const system = newSystem();

    const error = thrownBy(() => new KeyRegistry(system, { keys: 'many' as 'unique' }));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"many"');
  });

  it('registers the system root when the caller is the system', () => {
    const system = newSystem();
    const registry = new KeyRegistry<number>(system, { keys: 'unique' });

    registry.register(system, 'root', 1);

    expect(registry.lookup('root')[0]!.pid.equals(system.pid)).toBe(true);
  });
});
