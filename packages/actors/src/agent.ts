/**
 * Agent: state behind a process, read and changed with functions, as Elixir's Agent. Built on
 * GenServer, so calls follow the same rules (timeouts, noproc, exits).
 */
import type { Caller } from './caller.js';
import type { ProcessContext } from './context.js';
import { invalidArgument } from './errors.js';
import * as GenServer from './gen-server/gen-server.js';
import type { ServerPid, ServerRef, StartOptions } from './gen-server/types.js';
import type { Reason } from './reason.js';

type AgentProtocol<S> = {
  calls:
    | { request: { type: 'get'; fn: (state: S) => unknown }; reply: unknown }
    | { request: { type: 'update'; fn: (state: S) => S }; reply: undefined }
    | { request: { type: 'getAndUpdate'; fn: (state: S) => [unknown, S] }; reply: unknown };
  casts: { type: 'cast'; fn: (state: S) => S };
};

/** The pid of an agent holding state of type S. */
export type AgentPid<S> = ServerPid<AgentProtocol<S>>;

const AgentSpec: GenServer.Spec<any, (self: ProcessContext) => unknown, AgentProtocol<any>> = {
  name: 'Agent',
  init: async (initial, self) => ({ state: await initial(self) }),
  handleCall: (request, _from, state) => {
    switch (request.type) {
      case 'get':
        return { reply: request.fn(state), state };
      case 'update':
        return { reply: undefined, state: request.fn(state) };
      default: {
        const [value, next] = request.fn(state);
        return { reply: value, state: next };
      }
    }
  },
  handleCast: (cast, state) => ({ noreply: true, state: cast.fn(state) }),
};

function checkFn(fn: unknown): void {
  if (typeof fn !== 'function') invalidArgument('fn', 'a function of the state', fn);
}

/**
 * Starts an agent linked to the caller, with the state `initial` returns.
 *
 * @example
 * ```ts
 * import { ActorSystem, Agent, silentLogger } from '@starweave/actors';
 * const system = new ActorSystem({ logger: silentLogger });
 * const agent = await Agent.startLink(system, () => 0);
 * await Agent.update(system, agent, (n) => n + 1);
 * console.assert((await Agent.get(system, agent, (n) => n)) === 1);
 * await system.shutdown();
 * ```
 */
export function startLink<S>(
  caller: Caller,
  initial: (self: ProcessContext) => S | Promise<S>,
  options?: StartOptions,
): Promise<AgentPid<S>> {
  checkFn(initial);
  return GenServer.startLink(caller, AgentSpec, initial, options) as Promise<AgentPid<S>>;
}

/** Starts an agent with no link to the caller. */
export function start<S>(
  caller: Caller,
  initial: (self: ProcessContext) => S | Promise<S>,
  options?: StartOptions,
): Promise<AgentPid<S>> {
  checkFn(initial);
  return GenServer.start(caller, AgentSpec, initial, options) as Promise<AgentPid<S>>;
}

/** Returns `fn(state)`, computed in the agent. */
export function get<S, T>(
  caller: Caller,
  agent: ServerRef<AgentProtocol<S>>,
  fn: (state: S) => T,
  timeoutMs: number | 'infinity' = 5000,
): Promise<T> {
  checkFn(fn);
  return GenServer.call(caller, agent as AgentPid<S>, { type: 'get', fn }, timeoutMs) as Promise<T>;
}

/** Replaces the state with `fn(state)` and waits until it is done. */
export async function update<S>(
  caller: Caller,
  agent: ServerRef<AgentProtocol<S>>,
  fn: (state: S) => S,
  timeoutMs: number | 'infinity' = 5000,
): Promise<void> {
  checkFn(fn);
  await GenServer.call(caller, agent as AgentPid<S>, { type: 'update', fn }, timeoutMs);
}

/** Runs `fn(state)`, which returns `[value, newState]`; returns the value. */
export function getAndUpdate<S, T>(
  caller: Caller,
  agent: ServerRef<AgentProtocol<S>>,
  fn: (state: S) => [T, S],
  timeoutMs: number | 'infinity' = 5000,
): Promise<T> {
  checkFn(fn);
  return GenServer.call(caller, agent as AgentPid<S>, { type: 'getAndUpdate', fn }, timeoutMs) as Promise<T>;
}

/** Replaces the state with `fn(state)` without waiting. */
export function cast<S>(caller: Caller, agent: ServerRef<AgentProtocol<S>>, fn: (state: S) => S): void {
  checkFn(fn);
  GenServer.cast(caller, agent as AgentPid<S>, { type: 'cast', fn });
}

/** Stops the agent with `reason` and waits until it has exited. */
export function stop(
  caller: Caller,
  agent: ServerRef<AgentProtocol<any>>,
  reason: Reason = 'normal',
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  return GenServer.stop(caller, agent, reason, timeoutMs);
}
