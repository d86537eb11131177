/**
 * State machines: an xstate 5 machine hosted as a process, in the role of gen_statem. Messages
 * with a `type` go to the machine as events. Delayed transitions run on the system clock, so
 * virtual time drives them in tests. A final state ends the process normally, and an error in
 * an action ends it with that error.
 */
import { type AnyStateMachine, type Actor, type Snapshot, createActor } from 'xstate';
import { type Caller, callerContext } from './caller.js';
import type { Dest, ProcessContext } from './context.js';
import { invalidArgument, StarweaveError } from './errors.js';
import { request } from './gen-server/call.js';
import type { From } from './gen-server/types.js';
import { type Pid, Ref } from './pid.js';
import { type Proc } from './process.js';
import { CallReply } from './reply-router.js';
import type { ProcessHandler } from './spawn-options.js';

/** The introspected state of a hosted machine. */
export interface MachineSnapshot {
  /** The state value, such as `'locked'` or `{ connection: 'open' }`. */
  value: unknown;
  context: unknown;
  /** `'active'`, `'done'`, `'error'` or `'stopped'`, as xstate reports it. */
  status: string;
}

/** Options of {@link startLink}. */
export interface MachineStartOptions {
  /** The machine's input. */
  input?: unknown;
  /** Registers the process under this name. */
  name?: string;
}

class SnapshotRequest {
  constructor(readonly from: From) {}
}

class WaitRequest {
  constructor(
    readonly from: From,
    readonly predicate: (snapshot: MachineSnapshot) => boolean,
  ) {}
}

function view(snapshot: Snapshot<unknown>): MachineSnapshot {
  const full = snapshot as Snapshot<unknown> & { value?: unknown; context?: unknown };
  return { value: full.value, context: full.context, status: full.status };
}

class MachineHost implements ProcessHandler {
  readonly label = 'StateMachine';
  private actor: Actor<AnyStateMachine> | null = null;
  private waiters: WaitRequest[] = [];

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly options: MachineStartOptions,
    private readonly onStarted: (error?: unknown) => void,
  ) {}

  init(self: ProcessContext): void {
    const proc = self as Proc;
    const system = proc.system;
    try {
      // Delayed transitions use the system's tracked timers, so shutdown cancels them and no
      // pending transition keeps Node.js running.
      const actor = createActor(this.machine, {
        input: this.options.input,
        clock: {
          setTimeout: (fn: (...args: any[]) => void, ms: number) =>
            system.trackTimer(() => this.deliverTimer(proc, fn), ms),
          clearTimeout: (handle: any) => {
            if (handle instanceof Ref) system.cancelTimer(handle);
          },
        },
      });
      // The actor stops with its process, which cancels its delayed transitions.
      system.addMonitor(null, proc.pid, () => actor.stop());
      this.actor = actor;
      actor.subscribe({
        next: (snapshot) => this.onSnapshot(proc, snapshot),
        error: (error) => {
          if (proc.alive) proc.system.crash(proc, error);
        },
        complete: () => {
          if (proc.alive) proc.system.terminate(proc, 'normal');
        },
      });
      actor.start();
    } catch (error) {
      this.onStarted(error);
      throw error;
    }
    this.onStarted();
  }

  // A delayed transition runs as a step of this process: skipped once the process has ended.
  private deliverTimer(proc: Proc, fn: () => void): void {
    if (!proc.alive) return;
    try {
      fn();
    } catch (error) {
      proc.system.crash(proc, error);
    }
  }

  private onSnapshot(proc: Proc, snapshot: Snapshot<unknown>): void {
    if (this.waiters.length === 0) return;
    const current = view(snapshot);
    const still: WaitRequest[] = [];
    for (const waiter of this.waiters) {
      if (waiter.predicate(current)) proc.send(waiter.from.pid, new CallReply(waiter.from.ref, current));
      else still.push(waiter);
    }
    this.waiters = still;
  }

  handleMessage(self: ProcessContext, message: unknown): void {
    const actor = this.actor!;
    if (message instanceof SnapshotRequest) {
      self.send(message.from.pid, new CallReply(message.from.ref, view(actor.getSnapshot())));
      return;
    }
    if (message instanceof WaitRequest) {
      const current = view(actor.getSnapshot());
      if (message.predicate(current)) self.send(message.from.pid, new CallReply(message.from.ref, current));
      else this.waiters.push(message);
      return;
    }
    if (message !== null && typeof message === 'object' && typeof (message as { type?: unknown }).type === 'string') {
      actor.send(message as { type: string });
      return;
    }
    (self as Proc).system.logger.log('warn', 'state_machine.unexpected_message', { pid: self.pid, message });
  }
}

