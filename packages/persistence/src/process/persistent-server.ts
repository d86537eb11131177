/**
 * The GenServer behind a persistent process: it recovers in `init`, turns each call and cast
 * into a command whose events it appends before it applies them and replies, and saves
 * snapshots in `handleContinue`, after the reply has gone.
 */
import {
  describe,
  type From,
  type GenServer,
  isReason,
  type ProcessContext,
  StarweaveError,
} from '@starweave/actors';
import type { EventInput, Journal } from '../journal.js';
import type { SnapshotStore } from '../snapshot-store.js';
import { checkPersistenceId } from '../validate.js';
import type {
  CommandContext,
  CommandResult,
  PersistentSpec,
  PersistentState,
} from './persistent-spec.js';
import { recover } from './recovery.js';

/** The `continue` value that makes the server save a snapshot of its state. */
const SAVE_SNAPSHOT = { type: 'persistence.save_snapshot' } as const;

type ServerResult<S> =
  | { reply: unknown; state: PersistentState<S>; continue?: typeof SAVE_SNAPSHOT }
  | { noreply: true; state: PersistentState<S>; continue?: typeof SAVE_SNAPSHOT }
  | { stop: unknown; reply?: unknown; state: PersistentState<S> };

/** The stores of one persistent process. */
export interface ProcessStores {
  readonly journal: Journal;
  readonly snapshots: SnapshotStore | undefined;
}

