/**
 * The actor system: the process table, the scheduler, names, links, monitors, timers and the
 * hooks that tests drive. Outside any process, the system itself acts as the caller: it owns a
 * root process (`system.pid`) that traps exits and whose mailbox `system.receive` reads.
 */
import { type Clock, realClock } from './clock.js';
import type { DemonitorOptions, Dest } from './context.js';
import { StarweaveError, checkTimeout, describe, invalidArgument } from './errors.js';
import { type Logger, pinoLogger } from './logger.js';
import type { Selected, Selector } from './match.js';
import { Pid, Ref, bindProcess, boundProcess } from './pid.js';
import {
  type DownMessage,
  type ExitMessage,
  type MonitorEntry,
  Proc,
  type ProcessStatus,
} from './process.js';
import { type Reason, formatReason, isNormalReason, isReason } from './reason.js';
import { ProcessTable } from './process-table.js';
import { Scheduler } from './scheduler.js';
import { checkSystemOptions } from './system-options.js';
import type { ProcessBody, SpawnOptions } from './spawn-options.js';
import { type Telemetry, createTelemetry } from './telemetry.js';
import { CallReply, ReplyRouter } from './reply-router.js';
import { type Deadline, DeadlineQueue } from './deadline-queue.js';

/**
 * What a send interceptor decides for one message: deliver it, drop it, deliver it after
 * `delayMs` on the system clock, or deliver `duplicate` copies in all.
 */
export type InterceptDecision =
  | 'deliver'
  | 'drop'
  | { delayMs: number }
  | { duplicate: number };

/** A hook called for every send between processes; it may drop, delay or duplicate the message. */
export type SendInterceptor = (send: { from: Pid; to: Pid; message: unknown }) => InterceptDecision;

/** Options of {@link ActorSystem}. */
export interface ActorSystemOptions {
  /** The node name in pids. Default `'local'`. */
  node?: string;
  /** The logger. Default: pino to standard error. */
  logger?: Logger;
  /** The time source for every timer. Default: the real clock. */
  clock?: Clock;
  /** A seed for random run-queue order, so a schedule can be replayed. Default: FIFO. */
  seed?: number;
  /** Reductions per scheduler slice. Default 20,000. */
  sliceBudget?: number;
  /** Reductions per process turn. Default 2,000. */
  processBudget?: number;
  /** Default mailbox length past which `process.mailbox_long` fires. Default 10,000. */
  mailboxWarning?: number;
}

/** Facts about one process, as {@link ActorSystem.processInfo} returns them. */
export interface ProcessInfo {
  pid: Pid;
  status: ProcessStatus;
  registeredName: string | undefined;
  mailboxLength: number;
  links: Pid[];
  /** Refs of the monitors this process holds. */
  monitors: Ref[];
  /** Pids of the processes watching this one (null entries are callbacks outside processes). */
  monitoredBy: Array<Pid | null>;
  trapExit: boolean;
  /** Messages handled or received so far. */
  reductions: number;
  /** An estimate of the bytes the process holds, not counting message contents. */
  memory: number;
  /** The behaviour label of a callback process, such as `'GenServer'`. */
  label: string | undefined;
}


interface Signal {
  to: Proc;
  from: Pid;
  reason: Reason;
  viaLink: boolean;
}

/**
 * A system of processes. Create one per application or per test; `shutdown` ends every process
 * and clears every timer, so nothing keeps Node running afterwards.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const echo = system.spawn(async (self) => {
 *   const { from, text } = await self.receive();
 *   self.send(from, { type: 'echo', text });
 * });
 * system.send(echo, { from: system.pid, text: 'hello' });
 * const reply = await system.receive((m: any) => m.type === 'echo', 1000);
 * console.assert(reply.text === 'hello');
 * await system.shutdown();
 * ```
 */
