/**
 * Stages for the checkpoint tests: a source of integers that resumes from its offset, and a
 * stateful stage that keeps running counts per input. The sink writes idempotently into a map
 * outside the actor system, as into a database keyed by the data.
 */
import type { Pid } from '@starweave/actors';
import type { ConsumerSpec, ProducerConsumerSpec, ProducerSpec } from '@starweave/stages';

/** Returns a source of `{ source, x }` for x from its offset up to `limit`. */
export function source(name: string, limit: number): ProducerSpec<{ offset: number }, void, Item> {
  return {
    type: 'producer',
    init: () => ({ state: { offset: 0 } }),
    handleDemand: (demand, state) => {
      const count = Math.max(0, Math.min(demand, limit - state.offset));
      const events = Array.from({ length: count }, (_, i) => ({
        source: name,
        x: state.offset + i,
      }));
      return { events, state: { offset: state.offset + count } };
    },
    snapshotState: (state) => ({ offset: state.offset }),
    restoreState: (snapshot: { offset: number }) => ({ offset: snapshot.offset }),
  };
}

/** An event of {@link source}. */
export interface Item {
  source: string;
  x: number;
}

/** An event of {@link runningCount}: the item and how many items of its source came so far. */
export interface Counted extends Item {
  count: number;
  sum: number;
}

/**
 * A stage that counts the items of each source and sums x per source and per x % 7; its state
 * is what checkpoints save. Its output depends on the order within each source only, so it is
 * the same whatever the interleaving of the sources.
 */
export const runningCount: ProducerConsumerSpec<
  { counts: Record<string, number>; sums: Record<string, number> },
  void,
  Item,
  Counted
> = {
  type: 'producerConsumer',
  init: () => ({ state: { counts: {}, sums: {} } }),
  handleEvents: (events, _from, state) => {
    const out: Counted[] = [];
    for (const item of events) {
      const count = (state.counts[item.source] ?? 0) + 1;
      state.counts[item.source] = count;
      const key = `${item.source}/${item.x % 7}`;
      const sum = (state.sums[key] ?? 0) + item.x;
      state.sums[key] = sum;
      out.push({ ...item, count, sum });
    }
    return { events: out, state };
  },
  snapshotState: (state) => ({ counts: { ...state.counts }, sums: { ...state.sums } }),
  restoreState: (snapshot: { counts: Record<string, number>; sums: Record<string, number> }) => ({
    counts: { ...snapshot.counts },
    sums: { ...snapshot.sums },
  }),
};

/** What the sink writes: the value for each `source:x`, and each write that changed one. */
export interface Database {
  rows: Map<string, string>;
  overwrites: Array<{ key: string; before: string; after: string }>;
  writes: number;
}

/** Returns an empty {@link Database}. */
export function database(): Database {
  return { rows: new Map(), overwrites: [], writes: 0 };
}

/** Returns a sink that writes each event under a key derived from it, `delayMs` per batch. */
export function sink(db: Database, delayMs = 0): ConsumerSpec<null, void, Counted> {
  return {
    type: 'consumer',
    init: () => ({ state: null }),
    handleEvents: async (events, _from, state) => {
      for (const event of events) {
        const key = `${event.source}:${event.x}`;
        const value = `${event.count}/${event.sum}`;
        const before = db.rows.get(key);
        if (before !== undefined && before !== value)
          db.overwrites.push({ key, before, after: value });
        db.rows.set(key, value);
        db.writes++;
      }
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { state };
    },
  };
}

/** Returns the rows a run without faults writes for sources of `limit` items each. */
export function expectedRows(names: readonly string[], limit: number): Map<string, string> {
  const rows = new Map<string, string>();
  for (const name of names) {
    const sums: Record<number, number> = {};
    for (let x = 0; x < limit; x++) {
      sums[x % 7] = (sums[x % 7] ?? 0) + x;
      rows.set(`${name}:${x}`, `${x + 1}/${sums[x % 7]}`);
    }
  }
  return rows;
}

export type { Pid };

/** Returns `spec` with `subscribeTo` added to what its `init` returns. */
export function subscribedTo<S extends { init: (...args: any[]) => any }>(
  spec: S,
  subscribeTo: unknown[],
): S {
  return {
    ...spec,
    init: async (arg: unknown, self: unknown) => ({ ...(await spec.init(arg, self)), subscribeTo }),
  };
}
