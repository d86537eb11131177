// GenServer benchmarks on Starweave: a counter server started with GenServer.start and a
// client that is an async process function, from the built @starweave/actors package.

import { ActorSystem, GenServer, silentLogger } from '@starweave/actors';
import { nowNs } from '../../../../benchmarks/lib/measure.mjs';
import { latencySummary } from './genserver-latency.mjs';

const GET = Object.freeze({ type: 'get' });
const ADD = Object.freeze({ type: 'add' });

/** A counter: calls return the count, casts add one to it. */
const Counter = {
  name: 'Counter',
  init: (start) => ({ state: start }),
  handleCall: (_request, _from, count) => ({ reply: count, state: count }),
  handleCast: (_cast, count) => ({ noreply: true, state: count + 1 }),
};

/**
 * Runs `client(self, server)` in a process that calls the counter, and resolves to what it
 * returns; the system is shut down afterwards.
 */
async function withClient(client) {
  const system = new ActorSystem({ logger: silentLogger });
  const server = await GenServer.start(system, Counter, 0);
  let settle;
  const result = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  system.spawn(async (self) => {
    try {
      settle.resolve(await client(self, server));
    } catch (error) {
      settle.reject(error);
    }
  });
  try {
    return await result;
  } finally {
    await system.shutdown();
  }
}

/**
 * Measures `calls` sequential GenServer.call round trips from one client process, timed as a
 * block, then `timed` calls each timed on its own; `warmup` calls run first.
 */
export function call({ warmup, calls, timed }) {
  return withClient(async (self, server) => {
    for (let i = 0; i < warmup; i++) await GenServer.call(self, server, GET);

    const start = nowNs();
    for (let i = 0; i < calls; i++) await GenServer.call(self, server, GET);
    const elapsed = nowNs() - start;

    const times = new Float64Array(timed);
    for (let i = 0; i < timed; i++) {
      const begin = nowNs();
      await GenServer.call(self, server, GET);
      times[i] = nowNs() - begin;
    }
    return { perSecond: (calls * 1e9) / elapsed, ...latencySummary(times) };
  });
}

/**
 * Measures `casts` GenServer.cast messages from one client process, timed until a call made
 * after them returns: the server handles its mailbox in order, so every cast is done by then.
 */
export function cast({ warmup, casts }) {
  return withClient(async (self, server) => {
    for (let i = 0; i < warmup; i++) GenServer.cast(self, server, ADD);
    const before = await GenServer.call(self, server, GET);

    const start = nowNs();
    for (let i = 0; i < casts; i++) GenServer.cast(self, server, ADD);
    const after = await GenServer.call(self, server, GET);
    const elapsed = nowNs() - start;

    if (after - before !== casts)
      throw new Error(`the server counted ${after - before} of ${casts} casts`);
    return { perSecond: (casts * 1e9) / elapsed };
  });
}
