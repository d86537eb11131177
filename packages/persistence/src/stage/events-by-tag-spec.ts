/**
 * The GenStage producer of a journal's tagged events: it reads only as much as its consumers
 * demand, polls on the system clock once it has emitted every stored event, and commits an
 * offset only when a consumer acknowledges it.
 */
import { type ProcessContext, type Ref, StarweaveError } from '@starweave/actors';
import type { ProducerSpec, StageCallResult, StageResult } from '@starweave/stages';
import type { PersistedEvent } from '../journal.js';
import { resolveEventsByTagOptions } from './events-by-tag-options.js';
import { AckOffset, OffsetsQuery, PollJournal } from './producer-messages.js';

/** The state of an events-by-tag producer. */
export interface EventsByTagState {
  /** The ordering of the last event emitted, where the next read starts after. */
  offset: number;
  /** The offset last committed to the offset store, or restored from a checkpoint. */
  committed: number;
  /** The demand that the events emitted so far have not met. */
  demand: number;
  /** The generation of the pending poll timer; a timer message of another one is stale. */
  pollGeneration: number;
  /** The pending poll timer, or null. */
  pollTimer: Ref | null;
  /** Whether a poll without delay is in the mailbox, because the last read filled its batch. */
  pollQueued: boolean;
  /**
   * The open read of the journal, kept while it may have more events, so that the next read
   * continues its page instead of querying again. No database cursor stays open, because the
   * journal reads each page with a query of its own.
   */
  cursor: AsyncIterator<PersistedEvent> | null;
}

/** The reply of an acknowledgement: the committed offset, or why it was not committed. */
export type AckReply = { committed: number } | { error: StarweaveError };

/** The offsets of a producer, as `EventsByTagProducer.offsets` returns them. */
export interface ProducerOffsets {
  /** The ordering of the last event emitted. */
  emitted: number;
  /** The offset committed to the offset store, or restored from a checkpoint. */
  committed: number;
}

/** A checkpoint snapshot of the producer: the offset to resume after. */
interface OffsetSnapshot {
  offset: number;
}

type Result<P> = StageResult<EventsByTagState, PersistedEvent<P>>;

/**
 * Returns the producer spec that emits the events of `options.tag`. Fails with
 * ERR_INVALID_ARGUMENT for bad options.
 */
