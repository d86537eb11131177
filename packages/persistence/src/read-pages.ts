/**
 * Keyset paging for replays and tag queries: each page is one short query that starts after
 * the last key of the previous page, so no cursor or transaction stays open while a consumer
 * works through the events.
 */

/** Reads one page of at most `limit` rows whose key is greater than `after`, in key order. */
export type PageReader<Row> = (after: number, limit: number) => Promise<Row[]> | Row[];

/**
 * Yields the rows of consecutive pages, starting after `start`, until a page comes back with
 * fewer than `pageSize` rows. `keyOf` returns the key that the next page starts after.
 */
export async function* readPages<Row>(
  readPage: PageReader<Row>,
  start: number,
  pageSize: number,
  keyOf: (row: Row) => number,
): AsyncGenerator<Row, void, undefined> {
  let after = start;
  for (;;) {
    const rows = await readPage(after, pageSize);
    for (const row of rows) yield row;
    if (rows.length < pageSize) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}
