// The bare Promise baseline of the GenServer benchmarks: a server object with an array
// mailbox drained in a microtask, whose reply resolves the caller's Promise. It has no pids,
// monitors, timeouts or error handling, so it marks what a request/reply over Promises costs.

import { nowNs } from '../../../../benchmarks/lib/measure.mjs';
import { latencySummary } from './genserver-latency.mjs';

const GET = Object.freeze({ type: 'get' });
const ADD = Object.freeze({ type: 'add' });

/** A counter with a mailbox of requests; a call's entry carries the resolve of its Promise. */
class PromiseServer {
  constructor() {
    this.count = 0;
    this.mailbox = [];
    this.head = 0;
    this.queued = false;
    this.drain = this.drain.bind(this);
  }

  /** Sends `request` and resolves to the reply. */
  call(request) {
    return new Promise((resolve) => this.push(request, resolve));
  }

  /** Sends `request` with no reply. */
  cast(request) {
    this.push(request, null);
  }

  push(request, resolve) {
    this.mailbox.push(request, resolve);
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(this.drain);
  }

  drain() {
    const { mailbox } = this;
    while (this.head < mailbox.length) {
      const request = mailbox[this.head];
      const resolve = mailbox[this.head + 1];
      mailbox[this.head] = undefined;
      mailbox[this.head + 1] = undefined;
      this.head += 2;
      if (request.type === 'add') this.count += 1;
      if (resolve !== null) resolve(this.count);
    }
    mailbox.length = 0;
    this.head = 0;
    this.queued = false;
  }
}

/** Measures sequential calls as a block, then individually timed ones; see genserver-starweave. */
export async function call({ warmup, calls, timed }) {
  const server = new PromiseServer();
  for (let i = 0; i < warmup; i++) await server.call(GET);

  const start = nowNs();
  for (let i = 0; i < calls; i++) await server.call(GET);
  const elapsed = nowNs() - start;

  const times = new Float64Array(timed);
  for (let i = 0; i < timed; i++) {
    const begin = nowNs();
    await server.call(GET);
    times[i] = nowNs() - begin;
  }
  return { perSecond: (calls * 1e9) / elapsed, ...latencySummary(times) };
}

/** Measures `casts` casts, timed until a call made after them returns. */
export async function cast({ warmup, casts }) {
  const server = new PromiseServer();
  for (let i = 0; i < warmup; i++) server.cast(ADD);
  const before = await server.call(GET);

  const start = nowNs();
  for (let i = 0; i < casts; i++) server.cast(ADD);
  const after = await server.call(GET);
  const elapsed = nowNs() - start;

  if (after - before !== casts)
    throw new Error(`the server counted ${after - before} of ${casts} casts`);
  return { perSecond: (casts * 1e9) / elapsed };
}
