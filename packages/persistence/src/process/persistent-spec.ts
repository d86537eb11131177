/**
 * The types of a persistent process: its spec (a state folded from events, and commands that
 * decide which events to persist), the context and result of a command, and its start options.
 */
import type { From, ProcessContext, Reason } from '@starweave/actors';
import type { Journal } from '../journal.js';
import type { SnapshotStore } from '../snapshot-store.js';

/** A value or a promise of it: a callback that returns a promise suspends the process. */
export type MaybePromise<T> = T | Promise<T>;

/** The context of a command: the process and its journal position. */
export interface CommandContext {
  /** The process handling the command. */
  readonly self: ProcessContext;
  /** The persistence id: the name of the journal that the process writes to. */
  readonly persistenceId: string;
  /** The highest sequence number of the journal: the last event folded into the state. */
  readonly seq: number;
  /**
   * The caller of a `call`, for a reply sent later with `GenServer.reply`; undefined for a
   * `cast`.
   */
  readonly from: From | undefined;
}

/**
 * The result of `handleCommand`. Every field is optional: `{}` persists nothing and, for a call,
 * replies `undefined`.
 */
export interface CommandResult<S, E, R> {
  /**
   * Events to append, in order. They are written all or none, then folded into the state with
   * `applyEvent`; only then do `thenRun` and the reply run.
   */
  persist?: readonly E[];
  /**
   * The reply of a call, sent once the events are stored and applied. A function is called
   * with the new state and its result is the reply. Ignored for a cast.
   */
  reply?: R | ((state: S) => R);
  /**
   * Sends no reply now: the command replies later with `GenServer.reply(self, context.from,
   * value)`, for example once other work is done. Not allowed together with `reply`.
   */
  noreply?: true;
  /**
   * Runs after the events are stored and applied, before the reply: side effects go here. The
   * name is not `then`, because an object with a `then` method is a thenable, which `await`
   * and async functions would call.
   */
  thenRun?: (state: S, context: CommandContext) => MaybePromise<void>;
  /** Stops the process with this reason after the events are stored and the reply is sent. */
  stop?: Reason;
}

/**
 * A persistent process: a GenServer whose state is the fold of its events. Commands arrive
 * through `GenServer.call` and `GenServer.cast`, and `handleCommand` decides which events to
 * persist. `applyEvent` folds each stored event into the state, after every append and again
 * on recovery.
 *
 * `applyEvent` must be deterministic and depend on the state and the event alone, because
 * recovery replays the same events into the same state.
 */
export interface PersistentSpec<S, A = void, C = any, E = any, R = any> {
  /** A label for crash reports and logs. Default `'PersistentProcess'`. */
  readonly name?: string;
  /** Returns the persistence id of the process started with `arg`: its journal's name. */
  persistenceId(arg: A): string;
  /** Returns the state before the first event. */
  initialState(arg: A): S;
  /** Returns the state after `event`. It may change `state` in place and return it. */
  applyEvent(state: S, event: E): S;
  /** Decides what a command does: the events to persist, the reply, and what runs after. */
  handleCommand(
    command: C,
    state: S,
    context: CommandContext,
  ): MaybePromise<CommandResult<S, E, R>>;
  /** Returns the tags stored with `event`, which `Journal.eventsByTag` selects by. Default none. */
  tagsOf?(event: E): readonly string[];
  /**
   * Saves a snapshot each time the sequence number passes a multiple of this number, so that
   * recovery replays at most about this many events. Needs a snapshot store. Default: never.
   */
  snapshotEvery?: number;
}

/** Options of `PersistentProcess.startLink` and `PersistentProcess.start`. */
export interface PersistentStartOptions {
  /** The journal that keeps the events. */
  journal: Journal;
  /** The snapshot store that recovery starts from. Default: none, so recovery replays all. */
  snapshots?: SnapshotStore;
  /** Registers the process under this name before it recovers. */
  name?: string;
  /** Fails the start with ERR_CALL_TIMEOUT when recovery takes longer. Default `'infinity'`. */
  timeoutMs?: number | 'infinity';
  /** Mailbox length past which a warning fires. */
  mailboxWarning?: number;
}

/** The GenServer state of a persistent process, as `GenServer.getState` returns it. */
export interface PersistentState<S> {
  /** The persistence id: the name of the journal that the process writes to. */
  readonly persistenceId: string;
  /** The highest sequence number of the journal. */
  readonly seq: number;
  /** The sequence number of the newest snapshot saved or loaded, or 0. */
  readonly snapshotSeq: number;
  /** The state folded from the events. */
  readonly state: S;
}
