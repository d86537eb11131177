/**
 * A journal that passes every call to a real one, except the appends that it is set to fail, for
 * the tests of write failures.
 */
import { StarweaveError } from '@starweave/actors';
import type { EventInput, Journal, JournalCounters, PersistedEvent } from '@starweave/persistence';

/** A {@link Journal} whose appends fail while `failing` is true. */
export class FaultJournal implements Journal {
  /** Whether the next appends fail. */
  failing = false;
  /** Appends that failed on purpose. */
  failures = 0;

  constructor(private readonly inner: Journal) {}

  /** Returns the error that a failed append rejects with. */
  static failure(persistenceId: string): StarweaveError {
    return new StarweaveError(
      'ERR_STORE',
      `cannot append to ${JSON.stringify(persistenceId)}: the disk is full (injected).`,
    );
  }

  append(persistenceId: string, events: readonly EventInput[], expectedSeq: number) {
    if (this.failing) {
      this.failures++;
      return Promise.reject(FaultJournal.failure(persistenceId));
    }
    return this.inner.append(persistenceId, events, expectedSeq);
  }

  replay<P = unknown>(persistenceId: string, fromSeq?: number, toSeq?: number) {
    return this.inner.replay<P>(persistenceId, fromSeq, toSeq);
  }

  highestSeq(persistenceId: string) {
    return this.inner.highestSeq(persistenceId);
  }

  deleteTo(persistenceId: string, seq: number) {
    return this.inner.deleteTo(persistenceId, seq);
  }

  eventsByTag<P = unknown>(tag: string, offset?: number): AsyncIterable<PersistedEvent<P>> {
    return this.inner.eventsByTag<P>(tag, offset);
  }

  allEvents<P = unknown>(offset?: number): AsyncIterable<PersistedEvent<P>> {
    return this.inner.allEvents<P>(offset);
  }

  counters(): Readonly<JournalCounters> {
    return this.inner.counters();
  }

  close() {
    return this.inner.close();
  }
}
