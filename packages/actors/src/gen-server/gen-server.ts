/**
 * GenServer: start, call, cast, reply and stop for servers defined as plain objects of
 * callbacks, with OTP's semantics.
 */
import { type Caller, callerContext } from '../caller.js';
import type { Dest } from '../context.js';
import { StarweaveError, checkTimeout, describe, invalidArgument } from '../errors.js';
import type { Proc } from '../process.js';
import { type Reason, formatReason, isReason } from '../reason.js';
import { CallReply } from '../reply-router.js';
import { request } from './call.js';
import { CallEnvelope, CastEnvelope, InspectEnvelope, StopEnvelope } from './envelopes.js';
import { IGNORE } from './ignore.js';
import { type InitOutcome, ServerLoop } from './server.js';
import type {
  AnyProtocol,
  CallRequestOf,
  CastOf,
  From,
  GenServerSpec,
  Protocol,
  ReplyOf,
  ServerPid,
  ServerRef,
  ServerStatus,
  StartOptions,
} from './types.js';

function checkSpec(spec: unknown): void {
  if (spec === null || typeof spec !== 'object' || typeof (spec as GenServerSpec<unknown>).init !== 'function') {
    invalidArgument('spec', 'a GenServer spec object with an init(arg, self) function', spec);
  }
  for (const key of ['handleCall', 'handleCast', 'handleInfo', 'handleContinue', 'terminate', 'formatStatus']) {
    const value = (spec as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'function') {
      invalidArgument(`spec.${key}`, 'a function or undefined', value);
    }
  }
}

function startServer<S, A, P extends Protocol>(
  caller: Caller,
  spec: GenServerSpec<S, A, P, any>,
  arg: A,
  options: StartOptions,
  link: boolean,
): Promise<ServerPid<P>> {
  checkSpec(spec);
  const ctx = callerContext(caller) as Proc;
  const system = ctx.system;
  const timeout = checkTimeout('options.timeoutMs', options.timeoutMs ?? 'infinity');
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof system.trackTimer> | null = null;
    // Filled in once spawn returns; init cannot finish before that because it runs later.
    let pid: ServerPid<P> | null = null;
    const onInit = (outcome: InitOutcome) => {
      if (settled) return;
      settled = true;
      if (timer !== null) system.cancelTimer(timer);
      if ('ok' in outcome && outcome.ok) {
        resolve(pid!);
        return;
      }
      // As in OTP 26 and later, a trapping starter sees no EXIT for a failed start; a
      // non-trapping one gets the exit signal over the link.
      if (link && ctx.trapping && pid !== null) system.unlinkProcs(ctx, pid);
      if ('ignore' in outcome) {
        resolve(IGNORE as ServerPid<P>);
        return;
      }
      const reason = (outcome as { reason: Reason }).reason;
      reject(
        new StarweaveError(
          'ERR_START_FAILED',
          `${spec.name ?? 'GenServer'} failed to start: ${formatReason(reason)}`,
          { cause: reason, details: { reason } },
        ),
      );
    };
    const loop = new ServerLoop(spec, arg, link ? ctx.pid : null, onInit);
    try {
      pid = system.spawnProc(
        loop,
        { name: options.name, mailboxWarning: options.mailboxWarning },
        link ? ctx : null,
      ).pid as ServerPid<P>;
    } catch (error) {
      settled = true;
      reject(error);
      return;
    }
    if (timeout !== 'infinity') {
      timer = system.trackTimer(() => {
        if (settled) return;
        settled = true;
        if (link && pid !== null) system.unlinkProcs(ctx, pid);
        if (pid !== null) system.exit(pid, 'kill');
        reject(
          new StarweaveError('ERR_CALL_TIMEOUT', `${spec.name ?? 'GenServer'} init did not finish within ${timeout} ms`, {
            details: { timeoutMs: timeout, reason: 'timeout' },
          }),
        );
      }, timeout);
    }
  });
}

