/**
 * The process record: one per live process, holding its mailbox, links, monitors, flags and
 * receive state. It is also the `self` context handed to process code, so an idle process
 * costs one object plus its pid.
 */
import type { DemonitorOptions, Dest, ProcessContext } from './context.js';
import { StarweaveError, checkTimeout, describe, invalidArgument } from './errors.js';
import { Mailbox } from './mailbox.js';
import { type Selector, toPredicate } from './match.js';
import { type Pid, Ref } from './pid.js';
import { type Reason, isReason } from './reason.js';
import type { Runnable } from './scheduler.js';
import type { ProcessBody, ProcessFunction, ProcessHandler, SpawnOptions } from './spawn-options.js';
import type { ActorSystem } from './system.js';
import type { TimerHandle } from './clock.js';

/** Process states as introspection reports them. */
export type ProcessStatus = 'runnable' | 'running' | 'waiting' | 'suspended' | 'exiting';

const enum Kind {
  Callback = 0,
  Async = 1,
}

/** A monitor held by a watcher on a target process. */
export interface MonitorEntry {
  readonly ref: Ref;
  /** The watching process, or null when a callback outside any process watches. */
  readonly watcher: Proc | null;
  readonly target: Pid;
  readonly onDown: ((down: DownMessage) => void) | null;
}

/** The message a monitor delivers. */
export interface DownMessage {
  type: 'DOWN';
  ref: Ref;
  pid: Pid;
  reason: Reason;
}

/** The message a trapping process gets for an exit signal. */
export interface ExitMessage {
  type: 'EXIT';
  from: Pid;
  reason: Reason;
}

/** Something that holds a process's registrations and must release them at its exit. */
export interface RegistrationHolder {
  release(proc: Proc): void;
}

/**
 * The receive an async process waits in: the predicate (null for any message), where the scan
 * resumes, how to resume the waiting code, and its timer. A process has one only while it
 * waits, so an idle process does not carry these fields.
 */
interface ReceiveWait {
  readonly predicate: ((message: unknown) => boolean) | null;
  from: number;
  readonly resolve: (message: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: TimerHandle | undefined;
  readonly undefinedOnTimeout: boolean;
}

/** Thrown into nothing: marks an async process function that continues after its process ended. */
const EXITED = Symbol('starweave.exited');

/** @internal The record and context of one process. */
export class Proc implements ProcessContext, Runnable {
  // V8 lays fields out in declaration order, so the ones that a send and a dispatch read come
  // first and share the record's first cache lines; in a ring of 10,000 processes each hop
  // finds a different record cold.
  readonly system: ActorSystem;
  mailbox: Mailbox | null = null;
  scheduled = false;
  private suspended = false;
  alive = true;
  private started = false;
  private readonly kind: Kind;
  private body: ProcessBody | null;
  reductions = 0;
  /** Extra reductions charged by the handler running now, added to the scheduler's count. */
  private charged = 0;
  /**
   * The message a crash report names: the last one an async process received, or the one a
   * callback process was handling when it failed or suspended. Dispatch sets it only then, so
   * an idle process keeps no message alive and a dispatch costs no store into an old record.
   */
  current: unknown = undefined;
  mailboxWarning: number;
  private warned = false;
  readonly pid: Pid;
  trapping = false;
  name: string | undefined = undefined;
  links: Set<Proc> | null = null;
  /** Monitors this process holds on others, by ref id. */
  monitors: Map<number, MonitorEntry> | null = null;
  /** Monitors others hold on this process, by ref id. */
  watchers: Map<number, MonitorEntry> | null = null;
  registrations: Set<RegistrationHolder> | null = null;
  /** Ref ids of the sendAfter timers aimed at this process; its end cancels them. */
  timers: Set<number> | null = null;
  // True from the call of an async process function until its promise settles. Code of a
  // process that ended meanwhile is stopped quietly; a context used after that gets errors.
  private codeRunning = false;
  // True for the system's root, whose receives are awaited by code outside any process.
  private external = false;
  private wait: ReceiveWait | null = null;

  constructor(
    system: ActorSystem,
    pid: Pid,
    body: ProcessBody,
    trapExit: boolean,
    mailboxWarning: number,
  ) {
    this.system = system;
    this.pid = pid;
    this.body = body;
    this.kind = typeof body === 'function' ? Kind.Async : Kind.Callback;
    this.trapping = trapExit;
    this.mailboxWarning = mailboxWarning;
  }

  /** Marks the process as running without calling its body; used for the system's root. */
  markStarted(): void {
    this.started = true;
    this.external = true;
  }

