// Actor benchmarks on nact 7: stateless and stateful actors under one system, sent messages
// with dispatch(). nact's automatic names are random 32-bit numbers that collide at 100k actors, so
// every actor gets an explicit name.

import { dispatch, spawn as nactSpawn, spawnStateless, start } from 'nact';
import { measureSpawn, nowNs } from '../../../../benchmarks/lib/measure.mjs';

const INC = Object.freeze({ type: 'inc' });
const GO = Object.freeze({ type: 'go' });

/** Measures creating `count` idle stateless actors; see measureSpawn. */
export function spawn({ count }) {
  const system = start();
  const idle = () => {};
  return measureSpawn(count, (n) => {
    const actors = new Array(n);
    for (let i = 0; i < n; i++) actors[i] = spawnStateless(system, idle, `idle-${i}`);
    return actors;
  });
}

/** Creates a stateful actor that counts messages and resolves `done` at `total`. */
function spawnCounter(system, total) {
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  const counter = nactSpawn(
    system,
    (seen = 0) => {
      if (seen + 1 === total) resolveDone();
      return seen + 1;
    },
    'counter',
  );
  return { counter, done };
}

/** Measures one sender actor telling one counter `messages` times, in messages per second. */
export async function tell({ messages }) {
  const system = start();
  const { counter, done } = spawnCounter(system, messages);
  const sender = spawnStateless(
    system,
    () => {
      for (let i = 0; i < messages; i++) dispatch(counter, INC);
    },
    'sender',
  );

  const startNs = nowNs();
  dispatch(sender, GO);
  await done;
  return { perSecond: (messages * 1e9) / (nowNs() - startNs) };
}

/** Measures `senders` actors each telling one counter `messagesPerSender` times. */
export async function fanIn({ senders, messagesPerSender }) {
  const system = start();
  const total = senders * messagesPerSender;
  const { counter, done } = spawnCounter(system, total);
  const sendAll = () => {
    for (let i = 0; i < messagesPerSender; i++) dispatch(counter, INC);
  };
  const senderActors = Array.from({ length: senders }, (_, i) =>
    spawnStateless(system, sendAll, `sender-${i}`),
  );

  const startNs = nowNs();
  for (const sender of senderActors) dispatch(sender, GO);
  await done;
  return { perSecond: (total * 1e9) / (nowNs() - startNs) };
}

/** Measures a token passed `hops` times around a ring of `processes` actors. */
export async function ring({ processes, hops }) {
  const system = start();
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });

  const members = new Array(processes);
  for (let i = 0; i < processes; i++) {
    members[i] = spawnStateless(
      system,
      (token) => {
        if (token.left === 0) resolveDone();
        else dispatch(members[(i + 1) % processes], { type: 'token', left: token.left - 1 });
      },
      `ring-${i}`,
    );
  }

  const startNs = nowNs();
  dispatch(members[0], { type: 'token', left: hops });
  await done;
  return { perSecond: (hops * 1e9) / (nowNs() - startNs) };
}
