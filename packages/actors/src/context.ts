/**
 * The process context: the operations a process performs on itself and others. Callback
 * handlers and async process functions both receive it as `self`.
 */
import type { ActorSystem } from './system.js';
import type { Pid, Ref } from './pid.js';
import type { Reason } from './reason.js';
import type { Selected, Selector } from './match.js';
import type { ProcessBody, SpawnOptions } from './spawn-options.js';

/** A process name or pid: where a message or a call can go. */
export type Dest = Pid | string;

/** Options of {@link ProcessContext.demonitor}. */
export interface DemonitorOptions {
  /** Also removes a `DOWN` message of this monitor already in the mailbox. Default false. */
  flush?: boolean;
}

/** The operations of a running process. */
export interface ProcessContext {
  /** The pid of this process. */
  readonly pid: Pid;
  /** The system the process runs in. */
  readonly system: ActorSystem;

  /** Sends `message` to a pid or registered name; a dead pid drops it silently. */
  send(dest: Dest, message: unknown): void;
  /**
   * Waits for the oldest message that `selector` accepts (any message when omitted), leaving
   * others in the mailbox in order. Fails with ERR_RECEIVE_TIMEOUT after `timeoutMs`.
   */
  // S has no default type: with one, TypeScript checked a predicate whose parameter has no
  // annotation, such as `(m) => m.type === 'ping'`, against that default and rejected it.
  receive<S extends Selector | undefined>(
    selector?: S,
    timeoutMs?: number | 'infinity',
  ): Promise<[S] extends [undefined] ? any : Selected<S>>;
  /** Like {@link ProcessContext.receive}, but resolves `undefined` on timeout. */
  tryReceive<S extends Selector | undefined>(
    selector: S,
    timeoutMs: number,
  ): Promise<([S] extends [undefined] ? any : Selected<S>) | undefined>;

  /** Links this process with `pid`; a dead `pid` sends this process a `'noproc'` exit signal. */
  link(pid: Pid): void;
  /** Removes a link; unknown links are ignored. */
  unlink(pid: Pid): void;
  /** Watches `dest`; one `{ type: 'DOWN', ref, pid, reason }` message arrives when it ends. */
  monitor(dest: Dest): Ref;
  /** Stops a monitor; returns true when it was active. */
  demonitor(ref: Ref, options?: DemonitorOptions): boolean;
  /** Sets the trap-exit flag and returns the previous value. */
  trapExit(flag: boolean): boolean;

  /** Starts a process. */
  spawn(body: ProcessBody, options?: SpawnOptions): Pid;
  /** Starts a process linked to this one. */
  spawnLink(body: ProcessBody, options?: SpawnOptions): Pid;
  /** Starts a process watched by this one; returns its pid and the monitor's ref. */
  spawnMonitor(body: ProcessBody, options?: SpawnOptions): [Pid, Ref];

  /** Ends this process with `reason`. */
  exit(reason: Reason): void;
  /** Sends an exit signal with `reason` to `pid`. */
  exit(pid: Pid, reason: Reason): void;

  /** Registers this process under `name`. */
  register(name: string): void;

  /**
   * Counts extra reductions for the message being handled, so that a callback process that
   * handles a batch (such as a stage's events) yields to the event loop as often as it would
   * for that many messages.
   */
  chargeReductions(count: number): void;

  /** Sends `message` to `dest` after `delayMs`; returns the timer's ref. */
  sendAfter(dest: Dest, message: unknown, delayMs: number): Ref;
  /** Cancels a timer; returns the milliseconds it had left, or false when it had fired or was unknown. */
  cancelTimer(ref: Ref): number | false;
}