export class ActorSystem {
  /** The node name in this system's pids. */
  readonly node: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  /** @internal */
  readonly scheduler: Scheduler;
  /** @internal Routes call replies to waiting callers instead of their mailboxes. */
  readonly replies: ReplyRouter;
  /** @internal Timers and call timeouts, on the system clock. */
  readonly deadlines: DeadlineQueue;
  private readonly table = new ProcessTable<Proc>();
  private readonly names = new Map<string, Proc>();
  private readonly monitorsByRef = new Map<number, MonitorEntry>();
  private readonly timers = new Map<number, Deadline>();
  // The process each sendAfter timer to a pid is aimed at, so its end cancels the timer.
  private readonly timerTargets = new Map<number, Proc>();
  private nextPid = 0;
  private nextRef = 0;
  private interceptor: SendInterceptor | null = null;
  private readonly signals: Signal[] = [];
  // The async processes, the only ones whose code may run between awaits. isIdle looks only
  // at these, so it returns at once for a system of idle callback processes.
  private readonly mayRun = new Set<Proc>();
  private readonly downCallbacks: Array<() => void> = [];
  private draining = false;
  private stopped = false;
  private readonly defaultMailboxWarning: number;
  private readonly root: Proc;

  constructor(options: ActorSystemOptions = {}) {
    checkSystemOptions(options);
    this.node = options.node ?? 'local';
    this.logger = options.logger ?? pinoLogger();
    this.clock = options.clock ?? realClock;
    this.telemetry = createTelemetry();
    this.scheduler = new Scheduler({
      seed: options.seed,
      sliceBudget: options.sliceBudget,
      processBudget: options.processBudget,
    });
    this.replies = new ReplyRouter();
    this.deadlines = new DeadlineQueue(this.clock);
    this.defaultMailboxWarning = options.mailboxWarning ?? 10_000;
    this.root = new Proc(
      this,
      new Pid(this.node, this.nextPid++),
      () => undefined,
      true,
      this.defaultMailboxWarning,
    );
    this.root.markStarted();
    this.table.set(this.root.pid.id, this.root);
    bindProcess(this.root.pid, this.root);
  }

  /** The pid of the system's root process, the caller of operations made outside processes. */
  get pid(): Pid {
    return this.root.pid;
  }

  /** @internal The root process context, for behaviours that need a caller process. */
  get rootContext(): Proc {
    return this.root;
  }

  // ---- spawning ----

  /** Starts a process and returns its pid. */
  spawn(body: ProcessBody, options?: SpawnOptions): Pid {
    return this.spawnProc(body, options, null).pid;
  }

  /** Starts a process linked to the system's root; its exit arrives as an `EXIT` message. */
  spawnLink(body: ProcessBody, options?: SpawnOptions): Pid {
    return this.spawnProc(body, options, this.root).pid;
  }

  /** Starts a process watched by the system's root; returns its pid and the monitor's ref. */
  spawnMonitor(body: ProcessBody, options?: SpawnOptions): [Pid, Ref] {
    const child = this.spawnProc(body, options, null);
    return [child.pid, this.addMonitor(this.root, child.pid, null)];
  }

