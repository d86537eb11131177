/**
 * Traces: what happened in a system, in order, for a failing test to print. A trace records
 * sends (with the fault applied to each), receives made through the kit's assertions, spawns,
 * exits, exits over links, supervisor restarts and any other telemetry events named.
 */
import {
  type ActorSystem,
  formatReason,
  invalidArgument,
  type Pid,
  type Reason,
} from '@starweave/actors';
import { appendToMessage } from './failure-note.js';
import { formatValue } from './format-value.js';
import { kitState, sendLayer } from './kit-state.js';

/** One recorded event; `seq` orders entries and `atMs` is the time since the trace started. */
export type TraceEntry =
  | {
      kind: 'send';
      seq: number;
      atMs: number;
      from: Pid;
      to: Pid;
      message: unknown;
      fault: string | undefined;
    }
  | { kind: 'receive'; seq: number; atMs: number; pid: Pid; message: unknown }
  | { kind: 'spawn'; seq: number; atMs: number; pid: Pid; name: string | undefined }
  | { kind: 'exit'; seq: number; atMs: number; pid: Pid; name: string | undefined; reason: Reason }
  | { kind: 'link_exit'; seq: number; atMs: number; pid: Pid; from: Pid; reason: Reason }
  | { kind: 'restart'; seq: number; atMs: number; fields: unknown }
  | { kind: 'event'; seq: number; atMs: number; event: string; fields: unknown }
  | { kind: 'note'; seq: number; atMs: number; text: string };

/** Options of {@link startTrace}. */
export interface TraceOptions {
  /** Entries kept; older ones are dropped and counted. Default 5,000. */
  maxEntries?: number;
  /** Records every send between processes. Default true. */
  sends?: boolean;
  /** More telemetry event names to record, such as `'stage.events_dropped'`. Default none. */
  events?: readonly string[];
}

/** Options of {@link Trace.format}. */
export interface TraceFormatOptions {
  /** Prints only the last `last` entries. Default: all that are kept. */
  last?: number;
}

/** The telemetry events every trace records; the supervisor events come from supervision. */
export const TRACED_EVENTS = [
  'process.spawned',
  'process.exited',
  'process.link_exit',
  'supervisor.child_started',
  'supervisor.child_exited',
  'supervisor.child_restarted',
  'supervisor.restart_scheduled',
  'supervisor.shutdown',
  'supervisor.auto_shutdown',
  'supervisor.start_error',
  'supervisor.shutdown_error',
] as const;

/** A running record of one system's events; create it with {@link startTrace}. */
export class Trace {
  // A ring of the last `maxEntries` entries: `oldest` is the index of the oldest, `size` how many are kept.
  private ring: TraceEntry[] = [];
  private oldest = 0;
  private size = 0;
  private seq = 0;
  private droppedCount = 0;
  private readonly startMs: number;
  private readonly maxEntries: number;
  private readonly detach: Array<() => void> = [];
  private stopped = false;

  /** @internal Use {@link startTrace}. */
  constructor(
    private readonly system: ActorSystem,
    options: TraceOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 5000;
    this.startMs = system.clock.now();
  }

