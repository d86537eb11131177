/**
 * Recovery of a persistent process: the newest snapshot, then the events after it folded into
 * the state, up to the journal's highest sequence number.
 */
import { StarweaveError } from '@starweave/actors';
import type { Journal } from '../journal.js';
import type { SnapshotStore } from '../snapshot-store.js';
import type { PersistentState } from './persistent-spec.js';

/** The stores and the fold of one recovery. */
export interface RecoverySource<S, E> {
  readonly persistenceId: string;
  readonly journal: Journal;
  readonly snapshots: SnapshotStore | undefined;
  /** Returns the state before the first event, for a journal without a snapshot. */
  readonly initialState: () => S;
  readonly applyEvent: (state: S, event: E) => S;
}

/** The recovered state, with how many events were replayed. */
export interface Recovered<S> extends PersistentState<S> {
  readonly replayed: number;
}

/**
 * Loads the newest snapshot and folds the events after it. Reads the highest sequence number
 * first and replays up to it, so the recovered sequence number is that of the last event
 * folded. An event that another writer appends meanwhile then makes the first append fail with
 * ERR_CONFLICT instead of going unseen. Fails with ERR_STORE when events between the snapshot and the
 * highest sequence number are missing (deleted with no snapshot that covers them), and passes
 * on the stores' errors (ERR_DECODE, ERR_STORE, ERR_NOCONNECTION).
 */
export async function recover<S, E>(source: RecoverySource<S, E>): Promise<Recovered<S>> {
  const { persistenceId, journal, snapshots } = source;
  const snapshot = await snapshots?.loadLatest<S>(persistenceId);
  const highest = await journal.highestSeq(persistenceId);

  let state = snapshot === undefined ? source.initialState() : snapshot.state;
  const snapshotSeq = snapshot?.seq ?? 0;
  let seq = snapshotSeq;
  let replayed = 0;
  if (highest > snapshotSeq) {
    for await (const event of journal.replay<E>(persistenceId, snapshotSeq + 1, highest)) {
      if (event.seq !== seq + 1) throw missingEvents(persistenceId, seq + 1, event.seq - 1);
      state = source.applyEvent(state, event.payload);
      seq = event.seq;
      replayed++;
    }
  }
  if (seq < highest) throw missingEvents(persistenceId, seq + 1, highest);
  // A snapshot taken past the highest event means the journal lost events that the state
  // already contains; appending after `highest` would reuse their sequence numbers.
  if (snapshotSeq > highest) {
    throw new StarweaveError(
      'ERR_STORE',
      `cannot recover ${JSON.stringify(persistenceId)}: its snapshot is at sequence ` +
        `${snapshotSeq} but its journal ends at ${highest}. The journal and the snapshot ` +
        'store must be the same pair of stores; check the database settings.',
      { details: { persistenceId, snapshotSeq, highestSeq: highest } },
    );
  }
  return { persistenceId, seq, snapshotSeq, state, replayed };
}

function missingEvents(persistenceId: string, from: number, to: number): StarweaveError {
  return new StarweaveError(
    'ERR_STORE',
    `cannot recover ${JSON.stringify(persistenceId)}: events ${from} to ${to} are missing ` +
      'from its journal and no snapshot covers them. Events may be deleted only up to a ' +
      'saved snapshot; restore the journal from a backup.',
    { details: { persistenceId, from, to } },
  );
}