/**
 * Starts a process that hosts `machine`, linked to the caller; resolves once the machine has
 * started.
 *
 * @example
 * ```ts
 * import { createMachine } from 'xstate';
 * import { ActorSystem, StateMachine, silentLogger } from '@starweave/actors';
 *
 * const toggle = createMachine({
 *   initial: 'off',
 *   states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } },
 * });
 * const system = new ActorSystem({ logger: silentLogger });
 * const pid = await StateMachine.startLink(system, toggle);
 * system.send(pid, { type: 'flip' });
 * const snapshot = await StateMachine.waitFor(system, pid, (s) => s.value === 'on', 1000);
 * console.assert(snapshot.value === 'on');
 * await system.shutdown();
 * ```
 */
export function startLink(caller: Caller, machine: AnyStateMachine, options: MachineStartOptions = {}): Promise<Pid> {
  return startMachine(caller, machine, options, true);
}

/** Starts a machine process with no link to the caller. */
export function start(caller: Caller, machine: AnyStateMachine, options: MachineStartOptions = {}): Promise<Pid> {
  return startMachine(caller, machine, options, false);
}

function startMachine(caller: Caller, machine: AnyStateMachine, options: MachineStartOptions, link: boolean): Promise<Pid> {
  if (machine === null || typeof machine !== 'object' || typeof (machine as { transition?: unknown }).transition !== 'function') {
    invalidArgument('machine', 'an xstate machine from createMachine or setup().createMachine', machine);
  }
  const ctx = callerContext(caller) as Proc;
  return new Promise((resolve, reject) => {
    let pid: Pid | null = null;
    const host = new MachineHost(machine, options, (error) => {
      if (error === undefined) {
        resolve(pid!);
        return;
      }
      if (link && ctx.trapping && pid !== null) ctx.system.unlinkProcs(ctx, pid);
      reject(
        new StarweaveError('ERR_START_FAILED', `state machine failed to start: ${String(error)}`, {
          cause: error,
          details: { reason: error },
        }),
      );
    });
    pid = ctx.system.spawnProc(host, { name: options.name }, link ? ctx : null).pid;
  });
}

/** Returns the machine's current state value, context and status. */
export function getSnapshot(caller: Caller, machine: Dest, timeoutMs: number | 'infinity' = 5000): Promise<MachineSnapshot> {
  return request(caller, machine, (from) => new SnapshotRequest(from), timeoutMs, 'getSnapshot') as Promise<MachineSnapshot>;
}

/**
 * Waits until the machine reaches a snapshot that `predicate` accepts (a state value string is
 * compared with the snapshot's value). Fails with ERR_CALL_TIMEOUT, or ERR_CALL_EXIT when the
 * machine's process ends first.
 */
export function waitFor(
  caller: Caller,
  machine: Dest,
  predicate: ((snapshot: MachineSnapshot) => boolean) | string,
  timeoutMs: number | 'infinity' = 5000,
): Promise<MachineSnapshot> {
  const test = typeof predicate === 'string' ? (s: MachineSnapshot) => s.value === predicate : predicate;
  if (typeof test !== 'function') invalidArgument('predicate', 'a function of the snapshot or a state value', predicate);
  return request(caller, machine, (from) => new WaitRequest(from, test), timeoutMs, 'waitFor') as Promise<MachineSnapshot>;
}

/** Sends an event to the machine; the same as `send` with a `{ type }` message. */
export function send(caller: Caller, machine: Dest, event: { type: string; [key: string]: unknown }): void {
  if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
    invalidArgument('event', 'an object with a string type', event);
  }
  callerContext(caller).send(machine, event);
}