export function eventsByTagSpec<P = unknown>(
  options: unknown,
): ProducerSpec<EventsByTagState, void, PersistedEvent<P>> {
  const resolved = resolveEventsByTagOptions(options);
  const { journal, tag, offsets, projectionId, batchSize, pollIntervalMs } = resolved;

  async function read(state: EventsByTagState, self: ProcessContext): Promise<Result<P>> {
    const next: EventsByTagState = { ...state, pollTimer: null };
    if (state.pollTimer !== null) {
      // A timer that fired already has its message in the mailbox: the new generation makes
      // that message stale.
      self.cancelTimer(state.pollTimer);
      next.pollGeneration++;
    }
    if (next.demand === 0) return { state: next };

    const limit = Math.min(next.demand, batchSize);
    const events: PersistedEvent<P>[] = [];
    try {
      next.cursor ??= journal.eventsByTag(tag, next.offset)[Symbol.asyncIterator]();
      while (events.length < limit) {
        const step = await next.cursor.next();
        if (step.done === true) {
          next.cursor = null;
          break;
        }
        events.push(step.value as PersistedEvent<P>);
      }
    } catch (error) {
      // The stage exits with this error; a restart resumes from the committed offset.
      self.system.logger.log('error', 'persistence.projection_read_failed', {
        pid: self.pid,
        tag,
        projectionId,
        offset: next.offset,
        reason: error,
      });
      throw error;
    }

    next.demand -= events.length;
    if (events.length > 0) next.offset = events[events.length - 1]!.ordering;
    if (next.demand > 0) schedulePoll(next, self, events.length === limit);
    return { events, state: next };
  }

  // A full batch means that more events may be stored already, so the next read runs at once.
  // After a short batch every stored event is out, so the next read waits for the interval.
  function schedulePoll(state: EventsByTagState, self: ProcessContext, full: boolean): void {
    if (full) {
      if (!state.pollQueued) self.send(self.pid, new PollJournal(0));
      state.pollQueued = true;
      return;
    }
    state.pollGeneration++;
    state.pollTimer = self.sendAfter(
      self.pid,
      new PollJournal(state.pollGeneration),
      pollIntervalMs,
    );
  }

  async function commit(
    state: EventsByTagState,
    offset: number,
    self: ProcessContext,
  ): Promise<StageCallResult<EventsByTagState, never>> {
    if (offset <= state.committed) return { reply: { committed: state.committed }, state };
    if (offset > state.offset) {
      const error = new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid offset: expected at most ${state.offset}, the ordering of the last event ` +
          `emitted for tag ${JSON.stringify(tag)}, received ${offset}. Acknowledge the ` +
          'ordering of an event that the consumer received.',
        { details: { offset, emitted: state.offset, tag } },
      );
      self.system.logger.log('warn', 'persistence.ack_rejected', {
        pid: self.pid,
        tag,
        projectionId,
        offset,
        emitted: state.offset,
      });
      return { reply: { error }, state };
    }
    if (offsets !== undefined) {
      try {
        await offsets.save(projectionId!, offset);
      } catch (error) {
        // The offset stays where it was, so a restart emits these events again: none is lost.
        self.system.logger.log('error', 'persistence.offset_commit_failed', {
          pid: self.pid,
          tag,
          projectionId,
          offset,
          reason: error,
        });
        return { reply: { error: asStarweaveError(error) }, state };
      }
    }
    self.system.logger.log('debug', 'persistence.offset_committed', {
      pid: self.pid,
      tag,
      projectionId,
      offset,
    });
    const next = { ...state, committed: offset };
    return { reply: { committed: offset }, state: next };
  }

  return {
    type: 'producer',
    name: 'EventsByTagProducer',
    init: async (_arg, self) => {
      const loaded = offsets === undefined ? undefined : await offsets.load(projectionId!);
      const committed = loaded ?? resolved.startOffset;
      self.system.logger.log('info', 'persistence.projection_started', {
        pid: self.pid,
        tag,
        projectionId,
        offset: committed,
      });
      return { state: initialState(committed) };
    },
    handleDemand: (demand, state, self) => read({ ...state, demand: state.demand + demand }, self),
    handleInfo: (message, state, self) => {
      if (!(message instanceof PollJournal)) return { state };
      if (message.generation === 0) return read({ ...state, pollQueued: false }, self);
      if (message.generation !== state.pollGeneration) return { state };
      return read({ ...state, pollTimer: null }, self);
    },
    handleCall: (request, _from, state, self) => {
      if (request instanceof AckOffset) return commit(state, request.offset, self);
      if (request instanceof OffsetsQuery) {
        const reply: ProducerOffsets = { emitted: state.offset, committed: state.committed };
        return { reply, state };
      }
      throw new StarweaveError(
        'ERR_BAD_CALL',
        `EventsByTagProducer got the call ${String(request)}; it takes only ack and offsets.`,
        { details: { request } },
      );
    },
    snapshotState: (state): OffsetSnapshot => ({ offset: state.offset }),
    restoreState: (snapshot: OffsetSnapshot, state) => {
      // A fresh state drops the cursor, which would go on from the offset that init loaded.
      const restored = initialState(snapshot.offset);
      return { ...restored, demand: state.demand };
    },
  };
}

function initialState(offset: number): EventsByTagState {
  return {
    offset,
    committed: offset,
    demand: 0,
    pollGeneration: 0,
    pollTimer: null,
    pollQueued: false,
    cursor: null,
  };
}

function asStarweaveError(error: unknown): StarweaveError {
  if (error instanceof StarweaveError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StarweaveError('ERR_STORE', `cannot commit the offset: ${message}`, { cause: error });
}