/**
 * Starts a GenServer linked to the caller and resolves with its pid once `init` has finished.
 * Fails with ERR_START_FAILED (the reason in `cause`) when `init` stops or throws; resolves to
 * {@link IGNORE} when `init` returns `{ ignore: true }`.
 *
 * @example
 * ```ts
 * import { ActorSystem, GenServer, silentLogger } from '@starweave/actors';
 *
 * type CounterProtocol = {
 *   calls: { request: { type: 'get' }; reply: number };
 *   casts: { type: 'add'; n: number };
 * };
 * const Counter: GenServer.Spec<number, number, CounterProtocol> = {
 *   init: (start) => ({ state: start }),
 *   handleCall: (_request, _from, count) => ({ reply: count, state: count }),
 *   handleCast: (cast, count) => ({ noreply: true, state: count + cast.n }),
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const counter = await GenServer.startLink(system, Counter, 10);
 * GenServer.cast(system, counter, { type: 'add', n: 5 });
 * const count: number = await GenServer.call(system, counter, { type: 'get' });
 * console.assert(count === 15);
 * await system.shutdown();
 * ```
 */
export function startLink<S, A, P extends Protocol = AnyProtocol>(
  caller: Caller,
  spec: GenServerSpec<S, A, P, any>,
  arg: A,
  options: StartOptions = {},
): Promise<ServerPid<P>> {
  return startServer(caller, spec, arg, options, true);
}

/** Starts a GenServer with no link to the caller; otherwise as {@link startLink}. */
export function start<S, A, P extends Protocol = AnyProtocol>(
  caller: Caller,
  spec: GenServerSpec<S, A, P, any>,
  arg: A,
  options: StartOptions = {},
): Promise<ServerPid<P>> {
  return startServer(caller, spec, arg, options, false);
}

/**
 * Sends a request and waits for the reply (default timeout 5000 ms). Fails at once with
 * ERR_NOPROC for a dead or unknown server, with ERR_CALL_EXIT when the server exits first,
 * with ERR_CALL_TIMEOUT on timeout (a late reply is discarded), and with ERR_CALLING_SELF
 * when a server calls itself.
 */
export function call<P extends Protocol = AnyProtocol, const R extends CallRequestOf<P> = CallRequestOf<P>>(
  caller: Caller,
  server: ServerPid<P>,
  req: R,
  timeoutMs?: number | 'infinity',
): Promise<ReplyOf<P, R>>;
/**
 * Calls a server by registered name. A name carries no protocol, so requests and replies are
 * untyped unless the protocol is given: `GenServer.call<AccountProtocol>(system, 'account', r)`.
 */
export function call<P extends Protocol = AnyProtocol, const R extends CallRequestOf<P> = CallRequestOf<P>>(
  caller: Caller,
  server: string,
  req: R,
  timeoutMs?: number | 'infinity',
): Promise<ReplyOf<P, R>>;
/** Calls a server given as a pid or a name, typed as the pid's protocol when it has one. */
export function call<P extends Protocol = AnyProtocol, const R extends CallRequestOf<P> = CallRequestOf<P>>(
  caller: Caller,
  server: ServerRef<P>,
  req: R,
  timeoutMs?: number | 'infinity',
): Promise<ReplyOf<P, R>>;
export function call(
  caller: Caller,
  server: ServerRef<any>,
  req: unknown,
  timeoutMs: number | 'infinity' = 5000,
): Promise<unknown> {
  return request(caller, server, (from) => new CallEnvelope(from, req), timeoutMs, 'call');
}

