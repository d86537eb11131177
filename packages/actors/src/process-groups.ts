/**
 * Process groups, as Erlang's `pg`: named groups that processes join and leave; members are
 * removed when they end.
 */
import { invalidArgument } from './errors.js';
import { Pid } from './pid.js';
import type { Proc, RegistrationHolder } from './process.js';
import type { ActorSystem } from './system.js';

/**
 * Named groups of processes in one system.
 *
 * @example
 * ```ts
 * import { ActorSystem, ProcessGroups, silentLogger } from '@starweave/actors';
 * const system = new ActorSystem({ logger: silentLogger });
 * const groups = new ProcessGroups(system);
 * const worker = system.spawn({ handleMessage() {} });
 * groups.join('workers', worker);
 * console.assert(groups.members('workers').length === 1);
 * system.exit(worker, 'kill');
 * console.assert(groups.members('workers').length === 0);
 * await system.shutdown();
 * ```
 */
export class ProcessGroups implements RegistrationHolder {
  private readonly groups = new Map<string, Map<number, { pid: Pid; count: number }>>();
  private readonly byProc = new Map<Proc, Set<string>>();

  constructor(readonly system: ActorSystem) {}

  /** Adds `pid` to `group`; a process may join a group more than once, as in `pg`. */
  join(group: string, pid: Pid): void {
    if (typeof group !== 'string') invalidArgument('group', 'a string', group);
    if (!(pid instanceof Pid)) invalidArgument('pid', 'a Pid', pid);
    const proc = this.system.lookup(pid);
    if (proc === undefined) return;
    let members = this.groups.get(group);
    if (members === undefined) {
      members = new Map();
      this.groups.set(group, members);
    }
    const member = members.get(pid.id);
    if (member === undefined) members.set(pid.id, { pid, count: 1 });
    else member.count++;
    let joined = this.byProc.get(proc);
    if (joined === undefined) {
      joined = new Set();
      this.byProc.set(proc, joined);
      if (proc.registrations === null) proc.registrations = new Set();
      proc.registrations.add(this);
    }
    joined.add(group);
  }

  /** Removes one membership of `pid` in `group`; returns false when it was not a member. */
  leave(group: string, pid: Pid): boolean {
    const members = this.groups.get(group);
    const member = members?.get(pid.id);
    if (members === undefined || member === undefined) return false;
    member.count--;
    if (member.count === 0) {
      members.delete(pid.id);
      if (members.size === 0) this.groups.delete(group);
      const proc = this.system.lookup(pid);
      if (proc !== undefined) this.byProc.get(proc)?.delete(group);
    }
    return true;
  }

  /** Returns the members of `group`, once per membership. */
  members(group: string): Pid[] {
    const members = this.groups.get(group);
    if (members === undefined) return [];
    const pids: Pid[] = [];
    for (const { pid, count } of members.values()) for (let i = 0; i < count; i++) pids.push(pid);
    return pids;
  }

  /** Returns the names of groups with at least one member. */
  whichGroups(): string[] {
    return [...this.groups.keys()];
  }

  /** @internal */
  release(proc: Proc): void {
    const joined = this.byProc.get(proc);
    if (joined === undefined) return;
    for (const group of joined) {
      const members = this.groups.get(group);
      members?.delete(proc.pid.id);
      if (members?.size === 0) this.groups.delete(group);
    }
    this.byProc.delete(proc);
  }
}