/** Builds the GenServer spec that runs `spec` on `stores`. */
export function persistentServer<S, A, C, E, R>(
  spec: PersistentSpec<S, A, C, E, R>,
  stores: ProcessStores,
): GenServer.Spec<PersistentState<S>, A> {
  const label = spec.name ?? 'PersistentProcess';
  const every = spec.snapshotEvery;
  const snapshotDue = (before: number, after: number): boolean =>
    every !== undefined && Math.floor(after / every) > Math.floor(before / every);

  async function init(arg: A, self: ProcessContext) {
    const persistenceId = checkPersistenceId(spec.persistenceId(arg));
    const clock = self.system.clock;
    const startedAt = clock.now();
    let recovered: Awaited<ReturnType<typeof recover<S, E>>>;
    try {
      recovered = await recover<S, E>({
        persistenceId,
        journal: stores.journal,
        snapshots: stores.snapshots,
        initialState: () => spec.initialState(arg),
        applyEvent: (state, event) => spec.applyEvent(state, event),
      });
    } catch (error) {
      self.system.logger.log('error', 'persistence.recovery_failed', {
        pid: self.pid,
        label,
        persistenceId,
        reason: error,
      });
      return { stop: asError(error) };
    }
    const { replayed, ...record } = recovered;
    self.system.logger.log('info', 'persistence.recovered', {
      pid: self.pid,
      label,
      persistenceId,
      seq: record.seq,
      snapshotSeq: record.snapshotSeq,
      replayed,
      durationMs: clock.now() - startedAt,
    });
    // A crash between an append and its snapshot leaves a long tail to replay next time.
    const lagging = every !== undefined && record.seq - record.snapshotSeq >= every;
    return lagging ? { state: record, continue: SAVE_SNAPSHOT } : { state: record };
  }

  async function handle(
    command: C,
    from: From | undefined,
    record: PersistentState<S>,
    self: ProcessContext,
  ): Promise<ServerResult<S>> {
    const context: CommandContext = {
      self,
      persistenceId: record.persistenceId,
      seq: record.seq,
      from,
    };
    const result = checkResult<S, E, R>(
      label,
      await spec.handleCommand(command, record.state, context),
    );

    const persisted = await persist(record, result.persist ?? [], self);
    if ('stop' in persisted) return persisted;
    let next = persisted;

    if (result.thenRun !== undefined) {
      await result.thenRun(next.state, { ...context, seq: next.seq });
    }
    const reply =
      typeof result.reply === 'function'
        ? (result.reply as (state: S) => R)(next.state)
        : result.reply;

    const replies = from !== undefined && result.noreply !== true;
    if (result.stop !== undefined) {
      // No message follows a stop, so a due snapshot is saved before the process exits.
      if (snapshotDue(record.seq, next.seq)) next = await saveSnapshot(next, self);
      return replies
        ? { stop: result.stop, reply, state: next }
        : { stop: result.stop, state: next };
    }
    const more = snapshotDue(record.seq, next.seq) ? { continue: SAVE_SNAPSHOT } : {};
    return replies ? { reply, state: next, ...more } : { noreply: true, state: next, ...more };
  }

  /**
   * Appends `events` after `record.seq`, then folds them into the state. A failed append
   * returns the stop result that ends the process with the store's error.
   */
  async function persist(
    record: PersistentState<S>,
    events: readonly E[],
    self: ProcessContext,
  ): Promise<PersistentState<S> | { stop: Error; state: PersistentState<S> }> {
    if (events.length === 0) return record;
    const inputs: EventInput[] = events.map((event) => ({
      payload: event,
      ...(spec.tagsOf === undefined ? {} : { tags: spec.tagsOf(event) }),
    }));
    let seq: number;
    try {
      seq = await stores.journal.append(record.persistenceId, inputs, record.seq);
    } catch (error) {
      // Nothing was acknowledged: the caller gets ERR_CALL_EXIT with this reason, and a
      // restart recovers the state from what the journal contains.
      self.system.logger.log('error', 'persistence.persist_failed', {
        pid: self.pid,
        label,
        persistenceId: record.persistenceId,
        expectedSeq: record.seq,
        events: events.length,
        reason: error,
      });
      return { stop: asError(error), state: record };
    }
    let state = record.state;
    for (const event of events) state = spec.applyEvent(state, event);
    return { ...record, seq, state };
  }

  /** Saves a snapshot of `record`. A failure is logged and leaves the process running. */
  async function saveSnapshot(
    record: PersistentState<S>,
    self: ProcessContext,
  ): Promise<PersistentState<S>> {
    const { persistenceId, seq, state } = record;
    try {
      await stores.snapshots!.save(persistenceId, seq, state);
    } catch (error) {
      // Events stay the source of truth, so a missing snapshot only makes recovery longer.
      self.system.logger.log('warn', 'persistence.snapshot_failed', {
        pid: self.pid,
        label,
        persistenceId,
        seq,
        reason: error,
      });
      return record;
    }
    return { ...record, snapshotSeq: seq };
  }

  return {
    name: label,
    init,
    handleCall: (command, from, record, self) => handle(command as C, from, record, self) as never,
    handleCast: (command, record, self) => handle(command as C, undefined, record, self) as never,
    handleContinue: async (_value, record, self) => ({
      noreply: true,
      state: await saveSnapshot(record, self),
    }),
  };
}

/** Checks what `handleCommand` returned; fails with ERR_BAD_RETURN naming the wrong field. */
function checkResult<S, E, R>(label: string, result: unknown): CommandResult<S, E, R> {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new StarweaveError(
      'ERR_BAD_RETURN',
      `${label}.handleCommand returned ${field} ${describe(value)}; expected ${expected}.`,
      { details: { callback: 'handleCommand', field, value } },
    );
  };
  if (result === null || typeof result !== 'object') {
    return fail('the result', 'an object { persist?, reply?, noreply?, thenRun?, stop? }', result);
  }
  const { persist, thenRun, stop, noreply } = result as Record<string, unknown>;
  if (persist !== undefined && !Array.isArray(persist)) {
    fail('persist', 'an array of events', persist);
  }
  if (thenRun !== undefined && typeof thenRun !== 'function') {
    fail('thenRun', 'a function', thenRun);
  }
  if (stop !== undefined && !isReason(stop)) fail('stop', 'an exit reason', stop);
  if (noreply !== undefined && noreply !== true) fail('noreply', 'true or undefined', noreply);
  if (noreply === true && 'reply' in result) {
    fail('both reply and noreply', 'one of them', (result as { reply: unknown }).reply);
  }
  return result as CommandResult<S, E, R>;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