  /** Returns a copy of the kept entries, oldest first. */
  entries(): TraceEntry[] {
    const out: TraceEntry[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.ring[(this.oldest + i) % this.maxEntries]!;
    return out;
  }

  /** Returns the number of entries dropped because the trace was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Returns true once {@link Trace.stop} has run. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Adds a line of the test's own, such as `'phase 2: kill the cache'`. */
  note(text: string): void {
    if (typeof text !== 'string') invalidArgument('text', 'a string', text);
    this.record({ kind: 'note', text });
  }

  /** Drops every entry kept so far. */
  clear(): void {
    this.ring = [];
    this.oldest = 0;
    this.size = 0;
    this.droppedCount = 0;
  }

  /** Stops recording; the entries stay readable. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const undo of this.detach.splice(0)) undo();
  }

  /** Formats the entries as lines of text: time, kind and details. */
  format(options: TraceFormatOptions = {}): string {
    const last = options.last ?? this.size;
    if (!Number.isInteger(last) || last < 0) {
      invalidArgument('last', 'a non-negative integer', last);
    }
    const kept = this.entries();
    const shown = last === 0 ? [] : kept.slice(-last);
    const omitted = this.droppedCount + kept.length - shown.length;
    const header =
      `trace of ${this.seq} events` +
      (omitted > 0 ? ` (the first ${omitted} not shown)` : '') +
      ', times in ms since the trace started:';
    return [header, ...shown.map(formatEntry)].join('\n');
  }

  /** @internal */
  attach(options: TraceOptions): void {
    const telemetry = this.system.telemetry;
    const listen = (event: string, handler: (payload: any) => void) => {
      telemetry.on(event, handler);
      this.detach.push(() => telemetry.off(event, handler));
    };
    listen('process.spawned', (e: { pid: Pid; name: string | undefined }) =>
      this.record({ kind: 'spawn', pid: e.pid, name: e.name }),
    );
    listen('process.exited', (e: { pid: Pid; name: string | undefined; reason: Reason }) =>
      this.record({ kind: 'exit', pid: e.pid, name: e.name, reason: e.reason }),
    );
    listen('process.link_exit', (e: { pid: Pid; from: Pid; reason: Reason }) =>
      this.record({ kind: 'link_exit', pid: e.pid, from: e.from, reason: e.reason }),
    );
    listen('supervisor.child_restarted', (fields: unknown) =>
      this.record({ kind: 'restart', fields }),
    );
    const others = new Set<string>([...TRACED_EVENTS.slice(4), ...(options.events ?? [])]);
    others.delete('supervisor.child_restarted');
    for (const event of TRACED_EVENTS.slice(0, 3)) others.delete(event);
    for (const event of others) {
      listen(event, (fields: unknown) => this.record({ kind: 'event', event, fields }));
    }

    if (options.sends ?? true) {
      this.detach.push(
        sendLayer(this.system).addObserver((send, verdict) =>
          this.record({
            kind: 'send',
            from: send.from,
            to: send.to,
            message: send.message,
            fault: verdict?.label,
          }),
        ),
      );
    }
    const state = kitState(this.system);
    const onReceive = (pid: Pid, message: unknown) =>
      this.record({ kind: 'receive', pid, message });
    state.receiveListeners.add(onReceive);
    this.detach.push(() => state.receiveListeners.delete(onReceive));
    const onNote = (text: string) => this.record({ kind: 'note', text });
    state.noteListeners.add(onNote);
    this.detach.push(() => state.noteListeners.delete(onNote));
  }

  private record(entry: DistributiveOmit<TraceEntry, 'seq' | 'atMs'>): void {
    if (this.stopped) return;
    // Adding the two fields in place is far cheaper than an object spread on this hot path.
    const full = entry as TraceEntry;
    full.seq = this.seq++;
    full.atMs = this.system.clock.now() - this.startMs;
    if (this.size < this.maxEntries) {
      this.ring[(this.oldest + this.size) % this.maxEntries] = full;
      this.size++;
    } else {
      this.ring[this.oldest] = full;
      this.oldest = (this.oldest + 1) % this.maxEntries;
      this.droppedCount++;
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function formatEntry(entry: TraceEntry): string {
  const time = Number.isInteger(entry.atMs) ? String(entry.atMs) : entry.atMs.toFixed(1);
  return `${time.padStart(8)}  ${entry.kind.padEnd(9)} ${describeEntry(entry)}`;
}

function describeEntry(entry: TraceEntry): string {
  switch (entry.kind) {
    case 'send': {
      const fault = entry.fault === undefined ? '' : `  [${entry.fault}]`;
      return `${entry.from} -> ${entry.to}  ${formatValue(entry.message)}${fault}`;
    }
    case 'receive':
      return `${entry.pid} took ${formatValue(entry.message)}`;
    case 'spawn':
      return named(entry.pid, entry.name);
    case 'exit':
      return `${named(entry.pid, entry.name)} reason ${formatReason(entry.reason)}`;
    case 'link_exit':
      return `${entry.pid} ended by the link to ${entry.from}, reason ${formatReason(entry.reason)}`;
    case 'restart':
      return describeFields(entry.fields);
    case 'event':
      return `${entry.event} ${describeFields(entry.fields)}`;
    case 'note':
      return entry.text;
  }
}

// Prints a supervisor report as `supervisor <0.2.0> child 'w1' <0.9.0> reason killed`, and
// any other payload as a value.
function describeFields(fields: unknown): string {
  if (fields === null || typeof fields !== 'object' || !('supervisor' in fields)) {
    return formatValue(fields);
  }
  const report = fields as {
    supervisor: Pid;
    supervisorName?: string;
    childId?: string;
    childPid?: Pid;
    reason?: Reason;
    delayMs?: number;
  };
  const parts = [`supervisor ${named(report.supervisor, report.supervisorName)}`];
  if (report.childId !== undefined || report.childPid !== undefined) {
    const id = report.childId === undefined ? '' : ` ${formatValue(report.childId)}`;
    const pid = report.childPid === undefined ? '' : ` ${report.childPid}`;
    parts.push(`child${id}${pid}`);
  }
  if ('reason' in report && report.reason !== undefined) {
    parts.push(`reason ${formatReason(report.reason)}`);
  }
  if (report.delayMs !== undefined) parts.push(`delay ${report.delayMs} ms`);
  return parts.join(' ');
}

function named(pid: Pid, name: string | undefined): string {
  return name === undefined ? String(pid) : `${pid} (${name})`;
}

/**
 * Starts recording a trace of `system`. Stop it with {@link Trace.stop}. A system's shutdown
 * removes its telemetry listeners, so a trace left running records nothing after it.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { startTrace } from '@starweave/testing';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const trace = startTrace(system);
 * const pid = system.spawn({ handleMessage() {} });
 * system.send(pid, { type: 'ping' });
 * system.exit(pid, 'kill');
 * assert.deepEqual(trace.entries().map((entry) => entry.kind), ['spawn', 'send', 'exit']);
 * assert.match(trace.format(), /send .*\{ type: 'ping' \}/);
 * trace.stop();
 * await system.shutdown();
 * ```
 */
export function startTrace(system: ActorSystem, options: TraceOptions = {}): Trace {
  if (
    system === null ||
    typeof system !== 'object' ||
    typeof system.setSendInterceptor !== 'function'
  ) {
    invalidArgument('system', 'an ActorSystem', system);
  }
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  const maxEntries = options.maxEntries ?? 5000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    invalidArgument('maxEntries', 'a positive integer', maxEntries);
  }
  if (options.events !== undefined && !Array.isArray(options.events)) {
    invalidArgument('events', 'an array of telemetry event names', options.events);
  }
  const trace = new Trace(system, options);
  trace.attach(options);
  return trace;
}

/**
 * Appends `trace.format()` (the last `last` entries, default 60) to `error`'s message and
 * returns the error, so a test runner prints the trace with the failure.
 */
export function attachTrace(error: unknown, trace: Trace, options: TraceFormatOptions = {}): Error {
  if (!(trace instanceof Trace)) invalidArgument('trace', 'a Trace from startTrace', trace);
  return appendToMessage(error, trace.format({ last: options.last ?? 60 }));
}

/**
 * Runs `fn` with a fresh trace of `system`. When `fn` fails, the trace is appended to the
 * error's message. The trace stops when `fn` ends.
 */
export async function withTrace<T>(
  system: ActorSystem,
  fn: (trace: Trace) => T | Promise<T>,
): Promise<T> {
  if (typeof fn !== 'function') invalidArgument('fn', 'a function (trace) => ...', fn);
  const trace = startTrace(system);
  try {
    return await fn(trace);
  } catch (error) {
    throw attachTrace(error, trace);
  } finally {
    trace.stop();
  }
}
