// GenServer benchmarks on xstate 5: a client actor sends a request event carrying its own
// reference to a counter actor, which answers with sendTo. xstate handles events inside
// send(), so one client.send() spans a whole round trip; there is no awaited Promise.

import { assign, createActor, createMachine, sendTo } from 'xstate';
import { nowNs } from '../../../../benchmarks/lib/measure.mjs';
import { latencySummary } from './genserver-latency.mjs';

const GO = Object.freeze({ type: 'go' });
const ADD = Object.freeze({ type: 'add' });

const counterMachine = createMachine({
  id: 'counter',
  context: { count: 0 },
  on: {
    add: { actions: assign({ count: ({ context }) => context.count + 1 }) },
    get: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'reply', count: context.count }),
      ),
    },
  },
});

const clientMachine = createMachine({
  id: 'client',
  context: ({ input }) => ({ server: input.server, replies: 0, count: 0 }),
  on: {
    go: {
      actions: sendTo(
        ({ context }) => context.server,
        ({ self }) => ({ type: 'get', replyTo: self }),
      ),
    },
    reply: {
      actions: assign({
        replies: ({ context }) => context.replies + 1,
        count: ({ event }) => event.count,
      }),
    },
  },
});

/** Starts a counter and a client that calls it. */
function startPair() {
  const server = createActor(counterMachine).start();
  const client = createActor(clientMachine, { input: { server } }).start();
  return { server, client };
}

/** Checks that the client got one reply per request so far. */
function checkReplies(client, expected) {
  const { replies } = client.getSnapshot().context;
  if (replies !== expected)
    throw new Error(`the xstate client got ${replies} of ${expected} replies`);
}

/** Measures request/reply round trips as a block, then individually timed ones. */
export function call({ warmup, calls, timed }) {
  const { client } = startPair();
  for (let i = 0; i < warmup; i++) client.send(GO);

  const start = nowNs();
  for (let i = 0; i < calls; i++) client.send(GO);
  const elapsed = nowNs() - start;
  checkReplies(client, warmup + calls);

  const times = new Float64Array(timed);
  for (let i = 0; i < timed; i++) {
    const begin = nowNs();
    client.send(GO);
    times[i] = nowNs() - begin;
  }
  checkReplies(client, warmup + calls + timed);
  return { perSecond: (calls * 1e9) / elapsed, ...latencySummary(times) };
}

/** Measures `casts` events sent to the counter, checked by a request made after them. */
export function cast({ warmup, casts }) {
  const { server, client } = startPair();
  for (let i = 0; i < warmup; i++) server.send(ADD);

  const start = nowNs();
  for (let i = 0; i < casts; i++) server.send(ADD);
  client.send(GO);
  const elapsed = nowNs() - start;

  const { count } = client.getSnapshot().context;
  if (count !== warmup + casts)
    throw new Error(`the counter counted ${count} of ${warmup + casts} casts`);
  return { perSecond: (casts * 1e9) / elapsed };
}
