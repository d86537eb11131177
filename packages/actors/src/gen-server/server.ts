/**
 * The GenServer loop: a callback process that turns envelopes into callback calls, applies
 * their results, and runs `terminate` where OTP does.
 */
import type { ProcessContext } from '../context.js';
import { StarweaveError, describe } from '../errors.js';
import type { Pid, Ref } from '../pid.js';
import { isThenable, type Proc } from '../process.js';
import { type Reason, isNormalReason, isReason } from '../reason.js';
import { CallReply } from '../reply-router.js';
import type { ProcessHandler } from '../spawn-options.js';
import { CallEnvelope, CastEnvelope, InactivityTimeout, InspectEnvelope, StopEnvelope } from './envelopes.js';
import type { From, GenServerSpec, ResultOptions, ServerStatus } from './types.js';

type AnySpec = GenServerSpec<any, any, any, any>;
type Phase = 'init' | 'handleCall' | 'handleCast' | 'handleInfo' | 'handleContinue';

/** @internal How `init` ended, reported to the starting caller. */
export type InitOutcome = { ok: true } | { ok: false; reason: Reason } | { ignore: true };

/** @internal The handler of one GenServer process. */
export class ServerLoop implements ProcessHandler {
  readonly label: string;
  private state: unknown = undefined;
  private timeoutGeneration = 0;
  private timeoutRef: Ref | null = null;
  private lastMessage: unknown = undefined;

  constructor(
    private readonly spec: AnySpec,
    private readonly arg: unknown,
    private readonly parent: Pid | null,
    private readonly onInit: (outcome: InitOutcome) => void,
  ) {
    this.label = spec.name ?? 'GenServer';
  }