/** Sends a request with no reply; a dead or unknown server drops it, as in OTP. */
export function cast<P extends Protocol = AnyProtocol>(caller: Caller, server: ServerPid<P>, req: CastOf<P>): void;
/** Casts to a server by registered name; untyped unless the protocol is given. */
export function cast<P extends Protocol = AnyProtocol>(caller: Caller, server: string, req: CastOf<P>): void;
/** Casts to a server given as a pid or a name. */
export function cast<P extends Protocol = AnyProtocol>(caller: Caller, server: ServerRef<P>, req: CastOf<P>): void;
export function cast(caller: Caller, server: ServerRef<any>, req: unknown): void {
  const ctx = callerContext(caller) as Proc;
  const pid = ctx.system.resolve(server as Dest);
  if (pid === undefined) return;
  ctx.system.sendFrom(ctx, pid, new CastEnvelope(req));
}

/**
 * Replies to a call whose `handleCall` returned `{ noreply: true }`. Returns false, and logs
 * `gen_server.stale_reply`, when the call has already ended (timed out or its caller died).
 */
export function reply(caller: Caller, from: From, value: unknown): boolean {
  const ctx = callerContext(caller) as Proc;
  if (from === null || typeof from !== 'object' || from.ref === undefined || from.pid === undefined) {
    invalidArgument('from', 'the from value that handleCall received', from);
  }
  if (!ctx.system.replies.isPending(from.ref)) {
    ctx.system.logger.log('warn', 'gen_server.stale_reply', { pid: ctx.pid, to: from.pid, ref: from.ref });
    return false;
  }
  ctx.system.sendFrom(ctx, from.pid, new CallReply(from.ref, value));
  return true;
}

/**
 * Stops a server with `reason` (default `'normal'`) after its `terminate` has run, and waits
 * until it has exited. Fails with ERR_NOPROC when it is not alive, ERR_CALL_TIMEOUT on timeout.
 */
export function stop(
  caller: Caller,
  server: ServerRef<any>,
  reason: Reason = 'normal',
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  const ctx = callerContext(caller) as Proc;
  const system = ctx.system;
  if (!isReason(reason)) invalidArgument('reason', 'an exit reason', reason);
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const pid = system.resolve(server);
  if (pid === undefined) {
    return Promise.reject(
      new StarweaveError('ERR_NOPROC', `stop of ${describe(server)} failed: no such process (noproc).`, {
        details: { server, reason: 'noproc' },
      }),
    );
  }
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof system.trackTimer> | null = null;
    system.addMonitor(null, pid, () => {
      if (timer !== null) system.cancelTimer(timer);
      resolve();
    });
    if (timeout !== 'infinity') {
      timer = system.trackTimer(() => {
        reject(
          new StarweaveError('ERR_CALL_TIMEOUT', `stop of ${describe(server)} did not finish within ${timeout} ms`, {
            details: { server, timeoutMs: timeout },
          }),
        );
      }, timeout);
    }
    system.sendFrom(ctx, pid, new StopEnvelope(reason));
  });
}

/** Returns the server's state, as `sys:get_state`; for debugging and tests. */
export function getState<S = unknown>(
  caller: Caller,
  server: ServerRef<any>,
  timeoutMs: number | 'infinity' = 5000,
): Promise<S> {
  return request(caller, server, (from) => new InspectEnvelope(from, 'state'), timeoutMs, 'getState') as Promise<S>;
}

/** Returns the server's status as its `formatStatus` shapes it, as `sys:get_status`. */
export function getStatus(
  caller: Caller,
  server: ServerRef<any>,
  timeoutMs: number | 'infinity' = 5000,
): Promise<ServerStatus<unknown>> {
  return request(caller, server, (from) => new InspectEnvelope(from, 'status'), timeoutMs, 'getStatus') as Promise<
    ServerStatus<unknown>
  >;
}

export { IGNORE, isIgnored } from './ignore.js';
export type {
  GenServerSpec as Spec,
  Protocol,
  ServerPid,
  ServerRef,
  From,
  InitResult,
  CallResult,
  NoReplyResult,
  StartOptions,
  ServerStatus,
  TimeoutMessage,
} from './types.js';