  /** True when the process has an `init` or a function still to start. */
  needsStart(): boolean {
    return this.kind === Kind.Async || (this.body as ProcessHandler).init !== undefined;
  }

  /** The label of a callback process, for introspection. */
  label(): string | undefined {
    return this.kind === Kind.Callback ? (this.body as ProcessHandler | null)?.label : undefined;
  }

  status(): ProcessStatus {
    if (!this.alive) return 'exiting';
    if (this.suspended) return 'suspended';
    if (this.wait !== null) return 'waiting';
    if (this.scheduled) return 'runnable';
    return this.kind === Kind.Async && this.started ? 'running' : 'waiting';
  }

  /** True while async code of this process may run: it is neither waiting nor idle. */
  busy(): boolean {
    // A suspended callback process waits for a promise, as a receive waits for a message; it
    // has nothing to run until that promise settles.
    if (!this.alive || this.suspended) return false;
    return this.kind === Kind.Async && this.started && this.wait === null;
  }

  // ---- delivery (called by the system) ----

  /** Appends a message and wakes the process when it can act on it. */
  deliver(message: unknown): void {
    let box = this.mailbox;
    if (box === null) {
      box = new Mailbox();
      this.mailbox = box;
    }
    box.push(message);
    if (box.length > this.mailboxWarning) this.warnMailbox(box.length);
    if (this.scheduled || this.suspended) return;
    if (this.kind === Kind.Callback) {
      if (this.started || !this.needsStart()) this.system.scheduler.enqueue(this);
    } else if (this.wait !== null) {
      this.system.scheduler.enqueue(this);
    }
  }

  private warnMailbox(length: number): void {
    if (this.warned) return;
    this.warned = true;
    this.system.emitMailboxLong(this, length);
  }

  // ---- running (called by the scheduler) ----

  run(budget: number): number {
    if (!this.alive) return 0;
    // A message sent while a handler ran can queue the process before the handler returned a
    // promise. The process must not run until that promise settles, so resuming queues it again.
    if (this.suspended) return 1;
    if (!this.started) {
      this.started = true;
      if (this.kind === Kind.Async) {
        this.startFunction();
        return 1;
      }
      const handler = this.body as ProcessHandler;
      if (handler.init !== undefined) {
        try {
          const result = handler.init(this);
          if (isThenable(result)) {
            this.suspend(result);
            return 1;
          }
        } catch (error) {
          this.system.crash(this, error);
          return 1;
        }
      }
    }
    if (this.kind === Kind.Async) return this.scanForWaiter();
    return this.dispatch(budget);
  }

  /**
   * Counts `count` more reductions for the message being handled, so that a handler that did
   * the work of many messages (a batch of events) yields to the event loop as soon as they would.
   */
  chargeReductions(count: number): void {
    if (count > 0) this.charged += count;
  }

  private dispatch(budget: number): number {
    const box = this.mailbox;
    if (box === null) return 1;
    const handler = this.body as ProcessHandler;
    let used = 0;
    while (used < budget && box.length > 0) {
      const message = box.shift();
      used++;
      this.reductions++;
      try {
        const result = handler.handleMessage(this, message);
        if (this.charged !== 0) {
          used += this.charged;
          this.charged = 0;
        }
        if (result !== undefined && isThenable(result)) {
          this.current = message;
          this.suspend(result);
          return used;
        }
      } catch (error) {
        this.current = message;
        this.system.crash(this, error);
        return used;
      }
      if (!this.alive) return used;
    }
    if (box.length > 0) this.system.scheduler.enqueue(this);
    else if (this.warned && box.length === 0) this.warned = false;
    return used;
  }

  private suspend(promise: PromiseLike<unknown>): void {
    this.suspended = true;
    promise.then(
      () => {
        if (!this.alive) return;
        this.suspended = false;
        if (this.mailbox !== null && this.mailbox.length > 0) this.system.scheduler.enqueue(this);
      },
      (error: unknown) => {
        if (!this.alive) return;
        this.suspended = false;
        this.system.crash(this, error);
      },
    );
  }

  private startFunction(): void {
    const fn = this.body as ProcessFunction;
    let result: unknown;
    this.codeRunning = true;
    try {
      result = fn(this);
    } catch (error) {
      this.codeRunning = false;
      if (error !== EXITED) this.system.crash(this, error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        () => {
          this.codeRunning = false;
          if (this.alive) this.system.terminate(this, 'normal');
        },
        (error: unknown) => {
          this.codeRunning = false;
          if (this.alive && error !== EXITED) this.system.crash(this, error);
        },
      );
      return;
    }
    this.codeRunning = false;
    if (this.alive) {
      this.system.terminate(this, 'normal');
    }
  }

