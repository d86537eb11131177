/**
 * Clause lists as GenServer callbacks: `handleInfo`, `handleCall` and `handleCast` written as
 * ts-pattern pattern and handler pairs, compiled once when the spec is built. A message that no
 * clause matches is handled as OTP handles it: an info message is logged and dropped, and a
 * call or a cast crashes the server with ERR_BAD_CALL.
 */
import {
  describe,
  type From,
  type GenServer,
  invalidArgument,
  type ProcessContext,
  StarweaveError,
} from '@starweave/actors';
import type { P } from 'ts-pattern';
import { clauses } from './clauses.js';

type MaybePromise<T> = T | Promise<T>;

/** Options of {@link infoClauses}, {@link callClauses} and {@link castClauses}. */
export interface ServerClausesOptions {
  /** Names the server in log events and in the ERR_BAD_CALL message (default: its pid). */
  name?: string;
}

/** Info clauses: each handler receives the message narrowed to what its pattern matches. */
export type InfoClauseList<S, Patterns extends readonly unknown[]> = {
  readonly [K in keyof Patterns]: readonly [
    pattern: Patterns[K],
    handler: (
      message: P.narrow<unknown, Patterns[K]>,
      state: S,
      self: ProcessContext,
    ) => MaybePromise<GenServer.NoReplyResult<S>>,
  ];
};

/** Call clauses: each handler receives the request narrowed to a member of `Req`. */
export type CallClauseList<Req, S, A, Patterns extends readonly unknown[]> = {
  readonly [K in keyof Patterns]: readonly [
    pattern: Patterns[K],
    handler: (
      request: P.narrow<Req, Patterns[K]>,
      from: From,
      state: S,
      self: ProcessContext,
    ) => MaybePromise<GenServer.CallResult<S, A>>,
  ];
};

/** Cast clauses: each handler receives the cast narrowed to a member of `C`. */
export type CastClauseList<C, S, Patterns extends readonly unknown[]> = {
  readonly [K in keyof Patterns]: readonly [
    pattern: Patterns[K],
    handler: (
      request: P.narrow<C, Patterns[K]>,
      state: S,
      self: ProcessContext,
    ) => MaybePromise<GenServer.NoReplyResult<S>>,
  ];
};

/** A `handleInfo` callback built from clauses. */
export type InfoHandler<S> = (
  message: unknown,
  state: S,
  self: ProcessContext,
) => MaybePromise<GenServer.NoReplyResult<S>>;

/** A `handleCall` callback built from clauses. */
export type CallHandler<Req, S, A> = (
  request: Req,
  from: From,
  state: S,
  self: ProcessContext,
) => MaybePromise<GenServer.CallResult<S, A>>;

/** A `handleCast` callback built from clauses. */
export type CastHandler<C, S> = (
  request: C,
  state: S,
  self: ProcessContext,
) => MaybePromise<GenServer.NoReplyResult<S>>;

type AnyHandler = (...args: any[]) => unknown;

/**
 * Compiles `list` into a `handleInfo` callback that runs the handler of the first clause whose
 * pattern matches the message. A message that no clause matches is logged at warn level as
 * `gen_server.unexpected_message` and dropped, and the state is kept, as OTP's default
 * `handle_info` does. The state type comes from the spec the callback is assigned to.
 *
 * @example
 * ```ts
 * import { ActorSystem, GenServer, silentLogger } from '@starweave/actors';
 * import { P, callClauses, infoClauses } from '@starweave/patterns';
 *
 * const Ticker: GenServer.Spec<number, void> = {
 *   init: () => ({ state: 0 }),
 *   handleInfo: infoClauses([
 *     [{ type: 'tick', by: P.number }, (tick, count) => ({ noreply: true, state: count + tick.by })],
 *     [{ type: 'reset' }, () => ({ noreply: true, state: 0 })],
 *   ]),
 *   handleCall: callClauses([[{ type: 'count' }, (_request, _from, count) => ({ reply: count, state: count })]]),
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const ticker = await GenServer.start(system, Ticker, undefined);
 * system.send(ticker, { type: 'tick', by: 2 });
 * system.send(ticker, { type: 'unknown' }); // logged and dropped
 * system.send(ticker, { type: 'tick', by: 3 });
 * console.assert((await GenServer.call(system, ticker, { type: 'count' })) === 5);
 * await system.shutdown();
 * ```
 */
export function infoClauses<S, const Patterns extends readonly P.Pattern<unknown>[]>(
  list: InfoClauseList<S, Patterns>,
  options: ServerClausesOptions = {},
): InfoHandler<S> {
  const { indexOf, handlers } = compile(list, options);
  return (message, state, self) => {
    const index = indexOf(message);
    if (index >= 0) return handlers[index]!(message, state, self) as never;
    self.system.logger.log('warn', 'gen_server.unexpected_message', {
      pid: self.pid,
      name: options.name ?? self.system.processInfo(self.pid)?.registeredName,
      message,
    });
    return { noreply: true, state };
  };
}

/**
 * Compiles `list` into a `handleCall` callback that runs the handler of the first clause whose
 * pattern matches the request. A request that no clause matches crashes the server with
 * ERR_BAD_CALL, as a `handle_call` without a matching clause does in OTP, so the caller fails
 * with ERR_CALL_EXIT. Request, state and reply types come from the spec the callback is
 * assigned to: a pattern that no request of the protocol can match does not compile, and each
 * reply must be one of the protocol's replies.
 */
export function callClauses<Req, S, A, const Patterns extends readonly P.Pattern<Req>[]>(
  list: CallClauseList<Req, S, A, Patterns>,
  options: ServerClausesOptions = {},
): CallHandler<Req, S, A> {
  const { indexOf, handlers } = compile(list, options);
  return (request, from, state, self) => {
    const index = indexOf(request);
    if (index < 0) throw unmatched('call', request, self, options, handlers.length);
    return handlers[index]!(request, from, state, self) as never;
  };
}

/**
 * Compiles `list` into a `handleCast` callback that runs the handler of the first clause whose
 * pattern matches the cast. A cast that no clause matches crashes the server with
 * ERR_BAD_CALL, as a `handle_cast` without a matching clause does in OTP.
 */
export function castClauses<C, S, const Patterns extends readonly P.Pattern<C>[]>(
  list: CastClauseList<C, S, Patterns>,
  options: ServerClausesOptions = {},
): CastHandler<C, S> {
  const { indexOf, handlers } = compile(list, options);
  return (request, state, self) => {
    const index = indexOf(request);
    if (index < 0) throw unmatched('cast', request, self, options, handlers.length);
    return handlers[index]!(request, state, self) as never;
  };
}

// The patterns are compiled by `clauses`, which also checks the shape of each pair; the
// handlers are kept apart because they take more arguments than the value.
function compile(
  list: readonly unknown[],
  options: ServerClausesOptions,
): { indexOf: (value: unknown) => number; handlers: AnyHandler[] } {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object { name? }', options);
  }
  const compiled = clauses(list as never, { noMatch: 'ignore' });
  const handlers = (list as readonly (readonly [unknown, AnyHandler])[]).map((pair) => pair[1]);
  return { indexOf: compiled.indexOf, handlers };
}

function unmatched(
  kind: 'call' | 'cast',
  request: unknown,
  self: ProcessContext,
  options: ServerClausesOptions,
  count: number,
): StarweaveError {
  const server = options.name ?? String(self.pid);
  return new StarweaveError(
    'ERR_BAD_CALL',
    `no ${kind} clause of ${server} matched ${describe(request)} (${count} clauses); add a clause for it.`,
    { details: { request, kind } },
  );
}
