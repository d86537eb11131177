/**
 * The types of a GenServer: its protocol (the shapes of calls, replies and casts), the
 * callbacks of a spec, and the results those callbacks return.
 */
import type { ProcessContext } from '../context.js';
import type { Pid, Ref } from '../pid.js';
import type { Reason } from '../reason.js';

/**
 * The message shapes a server accepts. `calls` is a union of `{ request, reply }` pairs whose
 * requests carry a `type` discriminant; `casts` a union of cast messages.
 *
 * @example
 * ```ts no-run
 * type CounterProtocol = {
 *   calls: { request: { type: 'get' }; reply: number } | { request: { type: 'add'; n: number }; reply: number };
 *   casts: { type: 'reset' };
 * };
 * ```
 */
export interface Protocol {
  calls?: { request: { type: string }; reply: unknown };
  casts?: { type: string };
}

/** Any protocol: calls and casts of any shape, untyped. */
export interface AnyProtocol {
  calls: any;
  casts: any;
}

type IsAny<T> = 0 extends 1 & T ? true : false;

/** The requests a protocol accepts in calls. */
export type CallRequestOf<P extends Protocol> = IsAny<P['calls']> extends true
  ? any
  : P['calls'] extends { request: infer Q }
    ? Q
    : never;

/** The reply type for one request of a protocol. */
export type ReplyOf<P extends Protocol, R> = IsAny<P['calls']> extends true
  ? any
  : R extends { type: infer T }
    ? Extract<P['calls'], { request: { type: T } }> extends { reply: infer A }
      ? A
      : never
    : never;

/** The replies of every call of a protocol. */
export type AnyReplyOf<P extends Protocol> = IsAny<P['calls']> extends true
  ? any
  : P['calls'] extends { reply: infer A }
    ? A
    : never;

/** The casts a protocol accepts. */
export type CastOf<P extends Protocol> = IsAny<P['casts']> extends true
  ? any
  : P['casts'] extends infer C
    ? C extends undefined
      ? never
      : C
    : never;

declare const protocolTag: unique symbol;

/** A pid that carries its server's protocol in its type, so wrong calls do not compile. */
export type ServerPid<P extends Protocol = AnyProtocol> = Pid & { readonly [protocolTag]?: P };

/** A server to call: its typed pid, or a registered name (typed as the caller asserts). */
export type ServerRef<P extends Protocol = AnyProtocol> = ServerPid<P> | string;

/** Where to send a deferred reply: the caller's pid and the call's ref. */
export interface From {
  readonly pid: Pid;
  readonly ref: Ref;
}

/** Options that any callback result may carry. */
export interface ResultOptions<C = unknown> {
  /** Runs `handleContinue` with this value before the next message. */
  continue?: C;
  /** Delivers `{ type: 'timeout' }` to `handleInfo` when no message arrives within this time. */
  timeoutMs?: number;
  /** Accepted for OTP parity; a Node.js process has no heap to shrink, so it does nothing. */
  hibernate?: boolean;
}

/** What `init` returns. */
export type InitResult<S, C = unknown> =
  | ({ state: S } & ResultOptions<C>)
  | { stop: Reason }
  | { ignore: true };

/** What `handleCall` returns. */
export type CallResult<S, A, C = unknown> =
  | ({ reply: A; state: S } & ResultOptions<C>)
  | ({ noreply: true; state: S } & ResultOptions<C>)
  | { stop: Reason; reply?: A; state: S };

/** What `handleCast`, `handleInfo` and `handleContinue` return. */
export type NoReplyResult<S, C = unknown> =
  | ({ noreply: true; state: S } & ResultOptions<C>)
  | { stop: Reason; state: S };

/** A value or a promise of it: callbacks may be async, which suspends the server until done. */
export type MaybePromise<T> = T | Promise<T>;

/** The inactivity timeout message delivered to `handleInfo`. */
export interface TimeoutMessage {
  type: 'timeout';
}

/** What `formatStatus` receives and returns, for introspection. */
export interface ServerStatus<S> {
  state: S;
  name: string | undefined;
  pid: Pid;
  /** The message being handled when the status was taken, if any. */
  message?: unknown;
  reason?: Reason;
}

/**
 * A GenServer: plain callbacks with generics for the state, the start argument and the
 * protocol. Only `init` is required; missing callbacks behave as OTP's defaults.
 */
export interface GenServerSpec<S, A = void, P extends Protocol = AnyProtocol, C = unknown> {
  /** A label for crash reports and introspection. Default `'GenServer'`. */
  readonly name?: string;
  /** Builds the first state; runs inside the new process before `start` returns. */
  init(arg: A, self: ProcessContext): MaybePromise<InitResult<S, C>>;
  /** Handles a call; reply now, later through `from`, or stop. */
  handleCall?(
    request: CallRequestOf<P>,
    from: From,
    state: S,
    self: ProcessContext,
  ): MaybePromise<CallResult<S, AnyReplyOf<P>, C>>;
  /** Handles a cast. */
  handleCast?(request: CastOf<P>, state: S, self: ProcessContext): MaybePromise<NoReplyResult<S, C>>;
  /** Handles any other message: EXIT and DOWN messages, timers, the inactivity timeout. */
  handleInfo?(message: any, state: S, self: ProcessContext): MaybePromise<NoReplyResult<S, C>>;
  /** Continues work that a callback deferred with `continue`. */
  handleContinue?(value: C, state: S, self: ProcessContext): MaybePromise<NoReplyResult<S, C>>;
  /** Cleans up before the server exits (see the GenServer guide for when it runs). */
  terminate?(reason: Reason, state: S, self: ProcessContext): unknown;
  /** Shapes the state for introspection and crash reports, for example to hide secrets. */
  formatStatus?(status: ServerStatus<S>): ServerStatus<unknown>;
}

/** Options of `GenServer.start` and `GenServer.startLink`. */
export interface StartOptions {
  /** Registers the server under this name before `init` runs. */
  name?: string;
  /** Fails the start with ERR_CALL_TIMEOUT when `init` takes longer. Default `'infinity'`. */
  timeoutMs?: number | 'infinity';
  /** Mailbox length past which a warning fires. */
  mailboxWarning?: number;
}