  private scanForWaiter(): number {
    const box = this.mailbox;
    const wait = this.wait;
    if (box === null || wait === null) return 1;
    const predicate = wait.predicate;
    let scanned = 0;
    for (let i = wait.from; i < box.length; i++) {
      scanned++;
      const message = box.at(i);
      let matched: boolean;
      try {
        matched = predicate === null || predicate(message);
      } catch (error) {
        // The selector runs in the scheduler's slice here; its error goes to the waiting code,
        // never up into the scheduler.
        this.clearWait();
        wait.reject(error);
        return scanned;
      }
      if (matched) {
        box.removeAt(i);
        this.reductions++;
        this.current = message;
        if (this.warned && box.length === 0) this.warned = false;
        this.clearWait();
        wait.resolve(message);
        return scanned;
      }
    }
    wait.from = box.length;
    return scanned > 0 ? scanned : 1;
  }

  private clearWait(): void {
    const wait = this.wait;
    if (wait === null) return;
    if (wait.timer !== undefined) {
      this.system.clock.clearTimeout(wait.timer);
      wait.timer = undefined;
    }
    this.wait = null;
  }

  /** Ends the receive state of a dead process; its pending receive never settles. */
  dropWait(): void {
    this.clearWait();
  }

  /**
   * Ends the receive state of the system's root as it ends: code outside the system awaits
   * that receive, so it fails with ERR_SYSTEM_STOPPED instead of hanging.
   */
  failExternalWait(): void {
    const wait = this.wait;
    this.clearWait();
    if (this.external && wait !== null) wait.reject(this.stoppedError());
  }

  private stoppedError(): StarweaveError {
    return new StarweaveError(
      'ERR_SYSTEM_STOPPED',
      `the system's root process ${this.pid} has ended, so system.receive cannot wait; the system shut down.`,
    );
  }

  /** Releases what the process holds so that a lingering reference keeps little alive. */
  release(): void {
    this.body = null;
    this.mailbox = null;
    this.current = undefined;
  }

  // ---- ProcessContext ----

  private ensureAlive(operation: string): void {
    if (!this.alive) {
      if (this.codeRunning) throw EXITED;
      throw this.endedError(operation);
    }
  }

  private endedError(operation: string): StarweaveError {
    return new StarweaveError(
      'ERR_NOT_IN_PROCESS',
      `${operation} was called on process ${this.pid} after it ended; keep the context inside the process that owns it.`,
    );
  }

  send(dest: Dest, message: unknown): void {
    // The check is spelled out here rather than through ensureAlive, one call fewer on the
    // path that runs before V8 optimizes it.
    if (!this.alive) this.ensureAlive('send');
    this.system.sendFrom(this, dest, message);
  }

  receive(selector?: Selector, timeoutMs?: number | 'infinity'): Promise<any> {
    return this.startReceive(selector, timeoutMs ?? 'infinity', false);
  }

  tryReceive(selector: Selector | undefined, timeoutMs: number): Promise<any> {
    return this.startReceive(selector, timeoutMs, true);
  }

  private startReceive(
    selector: Selector | undefined,
    timeoutMs: number | 'infinity',
    undefinedOnTimeout: boolean,
  ): Promise<any> {
    if (!this.alive) {
      // The process ended while its code still ran; the code stops here for good.
      if (this.codeRunning) return new Promise(() => {});
      return Promise.reject(this.external ? this.stoppedError() : this.endedError('receive'));
    }
    if (this.kind !== Kind.Async) {
      return Promise.reject(
        new StarweaveError(
          'ERR_NOT_IN_PROCESS',
          `receive was called in callback process ${this.pid}; callback processes get messages through handleMessage. Spawn an async function to use receive.`,
        ),
      );
    }
    if (this.wait !== null) {
      return Promise.reject(
        new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `process ${this.pid} is already waiting in receive; await each receive before starting the next.`,
        ),
      );
    }
    let timeout: number | 'infinity';
    let predicate: ((message: unknown) => boolean) | null;
    try {
      timeout = checkTimeout('timeoutMs', timeoutMs);
      predicate = toPredicate(selector);
    } catch (error) {
      return Promise.reject(error);
    }
    // A new receive scans the whole mailbox from the oldest message.
    const box = this.mailbox;
    if (box !== null) {
      for (let i = 0; i < box.length; i++) {
        const message = box.at(i);
        let matched: boolean;
        try {
          matched = predicate === null || predicate(message);
        } catch (error) {
          return Promise.reject(error);
        }
        if (matched) {
          box.removeAt(i);
          this.reductions++;
          this.current = message;
          // A drained mailbox re-arms the long-mailbox warning, as in handleMessage dispatch.
          if (this.warned && box.length === 0) this.warned = false;
          return Promise.resolve(message);
        }
      }
    }
    if (timeout === 0) {
      return undefinedOnTimeout ? Promise.resolve(undefined) : Promise.reject(this.receiveTimeout(0));
    }
    return new Promise((resolve, reject) => {
      const wait: ReceiveWait = {
        predicate,
        from: box === null ? 0 : box.length,
        resolve,
        reject,
        timer: undefined,
        undefinedOnTimeout,
      };
      this.wait = wait;
      if (timeout !== 'infinity') {
        wait.timer = this.system.clock.setTimeout(() => {
          wait.timer = undefined;
          if (!this.alive || this.wait !== wait) return;
          this.clearWait();
          if (wait.undefinedOnTimeout) wait.resolve(undefined);
          else wait.reject(this.receiveTimeout(timeout));
        }, timeout);
      }
    });
  }