  init(self: ProcessContext): unknown {
    let result: unknown;
    try {
      result = this.spec.init(this.arg, self);
    } catch (error) {
      return this.failInit(self, asReason(error));
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => this.afterInit(self, value),
        (error: unknown) => this.failInit(self, asReason(error)),
      );
    }
    return this.afterInit(self, result);
  }

  private afterInit(self: ProcessContext, result: unknown): unknown {
    if (isObject(result) && 'ignore' in result && result.ignore === true) {
      this.onInit({ ignore: true });
      this.exitQuietly(self, 'normal');
      return undefined;
    }
    if (isObject(result) && 'stop' in result) {
      if (!isReason(result.stop)) return this.failInit(self, badReturn(this.label, 'init', result));
      return this.failInit(self, result.stop);
    }
    if (!isObject(result) || !('state' in result)) {
      return this.failInit(self, badReturn(this.label, 'init', result));
    }
    this.state = result.state;
    this.onInit({ ok: true });
    return this.applyOptions(self, result as ResultOptions);
  }

  private failInit(self: ProcessContext, reason: Reason): void {
    this.onInit({ ok: false, reason });
    this.exitQuietly(self, reason);
  }

  // The starter learns of an init failure from its result, so the exit itself is not reported
  // again as a crash.
  private exitQuietly(self: ProcessContext, reason: Reason): void {
    const proc = self as Proc;
    proc.system.terminate(proc, reason);
  }

  handleMessage(self: ProcessContext, message: unknown): unknown {
    if (message instanceof InactivityTimeout) {
      if (message.generation !== this.timeoutGeneration) return undefined;
      this.timeoutRef = null;
      return this.invoke(self, 'handleInfo', { type: 'timeout' });
    }
    this.cancelTimeout(self);
    this.lastMessage = message;
    if (message instanceof CallEnvelope) return this.invoke(self, 'handleCall', message);
    if (message instanceof CastEnvelope) return this.invoke(self, 'handleCast', message.request);
    if (message instanceof StopEnvelope) return this.finish(self, message.reason, false);
    if (message instanceof InspectEnvelope) {
      const value = message.what === 'state' ? this.state : this.status(self);
      self.send(message.from.pid, new CallReply(message.from.ref, value));
      return undefined;
    }
    if (
      this.parent !== null &&
      (self as Proc).trapping &&
      isObject(message) &&
      message.type === 'EXIT' &&
      this.parent.equals(message.from)
    ) {
      // An exit signal from the parent ends a trapping server through terminate, as OTP does.
      return this.finish(self, message.reason as Reason, false);
    }
    return this.invoke(self, 'handleInfo', message);
  }

  private invoke(self: ProcessContext, phase: Phase, input: unknown): unknown {
    let result: unknown;
    try {
      result = this.callback(self, phase, input);
    } catch (error) {
      return this.finish(self, asReason(error), true);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => this.apply(self, phase, input, value),
        (error: unknown) => this.finish(self, asReason(error), true),
      );
    }
    return this.apply(self, phase, input, result);
  }

  private callback(self: ProcessContext, phase: Phase, input: unknown): unknown {
    const spec = this.spec;
    switch (phase) {
      case 'handleCall': {
        const call = input as CallEnvelope;
        if (spec.handleCall === undefined) throw badCall(this.label, call.request);
        return spec.handleCall(call.request, call.from, this.state, self);
      }
      case 'handleCast':
        if (spec.handleCast === undefined) {
          throw new StarweaveError('ERR_BAD_CALL', `${this.label} ${self.pid} got a cast ${describe(input)} but defines no handleCast`, { details: { request: input } });
        }
        return spec.handleCast(input, this.state, self);
      case 'handleContinue':
        if (spec.handleContinue === undefined) {
          throw new StarweaveError('ERR_BAD_RETURN', `${this.label} ${self.pid} returned continue but defines no handleContinue`);
        }
        return spec.handleContinue(input, this.state, self);
      default:
        if (spec.handleInfo === undefined) {
          // OTP's default handle_info logs the unexpected message and keeps going.
          (self as Proc).system.logger.log('warn', 'gen_server.unexpected_message', {
            pid: self.pid,
            name: (self as Proc).name,
            label: this.label,
            message: input,
          });
          return { noreply: true, state: this.state };
        }
        return spec.handleInfo(input, this.state, self);
    }
  }

  private apply(self: ProcessContext, phase: Phase, input: unknown, result: unknown): unknown {
    if (!(self as Proc).alive) return undefined;
    if (!isObject(result)) return this.finish(self, badReturn(this.label, phase, result), true);
    if ('stop' in result) {
      if (!isReason(result.stop) || !('state' in result)) {
        return this.finish(self, badReturn(this.label, phase, result), true);
      }
      this.state = result.state;
      if (phase === 'handleCall' && 'reply' in result) this.sendReply(self, (input as CallEnvelope).from, result.reply);
      return this.finish(self, result.stop as Reason, false);
    }
    if (phase === 'handleCall' && 'reply' in result && 'state' in result) {
      this.state = result.state;
      this.sendReply(self, (input as CallEnvelope).from, result.reply);
      return this.applyOptions(self, result as ResultOptions);
    }
    if ('noreply' in result && 'state' in result) {
      this.state = result.state;
      return this.applyOptions(self, result as ResultOptions);
    }
    return this.finish(self, badReturn(this.label, phase, result), true);
  }

  private applyOptions(self: ProcessContext, options: ResultOptions): unknown {
    if (options.continue !== undefined) return this.invoke(self, 'handleContinue', options.continue);
    if (options.timeoutMs !== undefined) {
      const timeout = options.timeoutMs;
      if (typeof timeout !== 'number' || !(timeout >= 0)) {
        return this.finish(self, badReturn(this.label, 'timeoutMs', timeout), true);
      }
      const generation = ++this.timeoutGeneration;
      this.timeoutRef = self.sendAfter(self.pid, new InactivityTimeout(generation), timeout);
    }
    return undefined;
  }

  private cancelTimeout(self: ProcessContext): void {
    if (this.timeoutRef === null) return;
    self.cancelTimer(this.timeoutRef);
    this.timeoutRef = null;
    this.timeoutGeneration++;
  }

  private sendReply(self: ProcessContext, from: From, value: unknown): void {
    self.send(from.pid, new CallReply(from.ref, value));
  }

  private status(self: ProcessContext, reason?: Reason): ServerStatus<unknown> {
    const status: ServerStatus<unknown> = {
      state: this.state,
      name: (self as Proc).name,
      pid: self.pid,
      message: this.lastMessage,
      ...(reason === undefined ? {} : { reason }),
    };
    return this.spec.formatStatus ? this.spec.formatStatus(status) : status;
  }

  /** Runs terminate, logs an error report for abnormal reasons, and ends the process. */
  private finish(self: ProcessContext, reason: Reason, crashed: boolean): unknown {
    const proc = self as Proc;
    if (!proc.alive) return undefined;
    let finalReason = reason;
    if (this.spec.terminate !== undefined) {
      try {
        const result = this.spec.terminate(reason, this.state, self);
        if (isThenable(result)) {
          // An async terminate holds the exit until it settles, and the returned promise
          // suspends the server so that no other message is handled meanwhile.
          return Promise.resolve(result).then(
            () => this.exit(proc, reason, crashed),
            (error: unknown) => this.exit(proc, asReason(error), true),
          );
        }
      } catch (error) {
        finalReason = asReason(error);
        crashed = true;
      }
    }
    this.exit(proc, finalReason, crashed);
    return undefined;
  }

  private exit(proc: Proc, reason: Reason, crashed: boolean): void {
    if (!proc.alive) return;
    if (crashed || !isNormalReason(reason)) {
      let status: ServerStatus<unknown> | undefined;
      try {
        status = this.status(proc, reason);
      } catch {
        status = undefined;
      }
      proc.system.logger.log('error', 'gen_server.terminated', {
        pid: proc.pid,
        name: proc.name,
        label: this.label,
        lastMessage: this.lastMessage instanceof CallEnvelope ? this.lastMessage.request : this.lastMessage,
        state: status?.state,
        reason,
      });
    }
    proc.system.terminate(proc, reason);
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object';
}

/** Turns a thrown value into an exit reason. */
export function asReason(error: unknown): Reason {
  if (error instanceof Error) return error;
  const wrapped = new Error(`callback threw a non-Error value: ${describe(error)}`);
  (wrapped as Error & { thrown?: unknown }).thrown = error;
  return wrapped;
}

function badReturn(label: string, callback: string, value: unknown): StarweaveError {
  return new StarweaveError(
    'ERR_BAD_RETURN',
    `${label}.${callback} returned ${describe(value)}; expected { reply, state }, { noreply: true, state } or { stop: reason, state } (init: { state }, { stop } or { ignore: true }).`,
    { details: { callback, value } },
  );
}

function badCall(label: string, request: unknown): StarweaveError {
  return new StarweaveError(
    'ERR_BAD_CALL',
    `${label} got the call ${describe(request)} but defines no handleCall`,
    { details: { request } },
  );
}
