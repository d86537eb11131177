/**
 * Crash injection: a process ends with a given reason at the moment its next message would be
 * delivered, as if handling that message had thrown.
 */

import type { Pid, Reason } from '@starweave/actors';
import { type ActorSystem, invalidArgument, type Selector, toPredicate } from '@starweave/actors';
import { formatValue } from './format-value.js';
import { checkReason, type ProcessTarget, resolveTargets } from './kill.js';
import { sendLayer } from './kit-state.js';
import type { RuleVerdict, SendEvent, SendRule } from './send-layer.js';
import { checkSystem } from './system-argument.js';

/** Options of {@link crashOnNextMessage}. */
export interface CrashOptions {
  /**
   * The exit reason. Default: an Error naming the message, so a crash report is logged as for
   * a thrown error. A reason that is not an Error ends the process without a crash report.
   */
  reason?: Reason;
  /** Only a message that this pattern or predicate accepts triggers the crash. Default: any. */
  match?: Selector;
}

/** A pending crash injection. */
export interface CrashInjection {
  /** The process that will crash. */
  readonly pid: Pid;
  /** True once the process has crashed on a message. */
  readonly fired: boolean;
  /** The message it crashed on, once fired. */
  readonly message: unknown;
  /** Withdraws the injection if it has not fired. */
  cancel(): void;
}

class CrashRule implements SendRule, CrashInjection {
  fired = false;
  message: unknown = undefined;
  private active = true;

  constructor(
    private readonly system: ActorSystem,
    readonly pid: Pid,
    private readonly reason: Reason | undefined,
    private readonly matches: ((message: unknown) => boolean) | null,
  ) {}

  decide(send: SendEvent): RuleVerdict | undefined {
    if (!this.active || !send.to.equals(this.pid)) return undefined;
    if (this.matches !== null && !this.matches(send.message)) return undefined;
    this.active = false;
    this.fired = true;
    this.message = send.message;
    sendLayer(this.system).removeRule(this);
    return {
      decision: 'drop',
      label: `crash injected in ${this.pid}`,
      after: () => this.crash(send.message),
    };
  }

  onRemove(): void {
    this.active = false;
  }

  cancel(): void {
    sendLayer(this.system).removeRule(this);
  }

  private crash(message: unknown): void {
    const proc = this.system.lookup(this.pid);
    if (proc === undefined) return;
    // The crash report then names the message as the last one the process handled.
    proc.current = message;
    const reason =
      this.reason ??
      new Error(`crash injected by crashOnNextMessage on message ${formatValue(message)}`);
    if (reason instanceof Error) this.system.crash(proc, reason);
    else this.system.terminate(proc, reason);
  }
}

/**
 * Makes a process crash on its next message: when a message (matching `match`, if given) is
 * sent to it, the message is dropped and the process ends at once with `reason`, whether or
 * not it traps exits. Links and monitors then fire as for any crash; a caller blocked in a
 * GenServer call to it fails with ERR_CALL_EXIT.
 *
 * The injection works through the send interceptor, so it fires on sends (including call
 * replies and `sendAfter` messages) but not on the `EXIT` and `DOWN` messages that links and
 * monitors deliver.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ActorSystem, GenServer, silentLogger, isStarweaveError } from '@starweave/actors';
 * import { crashOnNextMessage } from '@starweave/testing';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const server = await GenServer.start(system, {
 *   init: () => ({ state: 0 }),
 *   handleCall: (_request, _from, n) => ({ reply: n, state: n }),
 * }, undefined);
 * const injection = crashOnNextMessage(system, server);
 * const failure = await GenServer.call(system, server, { type: 'get' }).catch((error) => error);
 * assert.ok(isStarweaveError(failure, 'ERR_CALL_EXIT'));
 * assert.equal(injection.fired, true);
 * await system.shutdown();
 * ```
 */
export function crashOnNextMessage(
  system: ActorSystem,
  target: ProcessTarget,
  options: CrashOptions = {},
): CrashInjection {
  checkSystem(system);
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  if (options.reason !== undefined) checkReason(options.reason);
  const pids = resolveTargets(system, target);
  if (pids.length !== 1) {
    invalidArgument(
      'target',
      'exactly one live process',
      target,
      `The predicate matched ${pids.length} processes; narrow it or pass a pid.`,
    );
  }
  const rule = new CrashRule(system, pids[0]!, options.reason, toPredicate(options.match));
  sendLayer(system).addRule(rule);
  return rule;
}
