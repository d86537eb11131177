/**
 * A keyed registry, as Elixir's Registry: processes register under keys with a value, either
 * one process per key (`'unique'`) or many (`'duplicate'`, for pub/sub dispatch). Entries of a
 * process are released when it ends, before its monitors fire.
 */
import { callerContext, type Caller } from './caller.js';
import { StarweaveError, describe, invalidArgument } from './errors.js';
import type { Pid } from './pid.js';
import type { Proc, RegistrationHolder } from './process.js';
import type { ActorSystem } from './system.js';

/** Options of {@link KeyRegistry}. */
export interface KeyRegistryOptions {
  /** `'unique'`: one process per key; `'duplicate'`: any number. */
  keys: 'unique' | 'duplicate';
}

/** One registration: the process and the value it registered with. */
export interface RegistryEntry<V> {
  pid: Pid;
  value: V;
}

/**
 * A keyed registry bound to one system.
 *
 * @example
 * ```ts
 * import { ActorSystem, KeyRegistry, silentLogger } from '@starweave/actors';
 * const system = new ActorSystem({ logger: silentLogger });
 * const topics = new KeyRegistry<string>(system, { keys: 'duplicate' });
 * const listener = system.spawn(async (self) => {
 *   topics.register(self, 'prices', 'eur');
 *   const tick = await self.receive();
 *   self.send(system.pid, { type: 'got', tick });
 * });
 * while (topics.lookup('prices').length === 0) await new Promise((r) => setTimeout(r, 1));
 * topics.dispatch('prices', (entries) => {
 *   for (const { pid } of entries) system.send(pid, 42);
 * });
 * const got = await system.receive((m: any) => m.type === 'got', 1000);
 * console.assert(got.tick === 42);
 * await system.shutdown();
 * ```
 */
export class KeyRegistry<V = unknown> implements RegistrationHolder {
  private readonly mode: 'unique' | 'duplicate';
  // Entries under each key, by pid id; a process may register a duplicate key more than once.
  private readonly byKey = new Map<unknown, Map<number, RegistryEntry<V>[]>>();
  private readonly byProc = new Map<Proc, Set<unknown>>();

  constructor(
    readonly system: ActorSystem,
    options: KeyRegistryOptions,
  ) {
    if (options?.keys !== 'unique' && options?.keys !== 'duplicate') {
      invalidArgument('options.keys', "'unique' or 'duplicate'", options?.keys);
    }
    this.mode = options.keys;
  }

  /** Registers the calling process under `key` with `value`. */
  register(caller: Caller, key: unknown, value: V): void {
    const proc = callerContext(caller) as Proc;
    // An ended process is never released again, so its entry would stay for good.
    if (!proc.alive) {
      throw new StarweaveError(
        'ERR_NOT_IN_PROCESS',
        `cannot register key ${describe(key)}: process ${proc.pid} has ended; register from a live process.`,
        { details: { key, pid: proc.pid } },
      );
    }
    let entries = this.byKey.get(key);
    if (entries === undefined) {
      entries = new Map();
      this.byKey.set(key, entries);
    }
    // A unique key takes one registration, even from the process that holds it, as in Elixir.
    if (this.mode === 'unique' && entries.size > 0) {
      const holder = (entries.values().next().value as RegistryEntry<V>[])[0]!;
      throw new StarweaveError(
        'ERR_ALREADY_REGISTERED',
        `key ${describe(key)} is already registered to ${holder.pid}; unique keys allow one registration.`,
        { details: { key, pid: holder.pid } },
      );
    }
    const own = entries.get(proc.pid.id);
    if (own === undefined) entries.set(proc.pid.id, [{ pid: proc.pid, value }]);
    else own.push({ pid: proc.pid, value });
    let keys = this.byProc.get(proc);
    if (keys === undefined) {
      keys = new Set();
      this.byProc.set(proc, keys);
      if (proc.registrations === null) proc.registrations = new Set();
      proc.registrations.add(this);
    }
    keys.add(key);
  }

  /** Removes every entry of the calling process under `key`. */
  unregister(caller: Caller, key: unknown): void {
    const proc = callerContext(caller) as Proc;
    this.byKey.get(key)?.delete(proc.pid.id);
    if (this.byKey.get(key)?.size === 0) this.byKey.delete(key);
    this.byProc.get(proc)?.delete(key);
  }

  /** Returns the entries under `key`. */
  lookup(key: unknown): RegistryEntry<V>[] {
    const entries = this.byKey.get(key);
    return entries === undefined ? [] : [...entries.values()].flat();
  }

  /** Calls `callback` with the entries under `key`, when there are any; returns their count. */
  dispatch(key: unknown, callback: (entries: RegistryEntry<V>[]) => void): number {
    const entries = this.lookup(key);
    if (entries.length > 0) callback(entries);
    return entries.length;
  }

  /** Returns the keys a process is registered under, once per registration. */
  keys(pid: Pid): unknown[] {
    for (const [proc, keys] of this.byProc) {
      if (!proc.pid.equals(pid)) continue;
      const all: unknown[] = [];
      for (const key of keys) {
        const count = this.byKey.get(key)?.get(pid.id)?.length ?? 0;
        for (let i = 0; i < count; i++) all.push(key);
      }
      return all;
    }
    return [];
  }

  /** Returns the number of entries. */
  count(): number {
    let total = 0;
    for (const entries of this.byKey.values()) {
      for (const own of entries.values()) total += own.length;
    }
    return total;
  }

  /** @internal Drops every entry of an ended process. */
  release(proc: Proc): void {
    const keys = this.byProc.get(proc);
    if (keys === undefined) return;
    for (const key of keys) {
      const entries = this.byKey.get(key);
      entries?.delete(proc.pid.id);
      if (entries?.size === 0) this.byKey.delete(key);
    }
    this.byProc.delete(proc);
  }
}
