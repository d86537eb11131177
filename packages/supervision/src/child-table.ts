/**
 * The children of a supervisor in start order, found by id or by pid. A record keeps its spec
 * while its process comes and goes; `restarting` marks a child waiting for a restart.
 */
import type { Pid } from '@starweave/actors';
import type { BackoffState } from './backoff.js';
import type { ResolvedChildSpec } from './child-spec.js';

/** One child: its spec and its current process, if any. */
export interface ChildRecord extends BackoffState {
  readonly spec: ResolvedChildSpec;
  /** The running process, or undefined when the child is not running. */
  pid: Pid | undefined;
  /** True while the child waits for a restart (after a failed start or during a back-off). */
  restarting: boolean;
  /** Bumped whenever a scheduled restart of this child must no longer run. */
  generation: number;
}

/** Creates the record of a child that has not started. */
export function newRecord(spec: ResolvedChildSpec): ChildRecord {
  return { spec, pid: undefined, restarting: false, generation: 0, attempts: 0, startedAt: 0 };
}

/** The children of one supervisor. */
export class ChildTable {
  /** The records in start order. */
  readonly list: ChildRecord[] = [];
  private readonly byId = new Map<string, ChildRecord>();
  private readonly byPid = new Map<number, ChildRecord>();

  /** Returns the number of child specs. */
  get size(): number {
    return this.list.length;
  }

  /** Adds a record after every other (the last in start order). */
  add(record: ChildRecord): void {
    this.list.push(record);
    this.byId.set(record.spec.id, record);
    if (record.pid !== undefined) this.byPid.set(record.pid.id, record);
  }

  /** Removes a record with its pid entry and cancels its pending restart. */
  remove(record: ChildRecord): void {
    const index = this.list.indexOf(record);
    if (index >= 0) this.list.splice(index, 1);
    this.byId.delete(record.spec.id);
    if (record.pid !== undefined) this.byPid.delete(record.pid.id);
    record.generation++;
  }

  /** Sets the process of a record (undefined when it is not running). */
  setPid(record: ChildRecord, pid: Pid | undefined): void {
    if (record.pid !== undefined) this.byPid.delete(record.pid.id);
    record.pid = pid;
    if (pid !== undefined) this.byPid.set(pid.id, record);
  }

  /** Returns the record with `id`. */
  findById(id: string): ChildRecord | undefined {
    return this.byId.get(id);
  }

  /** Returns the record whose process is `pid`. */
  findByPid(pid: Pid): ChildRecord | undefined {
    const record = this.byPid.get(pid.id);
    return record?.pid?.equals(pid) ? record : undefined;
  }

  /** Returns the records from `record` to the last, in start order. */
  from(record: ChildRecord): ChildRecord[] {
    const index = this.list.indexOf(record);
    return index < 0 ? [] : this.list.slice(index);
  }
}
