/**
 * PersistentProcess: start, call and cast GenServers whose state is the fold of their events,
 * recovered from a snapshot and a journal before they take any message.
 */
import { type Caller, type Dest, GenServer, type Pid } from '@starweave/actors';
import type { ChildSpec } from '@starweave/supervision';
import { checkPersistentSpec, checkStartOptions } from './persistent-checks.js';
import { persistentServer } from './persistent-server.js';
import type { PersistentSpec, PersistentStartOptions, PersistentState } from './persistent-spec.js';

function startProcess<S, A>(
  caller: Caller,
  spec: PersistentSpec<S, A>,
  arg: A,
  options: PersistentStartOptions,
  link: boolean,
): Promise<Pid> {
  checkPersistentSpec(spec);
  checkStartOptions(spec as PersistentSpec<unknown>, options);
  const server = persistentServer<S, A, any, any, any>(spec, {
    journal: options.journal,
    snapshots: options.snapshots,
  });
  const serverOptions = {
    name: options.name,
    timeoutMs: options.timeoutMs,
    mailboxWarning: options.mailboxWarning,
  };
  const start = link ? GenServer.startLink : GenServer.start;
  return start(caller, server, arg, serverOptions);
}

/**
 * Starts a persistent process linked to the caller and resolves with its pid once it has
 * recovered: the newest snapshot loaded and the events after it applied. Messages sent
 * meanwhile wait in its mailbox. Fails with ERR_START_FAILED, the store's error in `cause`,
 * when recovery fails.
 *
 * Each command runs in turn: `handleCommand` decides, the events are appended with the
 * journal's expected sequence, applied with `applyEvent`, and only then does the caller get
 * its reply. A failed append stops the process with the store's error as its reason.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { PersistentProcess, SqliteJournal } from '@starweave/persistence';
 *
 * type Counted = { type: 'counted'; by: number };
 * const Counter: PersistentProcess.Spec<number, string, { by: number }, Counted, number> = {
 *   persistenceId: (name) => `counter-${name}`,
 *   initialState: () => 0,
 *   applyEvent: (count, event) => count + event.by,
 *   handleCommand: (command) => ({
 *     persist: [{ type: 'counted', by: command.by }],
 *     reply: (count) => count,
 *   }),
 * };
 *
 * const journal = await SqliteJournal.open({ filename: ':memory:' });
 * const system = new ActorSystem({ logger: silentLogger });
 * const first = await PersistentProcess.startLink(system, Counter, 'visits', { journal });
 * await PersistentProcess.call(system, first, { by: 2 });
 * await PersistentProcess.call(system, first, { by: 3 });
 * system.exit(first, 'kill');
 *
 * // A new process with the same persistence id recovers the count from the journal.
 * const second = await PersistentProcess.startLink(system, Counter, 'visits', { journal });
 * console.assert((await PersistentProcess.call(system, second, { by: 0 })) === 5);
 * await system.shutdown();
 * await journal.close();
 * ```
 */
export function startLink<S, A>(
  caller: Caller,
  spec: PersistentSpec<S, A>,
  arg: A,
  options: PersistentStartOptions,
): Promise<Pid> {
  return startProcess(caller, spec, arg, options, true);
}

/** Starts a persistent process with no link to the caller; otherwise as {@link startLink}. */
export function start<S, A>(
  caller: Caller,
  spec: PersistentSpec<S, A>,
  arg: A,
  options: PersistentStartOptions,
): Promise<Pid> {
  return startProcess(caller, spec, arg, options, false);
}

/**
 * Returns a child spec that starts the process under a supervisor, linked to it. A restart
 * recovers the state from the stores, so every reply the process sent before it died stays
 * true.
 */
export function childSpec<S, A>(
  id: string,
  spec: PersistentSpec<S, A>,
  arg: A,
  options: PersistentStartOptions & Omit<ChildSpec, 'id' | 'start'>,
): ChildSpec {
  checkPersistentSpec(spec);
  const { restart, shutdown, type, significant, ...startOptions } = options ?? {};
  checkStartOptions(spec as PersistentSpec<unknown>, startOptions);
  return {
    id,
    start: (ctx) => startLink(ctx, spec, arg, startOptions),
    ...(restart === undefined ? {} : { restart }),
    ...(shutdown === undefined ? {} : { shutdown }),
    ...(type === undefined ? {} : { type }),
    ...(significant === undefined ? {} : { significant }),
  };
}

/**
 * Sends a command and waits for its reply, which comes once the command's events are stored
 * and applied. Follows `GenServer.call`: default timeout 5000 ms, ERR_NOPROC for a dead
 * process, ERR_CALL_EXIT when it exits first (a failed append among the reasons), and
 * ERR_CALL_TIMEOUT on timeout. A command that timed out may still have been persisted.
 */
export function call<R = unknown>(
  caller: Caller,
  process: Dest,
  command: unknown,
  timeoutMs: number | 'infinity' = 5000,
): Promise<R> {
  return GenServer.call(caller, process as Pid, command, timeoutMs) as Promise<R>;
}

/** Sends a command with no reply; a dead or unknown process drops it, as `GenServer.cast`. */
export function cast(caller: Caller, process: Dest, command: unknown): void {
  GenServer.cast(caller, process as Pid, command);
}

/** Returns the state of a persistent process with its sequence numbers; for tests and debugging. */
export function getState<S = unknown>(
  caller: Caller,
  process: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<PersistentState<S>> {
  return GenServer.getState<PersistentState<S>>(caller, process as Pid, timeoutMs);
}

export type {
  CommandContext,
  CommandResult,
  PersistentSpec as Spec,
  PersistentStartOptions as StartOptions,
  PersistentState as State,
} from './persistent-spec.js';
