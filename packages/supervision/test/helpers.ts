/**
 * Test helpers for supervision: systems that shut down after each test, waits that poll the
 * event loop, and a worker GenServer that records its starts and stops in a shared journal.
 */

import {
  ActorSystem,
  type ActorSystemOptions,
  type Caller,
  GenServer,
  type Pid,
  type ProcessContext,
  type Reason,
  type ServerPid,
  silentLogger,
} from '@starweave/actors';
import type { ChildSpec } from '@starweave/supervision';
import { afterEach } from 'vitest';

/**
 * Returns a factory of systems with a silent logger unless one is given. Each system it makes
 * is shut down after each test of the calling file.
 */
export function useSystems(): (options?: ActorSystemOptions) => ActorSystem {
  const systems: ActorSystem[] = [];
  afterEach(async () => {
    for (const system of systems.splice(0)) await system.shutdown();
  });
  return (options = {}) => {
    const system = new ActorSystem({ logger: silentLogger, ...options });
    systems.push(system);
    return system;
  };
}

/** Resolves after one turn of the event loop, so queued slices and microtasks run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets `count` turns of the event loop pass, so that whatever was due can happen. */
export async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await nextTurn();
}

/** Waits until `condition` holds, polling once per event-loop turn; fails after `limitMs`. */
export async function waitUntil(condition: () => boolean, limitMs = 2000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) {
      throw new Error(`condition still false after ${limitMs} ms: ${condition.toString()}`);
    }
    await nextTurn();
  }
}

/** Waits until no process of `system` has work left (two idle turns in a row). */
export async function settle(system: ActorSystem, limitMs = 2000): Promise<void> {
  let idleTurns = 0;
  const start = performance.now();
  while (idleTurns < 2) {
    await nextTurn();
    idleTurns = system.isIdle() ? idleTurns + 1 : 0;
    if (performance.now() - start > limitMs)
      throw new Error(`system still busy after ${limitMs} ms`);
  }
}

/** What a worker does, and the journal it writes `start:ID` and `stop:ID` entries to. */
export interface WorkerArg {
  id: string;
  journal: string[];
  /** Traps exits, so a 'shutdown' signal runs terminate (and a kill is needed to end it). */
  trapExit?: boolean;
  /** Makes terminate never finish, so only a kill ends the worker. */
  hangOnStop?: boolean;
  /** Makes init fail with this reason. */
  failStart?: Reason;
  /** Makes init return { ignore: true }. */
  ignore?: boolean;
}

/** The casts a {@link Worker} takes. */
export type WorkerProtocol = {
  calls: { request: { type: 'ping' }; reply: 'pong' };
  casts: { type: 'crash'; reason: Reason } | { type: 'exit'; reason: Reason };
};

/** A GenServer that journals its start and stop and crashes or exits on request. */
export const Worker: GenServer.Spec<WorkerArg, WorkerArg, WorkerProtocol> = {
  name: 'Worker',
  init(arg, self) {
    if (arg.failStart !== undefined) return { stop: arg.failStart };
    if (arg.ignore) return { ignore: true };
    if (arg.trapExit) self.trapExit(true);
    arg.journal.push(`start:${arg.id}`);
    return { state: arg };
  },
  handleCall: (_request, _from, state) => ({ reply: 'pong', state }),
  handleCast(cast, state) {
    if (cast.type === 'crash')
      throw cast.reason instanceof Error ? cast.reason : new Error('crash');
    return { stop: cast.reason, state };
  },
  terminate(_reason, state) {
    state.journal.push(`stop:${state.id}`);
    if (state.hangOnStop) return new Promise(() => {});
    return undefined;
  },
};

/** Asks the {@link Worker} `pid` to exit with `reason` (through its handleCast). */
export function castExit(caller: Caller, pid: Pid, reason: Reason): void {
  GenServer.cast(caller, pid as ServerPid<WorkerProtocol>, { type: 'exit', reason });
}

/** Returns a child spec that starts a {@link Worker} with `id` writing to `journal`. */
export function workerSpec(
  id: string,
  journal: string[],
  spec: Partial<ChildSpec> = {},
  arg: Partial<WorkerArg> = {},
): ChildSpec {
  return {
    id,
    start: (ctx: ProcessContext) => GenServer.startLink(ctx, Worker, { id, journal, ...arg }),
    ...spec,
  };
}

/** Returns the pid of the child `id` from a whichChildren list, failing when it has none. */
export function pidOf(children: Array<{ id: string | undefined; pid: unknown }>, id: string): Pid {
  const child = children.find((entry) => entry.id === id);
  if (child === undefined || typeof child.pid !== 'object' || child.pid === null) {
    throw new Error(`child ${id} has no pid in ${JSON.stringify(children)}`);
  }
  return child.pid as Pid;
}
