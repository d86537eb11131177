/**
 * Keyset paging for replays and tag queries: each page is one short query that starts after
 * the last key of the previous page, so no cursor or transaction stays open while a consumer
 * works through the events.
 */
import { decodeEvent, type EventRow } from './event-rows.js';
import type { PersistedEvent } from './journal.js';
import type { Upcasters } from './upcasters.js';

/** Reads one page of at most `limit` rows whose key is greater than `after`, in key order. */
export type PageReader = (after: number, limit: number) => Promise<EventRow[]> | EventRow[];

/** One query of {@link readEvents}: how to read its pages and where to start. */
export interface EventQuery {
  readonly readPage: PageReader;
  /** The key that the first page starts after. */
  readonly start: number;
  /** The column of {@link EventRow} that the pages are ordered by: 1 for seq, 2 for ordering. */
  readonly keyColumn: 1 | 2;
}

/** The paging and decoding settings of a journal, the same for all its queries. */
export interface ReadEventsOptions {
  /** The rows per page; a shorter page is the last one. */
  readonly pageSize: number;
  readonly upcasters: Upcasters;
  /** Called with a row that fails to decode, before the error ends the iteration. */
  readonly onDecodeFailure: (row: EventRow, error: unknown) => void;
}

/**
 * Yields the decoded events of consecutive pages until a page comes back short. `prepare`
 * checks the arguments and builds the query when iteration starts, so a bad argument fails the
 * first `next()`. One async generator does the paging and the decoding, so each event costs one
 * promise.
 */
export async function* readEvents<P>(
  prepare: () => EventQuery,
  options: ReadEventsOptions,
): AsyncGenerator<PersistedEvent<P>, void, undefined> {
  const { readPage, keyColumn, start } = prepare();
  const { pageSize, upcasters, onDecodeFailure } = options;
  let after = start;
  for (;;) {
    const rows = await readPage(after, pageSize);
    for (const row of rows) {
      let event: PersistedEvent<P>;
      try {
        event = decodeEvent<P>(row, upcasters);
      } catch (error) {
        onDecodeFailure(row, error);
        throw error;
      }
      yield event;
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]![keyColumn];
  }
}
