/**
 * The store writer: a GenServer that appends journal writes at the positions their data
 * decided. A write at or below a journal's highest sequence number was made before (by a run
 * that crashed and replayed) and is skipped, so replays change nothing.
 */
import { GenServer, type Pid, type ProcessContext, StarweaveError } from '@starweave/actors';
import type { Journal } from '@starweave/persistence';
import type { JournalWrite } from './journal-layout.js';

/** The registered name of the store writer. */
export const STORE_WRITER = 'store-writer';

/** What one `write` call did. */
export interface WriteOutcome {
  readonly written: number;
  /** Writes found in the journal already, from before a restart. */
  readonly skipped: number;
}

type WriteRequest = { type: 'write'; writes: readonly JournalWrite[] };

type WriterProtocol = { calls: { request: WriteRequest; reply: WriteOutcome } };

interface WriterState {
  readonly journal: Journal;
  /** The highest sequence number of each journal this writer has read or written. */
  readonly highest: Map<string, number>;
}

const StoreWriter: GenServer.Spec<WriterState, Journal, WriterProtocol> = {
  init: (journal) => ({ state: { journal, highest: new Map() } }),

  handleCall: async (request, _from, state) => {
    const outcome = await write(state, request.writes);
    return { reply: outcome, state };
  },
};

async function write(state: WriterState, writes: readonly JournalWrite[]): Promise<WriteOutcome> {
  const byJournal = new Map<string, JournalWrite[]>();
  for (const entry of writes) {
    const list = byJournal.get(entry.persistenceId);
    if (list === undefined) byJournal.set(entry.persistenceId, [entry]);
    else list.push(entry);
  }

  let written = 0;
  let skipped = 0;
  const appends: Promise<void>[] = [];
  for (const [persistenceId, entries] of byJournal) {
    let highest = state.highest.get(persistenceId);
    if (highest === undefined) {
      highest = await state.journal.highestSeq(persistenceId);
      state.highest.set(persistenceId, highest);
    }
    const fresh = entries.filter((entry) => entry.seq > highest!);
    skipped += entries.length - fresh.length;
    if (fresh.length === 0) continue;
    fresh.forEach((entry, index) => {
      if (entry.seq !== highest! + index + 1) {
        throw new StarweaveError(
          'ERR_CONFLICT',
          `journal ${persistenceId} is at sequence ${highest! + index}, but the next write is at ${entry.seq}; a write before it was lost. Restart the pipeline from its last checkpoint.`,
          { details: { persistenceId, expectedSeq: highest! + index, seq: entry.seq } },
        );
      }
    });
    state.highest.set(persistenceId, highest + fresh.length);
    written += fresh.length;
    // Appends of one tick share one SQLite transaction, so every journal is sent at once.
    const events = fresh.map((entry) => ({ payload: entry.payload, tags: entry.tags }));
    appends.push(state.journal.append(persistenceId, events, highest).then(() => undefined));
  }
  try {
    await Promise.all(appends);
  } catch (error) {
    // What was written is unknown now; read the journals again on the next call.
    state.highest.clear();
    throw error;
  }
  return { written, skipped };
}

/** Starts the store writer linked to the caller (its supervisor) under {@link STORE_WRITER}. */
export function startStoreWriter(ctx: ProcessContext, journal: Journal): Promise<Pid> {
  return GenServer.startLink(ctx, StoreWriter, journal, { name: STORE_WRITER });
}

/** Sends writes to the store writer and waits until they are in the journal. */
export function writeToStore(
  caller: ProcessContext,
  writes: readonly JournalWrite[],
  timeoutMs = 60_000,
): Promise<WriteOutcome> {
  const request: WriteRequest = { type: 'write', writes };
  return GenServer.call<WriterProtocol, WriteRequest>(caller, STORE_WRITER, request, timeoutMs);
}