  private receiveTimeout(timeoutMs: number): StarweaveError {
    return new StarweaveError(
      'ERR_RECEIVE_TIMEOUT',
      `process ${this.pid} received no matching message within ${timeoutMs} ms`,
      { details: { pid: this.pid, timeoutMs } },
    );
  }

  link(pid: Pid): void {
    this.ensureAlive('link');
    this.system.linkProcs(this, pid);
  }

  unlink(pid: Pid): void {
    this.ensureAlive('unlink');
    this.system.unlinkProcs(this, pid);
  }

  monitor(dest: Dest): Ref {
    this.ensureAlive('monitor');
    return this.system.addMonitor(this, dest, null);
  }

  demonitor(ref: Ref, options?: DemonitorOptions): boolean {
    this.ensureAlive('demonitor');
    const active = this.system.removeMonitor(ref, this);
    if (options?.flush === true && this.mailbox !== null) this.flushDown(ref);
    return active;
  }

  // Removes the DOWN messages of `ref`. A receive may be waiting (the root's, driven from
  // outside), so its scan position moves back by each removal before it, or it would skip
  // the messages that arrive next.
  private flushDown(ref: Ref): void {
    const box = this.mailbox!;
    for (let i = box.length - 1; i >= 0; i--) {
      const message = box.at(i) as DownMessage | null;
      if (message?.type !== 'DOWN' || !(message.ref instanceof Ref) || !message.ref.equals(ref)) {
        continue;
      }
      box.removeAt(i);
      if (this.wait !== null && i < this.wait.from) this.wait.from--;
    }
  }

  trapExit(flag: boolean): boolean {
    this.ensureAlive('trapExit');
    if (typeof flag !== 'boolean') invalidArgument('flag', 'a boolean', flag);
    const previous = this.trapping;
    this.trapping = flag;
    return previous;
  }

  spawn(body: ProcessBody, options?: SpawnOptions): Pid {
    this.ensureAlive('spawn');
    return this.system.spawnProc(body, options, null).pid;
  }

  spawnLink(body: ProcessBody, options?: SpawnOptions): Pid {
    this.ensureAlive('spawnLink');
    return this.system.spawnProc(body, options, this).pid;
  }

  spawnMonitor(body: ProcessBody, options?: SpawnOptions): [Pid, Ref] {
    this.ensureAlive('spawnMonitor');
    const child = this.system.spawnProc(body, options, null);
    return [child.pid, this.system.addMonitor(this, child.pid, null)];
  }

  exit(pidOrReason: Pid | Reason, reason?: Reason): void {
    this.ensureAlive('exit');
    if (arguments.length < 2) {
      const own = pidOrReason as Reason;
      if (!isReason(own)) invalidArgument('reason', 'an exit reason', own);
      this.system.terminate(this, own);
      if (this.kind === Kind.Async) throw EXITED;
      return;
    }
    this.system.exit(pidOrReason as Pid, reason as Reason, this.pid);
  }

  register(name: string): void {
    this.ensureAlive('register');
    this.system.register(name, this.pid);
  }

  sendAfter(dest: Dest, message: unknown, delayMs: number): Ref {
    this.ensureAlive('sendAfter');
    return this.system.sendAfter(dest, message, delayMs);
  }

  cancelTimer(ref: Ref): number | false {
    return this.system.cancelTimer(ref);
  }

  toString(): string {
    return `Process ${this.pid}${this.name ? ` (${this.name})` : ''}`;
  }

  /** Describes the process for error messages. */
  describe(): string {
    return this.name ? `${this.pid} (${describe(this.name)})` : String(this.pid);
  }
}

/** Returns true for a promise or other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export { EXITED };
