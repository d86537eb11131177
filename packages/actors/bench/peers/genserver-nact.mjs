// GenServer benchmarks on nact 7: a stateful counter actor asked with query() (nact's
// request/reply, which makes a temporary reference per query) and told with dispatch().

import { dispatch, query, spawn, start } from 'nact';
import { nowNs } from '../../../../benchmarks/lib/measure.mjs';
import { latencySummary } from './genserver-latency.mjs';

const GET = Object.freeze({ type: 'get' });
const ADD = Object.freeze({ type: 'add' });

/** nact requires a query timeout; 5000 ms matches GenServer.call's default. */
const QUERY_TIMEOUT_MS = 5000;

/** Spawns a counter: `get` replies the count to the sender, `add` adds one. */
function spawnCounter() {
  const system = start();
  return spawn(
    system,
    (count = 0, message, ctx) => {
      if (message.type === 'add') return count + 1;
      dispatch(ctx.sender, count);
      return count;
    },
    'counter',
  );
}

/** Measures sequential queries as a block, then individually timed ones. */
export async function call({ warmup, calls, timed }) {
  const counter = spawnCounter();
  for (let i = 0; i < warmup; i++) await query(counter, GET, QUERY_TIMEOUT_MS);

  const startNs = nowNs();
  for (let i = 0; i < calls; i++) await query(counter, GET, QUERY_TIMEOUT_MS);
  const elapsed = nowNs() - startNs;

  const times = new Float64Array(timed);
  for (let i = 0; i < timed; i++) {
    const begin = nowNs();
    await query(counter, GET, QUERY_TIMEOUT_MS);
    times[i] = nowNs() - begin;
  }
  return { perSecond: (calls * 1e9) / elapsed, ...latencySummary(times) };
}

/** Measures `casts` dispatches, timed until a query made after them returns. */
export async function cast({ warmup, casts }) {
  const counter = spawnCounter();
  for (let i = 0; i < warmup; i++) dispatch(counter, ADD);
  const before = await query(counter, GET, QUERY_TIMEOUT_MS);

  const startNs = nowNs();
  for (let i = 0; i < casts; i++) dispatch(counter, ADD);
  const after = await query(counter, GET, QUERY_TIMEOUT_MS);
  const elapsed = nowNs() - startNs;

  if (after - before !== casts)
    throw new Error(`the actor counted ${after - before} of ${casts} casts`);
  return { perSecond: (casts * 1e9) / elapsed };
}