  /** @internal */
  spawnProc(body: ProcessBody, options: SpawnOptions | undefined, linkTo: Proc | null): Proc {
    this.checkRunning('spawn');
    if (typeof body !== 'function' && (body === null || typeof body !== 'object' || typeof body.handleMessage !== 'function')) {
      invalidArgument(
        'body',
        'an async function (self) => ... or an object with handleMessage(self, message)',
        body,
      );
    }
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      invalidArgument('options', 'an options object', options);
    }
    const name = options?.name;
    if (name !== undefined) this.checkName(name);
    const proc = new Proc(
      this,
      new Pid(this.node, this.nextPid++),
      body,
      options?.trapExit === true,
      options?.mailboxWarning ?? this.defaultMailboxWarning,
    );
    this.table.set(proc.pid.id, proc);
    bindProcess(proc.pid, proc);
    if (name !== undefined) {
      proc.name = name;
      this.names.set(name, proc);
    }
    if (linkTo !== null) this.addLink(linkTo, proc);
    if (this.telemetry.listenerCount('process.spawned') > 0) {
      this.emitEvent('process.spawned', { pid: proc.pid, name });
    }
    if (typeof body === 'function') this.mayRun.add(proc);
    if (proc.needsStart()) this.scheduler.enqueue(proc);
    return proc;
  }

  // ---- messages ----

  /** Sends `message` to a pid or registered name; a dead pid drops it silently. */
  send(dest: Dest, message: unknown): void {
    this.sendFrom(this.root, dest, message);
  }

  /** @internal */
  sendFrom(sender: Proc, dest: Dest, message: unknown): void {
    // The common case is a plain message to a live pid with no interceptor. Its path is kept
    // small so that V8 inlines it into the sender, and every other case takes the full path.
    if (dest instanceof Pid && this.interceptor === null && !(message instanceof CallReply)) {
      const target = boundProcess(dest) as Proc | undefined;
      if (target !== undefined && target.system === this) {
        target.deliver(message);
        return;
      }
    }
    this.sendChecked(sender, dest, message);
  }

  private sendChecked(sender: Proc, dest: Dest, message: unknown): void {
    let target: Proc | undefined;
    if (dest instanceof Pid) {
      target = this.procOf(dest);
    } else if (typeof dest === 'string') {
      target = this.names.get(dest);
      if (target === undefined) {
        throw new StarweaveError(
          'ERR_NOPROC',
          `no process is registered as ${describe(dest)}; check the name or send to a pid.`,
          { details: { name: dest } },
        );
      }
    } else {
      invalidArgument('dest', 'a Pid or a registered name', dest, 'Pass the pid that spawn returned.');
    }
    if (target === undefined) {
      // A reply to a caller that is gone still clears the pending call's slot.
      this.replies.drop(message);
      return;
    }
    if (this.interceptor !== null) {
      this.intercept(sender.pid, target, message);
      return;
    }
    if (this.replies.route(message)) return;
    target.deliver(message);
  }

  // Finds the live process of `pid` in this system: the record tied to the pid object at spawn
  // when there is one, else a table lookup, as for a decoded pid (a new object).
  private procOf(pid: Pid): Proc | undefined {
    const bound = boundProcess(pid) as Proc | undefined;
    if (bound !== undefined && bound.system === this) return bound;
    return pid.node === this.node ? this.table.get(pid.id) : undefined;
  }

  private intercept(from: Pid, target: Proc, message: unknown): void {
    const decision = this.interceptor!({ from, to: target.pid, message });
    if (decision === 'deliver') {
      if (!this.replies.route(message)) target.deliver(message);
    } else if (decision === 'drop') {
      this.replies.drop(message);
    } else if (typeof decision === 'object' && decision !== null && 'delayMs' in decision) {
      const { delayMs } = decision;
      if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
        invalidArgument('interceptor decision', '{ delayMs } with a non-negative finite number', decision);
      }
      const pid = target.pid;
      this.trackTimer(() => {
        const later = this.table.get(pid.id);
        if (later === undefined) return;
        if (!this.replies.route(message)) later.deliver(message);
      }, delayMs);
    } else if (typeof decision === 'object' && decision !== null && 'duplicate' in decision) {
      // { duplicate: n } delivers n copies in all.
      const copies = decision.duplicate;
      if (!Number.isInteger(copies) || copies < 1) {
        invalidArgument('interceptor decision', '{ duplicate } with a positive integer', decision);
      }
      for (let i = 0; i < copies; i++) {
        if (!this.replies.route(message)) target.deliver(message);
      }
    } else {
      invalidArgument('interceptor decision', "'deliver', 'drop', { delayMs } or { duplicate }", decision);
    }
  }

  /** Waits for a message to the system's root process; see `ProcessContext.receive`. */
  receive<S extends Selector | undefined>(
    selector?: S,
    timeoutMs?: number | 'infinity',
  ): Promise<[S] extends [undefined] ? any : Selected<S>> {
    return this.root.receive(selector, timeoutMs);
  }

  /** Like {@link ActorSystem.receive}, but resolves `undefined` on timeout. */
  tryReceive<S extends Selector | undefined>(
    selector: S,
    timeoutMs: number,
  ): Promise<([S] extends [undefined] ? any : Selected<S>) | undefined> {
    return this.root.tryReceive(selector, timeoutMs);
  }

  // ---- exits, links, monitors ----

  /**
   * Sends an exit signal with `reason` to `pid`, as from the system's root. `'kill'` cannot be
   * trapped and ends the process with `'killed'`.
   */
  exit(pid: Pid, reason: Reason, from: Pid = this.root.pid): void {
    if (!(pid instanceof Pid)) invalidArgument('pid', 'a Pid', pid);
    if (!isReason(reason)) {
      invalidArgument(
        'reason',
        "'normal', 'shutdown', { shutdown: value }, 'kill', 'killed', 'noproc', 'noconnection', 'timeout' or an Error",
        reason,
      );
    }
    const target = this.table.get(pid.id);
    if (target === undefined || pid.node !== this.node) return;
    this.signals.push({ to: target, from, reason, viaLink: false });
    this.drainSignals();
  }

  /** Links the system's root with `pid`. */
  link(pid: Pid): void {
    this.linkProcs(this.root, pid);
  }

  /** Removes a link between the system's root and `pid`. */
  unlink(pid: Pid): void {
    this.unlinkProcs(this.root, pid);
  }

  /**
   * Watches `dest`. With a callback, the `DOWN` message goes to the callback; without one it
   * goes to the system's mailbox (see {@link ActorSystem.receive}).
   */
  monitor(dest: Dest, onDown?: (down: DownMessage) => void): Ref {
    if (onDown !== undefined && typeof onDown !== 'function') {
      invalidArgument('onDown', 'a function', onDown);
    }
    return onDown === undefined ? this.addMonitor(this.root, dest, null) : this.addMonitor(null, dest, onDown);
  }

  /** Stops a monitor; returns true when it was active. */
  demonitor(ref: Ref, options?: DemonitorOptions): boolean {
    return this.root.demonitor(ref, options);
  }

  /** @internal */
  linkProcs(owner: Proc, pid: Pid): void {
    if (!(pid instanceof Pid)) invalidArgument('pid', 'a Pid', pid);
    const other = pid.node === this.node ? this.table.get(pid.id) : undefined;
    if (other === owner) return;
    if (other === undefined) {
      // Linking to a process that is already dead sends a noproc exit signal, as in Erlang.
      this.signals.push({ to: owner, from: pid, reason: 'noproc', viaLink: true });
      this.drainSignals();
      return;
    }
    this.addLink(owner, other);
  }

  private addLink(a: Proc, b: Proc): void {
    if (a.links === null) a.links = new Set();
    if (b.links === null) b.links = new Set();
    a.links.add(b);
    b.links.add(a);
  }

  /** @internal */
  unlinkProcs(owner: Proc, pid: Pid): void {
    if (!(pid instanceof Pid)) invalidArgument('pid', 'a Pid', pid);
    const other = this.table.get(pid.id);
    if (other === undefined || owner.links === null) return;
    owner.links.delete(other);
    other.links?.delete(owner);
  }

  /**
   * @internal Makes `watcher` (or `onDown`, outside processes) watch `dest`, and returns the
   * monitor's ref: `ref` when given, as a call passes its own, else a new one.
   */
  addMonitor(
    watcher: Proc | null,
    dest: Dest,
    onDown: ((down: DownMessage) => void) | null,
    ref: Ref = this.makeRef(),
  ): Ref {
    let target: Proc | undefined;
    let targetPid: Pid;
    if (dest instanceof Pid) {
      targetPid = dest;
      target = this.procOf(dest);
    } else if (typeof dest === 'string') {
      target = this.names.get(dest);
      targetPid = target?.pid ?? new Pid(this.node, -1);
    } else {
      invalidArgument('dest', 'a Pid or a registered name', dest);
    }
    const entry: MonitorEntry = { ref, watcher, target: targetPid, onDown };
    if (target === undefined) {
      // A monitor on a dead or unknown process fires at once with noproc.
      this.notifyDown(entry, 'noproc');
      this.flushDownCallbacks();
      return ref;
    }
    this.monitorsByRef.set(ref.id, entry);
    if (target.watchers === null) target.watchers = new Map();
    target.watchers.set(ref.id, entry);
    if (watcher !== null) {
      if (watcher.monitors === null) watcher.monitors = new Map();
      watcher.monitors.set(ref.id, entry);
    }
    return ref;
  }

  /**
   * @internal Removes a monitor. With `owner`, only a monitor that `owner` owns is removed, as
   * in Erlang, where demonitor ignores a ref the caller did not create; the root also owns the
   * callback monitors made outside processes.
   */
  removeMonitor(ref: Ref, owner?: Proc): boolean {
    if (!(ref instanceof Ref)) invalidArgument('ref', 'a Ref returned by monitor', ref);
    const entry = this.monitorsByRef.get(ref.id);
    if (entry === undefined) return false;
    if (owner !== undefined && entry.watcher !== owner) {
      if (owner !== this.root || entry.watcher !== null) return false;
    }
    this.monitorsByRef.delete(ref.id);
    entry.watcher?.monitors?.delete(ref.id);
    this.procOf(entry.target)?.watchers?.delete(ref.id);
    return true;
  }

  private notifyDown(entry: MonitorEntry, reason: Reason): void {
    const down: DownMessage = { type: 'DOWN', ref: entry.ref, pid: entry.target, reason };
    if (entry.onDown !== null) {
      const onDown = entry.onDown;
      this.downCallbacks.push(() => onDown(down));
    } else if (entry.watcher !== null && entry.watcher.alive) {
      entry.watcher.deliver(down);
    }
  }

  private flushDownCallbacks(): void {
    while (this.downCallbacks.length > 0) {
      const callback = this.downCallbacks.shift()!;
      try {
        callback();
      } catch (error) {
        this.logger.log('error', 'system.monitor_callback_failed', { reason: error });
      }
    }
  }

  /** @internal Ends a process whose code threw, with a crash report. */
  crash(proc: Proc, thrown: unknown): void {
    const reason: Reason = thrown instanceof Error ? thrown : wrapThrown(thrown);
    if (!isNormalReason(reason)) {
      this.logger.log('error', 'process.crashed', {
        pid: proc.pid,
        name: proc.name,
        label: proc.label(),
        lastMessage: proc.current,
        reason,
      });
    }
    this.terminate(proc, reason);
  }

  /** @internal Ends a process now with `reason` and notifies its links and monitors. */
  terminate(proc: Proc, reason: Reason): void {
    if (!proc.alive) return;
    proc.alive = false;
    if (proc === this.root) proc.failExternalWait();
    else proc.dropWait();
    this.table.delete(proc.pid.id);
    bindProcess(proc.pid, undefined);
    this.mayRun.delete(proc);
    // Names and keys are released before monitors fire, so a DOWN handler can re-register.
    if (proc.name !== undefined) {
      this.names.delete(proc.name);
    }
    if (proc.registrations !== null) {
      for (const holder of proc.registrations) holder.release(proc);
      proc.registrations = null;
    }
    if (proc.timers !== null) {
      for (const id of proc.timers) {
        const entry = this.timers.get(id);
        if (entry !== undefined) this.deadlines.cancel(entry);
        this.timers.delete(id);
        this.timerTargets.delete(id);
      }
      proc.timers = null;
    }
    if (proc.monitors !== null) {
      for (const [id, entry] of proc.monitors) {
        this.monitorsByRef.delete(id);
        this.table.get(entry.target.id)?.watchers?.delete(id);
      }
      proc.monitors = null;
    }
    if (proc.links !== null) {
      for (const other of proc.links) {
        other.links?.delete(proc);
        this.signals.push({ to: other, from: proc.pid, reason, viaLink: true });
      }
      proc.links = null;
    }
    if (proc.watchers !== null) {
      for (const [id, entry] of proc.watchers) {
        this.monitorsByRef.delete(id);
        entry.watcher?.monitors?.delete(id);
        this.notifyDown(entry, reason);
      }
      proc.watchers = null;
    }
    if (this.telemetry.listenerCount('process.exited') > 0) {
      this.emitEvent('process.exited', { pid: proc.pid, name: proc.name, reason });
    }
    proc.release();
    this.drainSignals();
  }

  // Exit signals are handled from a queue, not by recursion, so a long chain of links cannot
  // overflow the stack.
  private drainSignals(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.signals.length > 0) {
        const signal = this.signals.shift()!;
        this.handleSignal(signal);
      }
    } finally {
      this.draining = false;
    }
    this.flushDownCallbacks();
  }

  private handleSignal({ to, from, reason, viaLink }: Signal): void {
    if (!to.alive) return;
    if (reason === 'kill' && !viaLink) {
      this.terminate(to, 'killed');
      return;
    }
    if (to.trapping) {
      // The root keeps no EXIT message for a normal exit, so that tasks and servers linked to
      // the system and ending normally do not pile up in its mailbox.
      if (to === this.root && reason === 'normal') return;
      const message: ExitMessage = { type: 'EXIT', from, reason };
      to.deliver(message);
      return;
    }
    if (reason === 'normal') {
      // A normal exit signal from another process is ignored; from itself it ends the process.
      if (!viaLink && from.equals(to.pid)) this.terminate(to, 'normal');
      return;
    }
    if (viaLink && this.telemetry.listenerCount('process.link_exit') > 0) {
      this.emitEvent('process.link_exit', { pid: to.pid, from, reason });
    }
    this.terminate(to, reason);
  }

  // ---- names ----

  private checkName(name: unknown): asserts name is string {
    if (typeof name !== 'string' || name.length === 0) {
      invalidArgument('name', 'a non-empty string', name);
    }
    const holder = this.names.get(name);
    if (holder !== undefined) {
      throw new StarweaveError(
        'ERR_ALREADY_REGISTERED',
        `the name ${describe(name)} is already registered to ${holder.pid}; pick another name or unregister it first.`,
        { details: { name, pid: holder.pid } },
      );
    }
  }

  /** Registers `pid` under `name`; fails when the name is taken or the process is dead. */
  register(name: string, pid: Pid): void {
    this.checkName(name);
    if (!(pid instanceof Pid)) invalidArgument('pid', 'a Pid', pid);
    const proc = this.table.get(pid.id);
    if (proc === undefined || pid.node !== this.node) {
      throw new StarweaveError('ERR_NOPROC', `cannot register ${describe(name)}: process ${pid} is not alive.`, {
        details: { name, pid },
      });
    }
    if (proc.name !== undefined) {
      throw new StarweaveError(
        'ERR_ALREADY_REGISTERED',
        `process ${pid} is already registered as ${describe(proc.name)}; a process has at most one name.`,
        { details: { name, pid, existing: proc.name } },
      );
    }
    proc.name = name;
    this.names.set(name, proc);
  }

  /** Removes a name; returns false when it was not registered. */
  unregister(name: string): boolean {
    if (typeof name !== 'string') invalidArgument('name', 'a string', name);
    const proc = this.names.get(name);
    if (proc === undefined) return false;
    this.names.delete(name);
    proc.name = undefined;
    return true;
  }

  /** Returns the pid registered under `name`, or undefined. */
  whereis(name: string): Pid | undefined {
    return this.names.get(name)?.pid;
  }

  /** Returns every registered name. */
  registered(): string[] {
    return [...this.names.keys()];
  }

  /** Resolves a pid or name to a live pid, or undefined. */
  resolve(dest: Dest): Pid | undefined {
    if (dest instanceof Pid) return this.procOf(dest) === undefined ? undefined : dest;
    if (typeof dest === 'string') return this.names.get(dest)?.pid;
    return invalidArgument('dest', 'a Pid or a registered name', dest);
  }

  // ---- timers ----

  /** Sends `message` to `dest` after `delayMs` on the system clock; returns the timer's ref. */
  sendAfter(dest: Dest, message: unknown, delayMs: number): Ref {
    if (!(dest instanceof Pid) && typeof dest !== 'string') {
      invalidArgument('dest', 'a Pid or a registered name', dest);
    }
    const delay = checkTimeout('delayMs', delayMs);
    if (delay === 'infinity') invalidArgument('delayMs', 'a finite number of milliseconds', delayMs);
    if (dest instanceof Pid) {
      // As in Erlang, a timer aimed at a pid is cancelled when that process is not alive or
      // ends. A name is looked up only when the timer fires.
      const target = dest.node === this.node ? this.table.get(dest.id) : undefined;
      if (target === undefined) {
        this.checkRunning('sendAfter');
        return this.makeRef();
      }
      return this.trackTimer(() => this.sendFrom(this.root, dest, message), delay, target);
    }
    return this.trackTimer(() => {
      const target = this.names.get(dest);
      if (target !== undefined) this.sendFrom(this.root, target.pid, message);
    }, delay);
  }

  /** Cancels a timer; returns the milliseconds it had left, or false when it already fired. */
  cancelTimer(ref: Ref): number | false {
    if (!(ref instanceof Ref)) invalidArgument('ref', 'a Ref returned by sendAfter', ref);
    const entry = this.timers.get(ref.id);
    if (entry === undefined) return false;
    this.deadlines.cancel(entry);
    this.timers.delete(ref.id);
    this.untarget(ref.id);
    return Math.max(0, entry.due - this.clock.now());
  }

  /**
   * @internal Runs `callback` after `delayMs`; shutdown cancels it, and so does the end of
   * `target` when one is given.
   */
  trackTimer(callback: () => void, delayMs: number, target: Proc | null = null): Ref {
    this.checkRunning('sendAfter');
    const ref = this.makeRef();
    const entry = this.deadlines.schedule(delayMs, () => {
      this.timers.delete(ref.id);
      if (target !== null) this.untarget(ref.id);
      if (this.stopped) return;
      callback();
    });
    this.timers.set(ref.id, entry);
    if (target !== null) {
      this.timerTargets.set(ref.id, target);
      if (target.timers === null) target.timers = new Set();
      target.timers.add(ref.id);
    }
    return ref;
  }

  private untarget(id: number): void {
    const target = this.timerTargets.get(id);
    if (target === undefined) return;
    this.timerTargets.delete(id);
    target.timers?.delete(id);
  }

  /** Returns the number of timers that have not fired. */
  activeTimers(): number {
    return this.timers.size;
  }

  // ---- refs and hooks ----

  /** Returns a ref unique in this system. */
  makeRef(): Ref {
    return new Ref(this.node, this.nextRef++);
  }

  /** Installs a hook called for every send, for tests that simulate faults. Null removes it. */
  setSendInterceptor(interceptor: SendInterceptor | null): void {
    if (interceptor !== null && typeof interceptor !== 'function') {
      invalidArgument('interceptor', 'a function or null', interceptor);
    }
    this.interceptor = interceptor;
  }

  /** Sets a seed for random run-queue order (undefined restores first in, first out). */
  setSchedulerSeed(seed: number | undefined): void {
    if (seed !== undefined && !Number.isInteger(seed)) invalidArgument('seed', 'an integer', seed);
    this.scheduler.setSeed(seed);
  }

  /**
   * Returns true when no process has work: the run queue is empty and no process code is
   * running between awaits. Timers may still be pending.
   */
  isIdle(): boolean {
    if (this.scheduler.length > 0) return false;
    for (const proc of this.mayRun) {
      if (proc.busy()) return false;
    }
    return true;
  }

  // ---- introspection ----

  /** Returns true when `pid` is a live process of this system. */
  isAlive(pid: Pid): boolean {
    if (!(pid instanceof Pid)) invalidArgument('pid', 'a Pid', pid);
    return pid.node === this.node && this.table.has(pid.id);
  }

  /** Returns the pids of every live process, the root included. */
  processes(): Pid[] {
    const pids: Pid[] = [];
    for (const proc of this.table.values()) pids.push(proc.pid);
    return pids;
  }

  /** Returns the number of live processes, the root included. */
  processCount(): number {
    return this.table.size;
  }

  /** Returns facts about a live process, or undefined when it is dead. */
  processInfo(dest: Dest): ProcessInfo | undefined {
    const pid = this.resolve(dest);
    const proc = pid === undefined ? undefined : this.table.get(pid.id);
    if (proc === undefined) return undefined;
    const mailboxLength = proc.mailbox?.length ?? 0;
    const links = proc.links === null ? [] : [...proc.links].map((other) => other.pid);
    const monitors = proc.monitors === null ? [] : [...proc.monitors.values()].map((entry) => entry.ref);
    const monitoredBy = proc.watchers === null ? [] : [...proc.watchers.values()].map((entry) => entry.watcher?.pid ?? null);
    return {
      pid: proc.pid,
      status: proc.status(),
      registeredName: proc.name,
      mailboxLength,
      links,
      monitors,
      monitoredBy,
      trapExit: proc.trapping,
      reductions: proc.reductions,
      // Estimate: the record and pid, plus a slot per queued message, link and monitor.
      memory: 240 + mailboxLength * 16 + (links.length + monitors.length + monitoredBy.length) * 48,
      label: proc.label(),
    };
  }

  /** @internal The live process record for a pid or name. */
  lookup(dest: Dest): Proc | undefined {
    if (dest instanceof Pid) return this.procOf(dest);
    const pid = this.resolve(dest);
    return pid === undefined ? undefined : this.table.get(pid.id);
  }

  /**
   * @internal Makes `onDown` run when the live process `target` ends, under the call's `ref`.
   * Unlike {@link ActorSystem.addMonitor} it is not filed by ref, because only the call that
   * made it removes it, with {@link ActorSystem.unwatchForCall}.
   */
  watchForCall(target: Proc, ref: Ref, onDown: (down: DownMessage) => void): void {
    const entry: MonitorEntry = { ref, watcher: null, target: target.pid, onDown };
    if (target.watchers === null) target.watchers = new Map();
    target.watchers.set(ref.id, entry);
  }

  /** @internal Removes a watch made by {@link ActorSystem.watchForCall}. */
  unwatchForCall(target: Proc, ref: Ref): void {
    target.watchers?.delete(ref.id);
  }

  /** @internal */
  emitMailboxLong(proc: Proc, length: number): void {
    this.logger.log('warn', 'process.mailbox_long', {
      pid: proc.pid,
      name: proc.name,
      length,
      threshold: proc.mailboxWarning,
    });
    this.emitEvent('process.mailbox_long', {
      pid: proc.pid,
      name: proc.name,
      length,
      threshold: proc.mailboxWarning,
    });
  }

  /**
   * @internal Calls each telemetry listener of `event`. Events fire in the middle of spawns,
   * exits and sends, so a listener that throws is detached and logged, as Erlang's telemetry
   * does with a failing handler, instead of leaving that step half done.
   */
  emitEvent(event: string, payload: unknown): void {
    for (const listener of this.telemetry.rawListeners(event)) {
      try {
        listener(payload);
      } catch (error) {
        this.telemetry.removeListener(event, listener);
        this.logger.log('error', 'system.telemetry_listener_failed', { event, reason: error });
      }
    }
  }

  // ---- lifecycle ----

  private checkRunning(operation: string): void {
    if (this.stopped) {
      throw new StarweaveError(
        'ERR_SYSTEM_STOPPED',
        `${operation} was called after the actor system shut down; create a new ActorSystem.`,
      );
    }
  }

  /** Returns true once {@link ActorSystem.shutdown} has run. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Ends every process with `'shutdown'` (links and monitors fire as usual), cancels every
   * timer, fails every pending call with ERR_SYSTEM_STOPPED and stops the scheduler. Stop
   * supervision trees gracefully before this when children need their shutdown time.
   */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    // Stopped first, so that a DOWN callback run by the exits below cannot spawn a process
    // or set a timer that would outlive the shutdown.
    this.stopped = true;
    for (const proc of [...this.table.values()]) {
      if (proc !== this.root) this.terminate(proc, 'shutdown');
    }
    this.terminate(this.root, 'shutdown');
    this.scheduler.stop();
    this.deadlines.clear();
    this.timers.clear();
    this.timerTargets.clear();
    this.replies.failAll(
      new StarweaveError('ERR_SYSTEM_STOPPED', 'the actor system shut down while a call was pending'),
    );
    this.telemetry.removeAllListeners();
    // Lets promise callbacks of ended processes settle before the caller goes on.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function wrapThrown(thrown: unknown): Error {
  const error = new Error(`process threw a non-Error value: ${describe(thrown)}`);
  (error as Error & { thrown?: unknown }).thrown = thrown;
  return error;
}

export { formatReason };
