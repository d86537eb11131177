// Actor benchmarks on the bare-JavaScript reference runtime (bare-runtime.mjs).

import { measureSpawn, nowNs } from '../../../../benchmarks/lib/measure.mjs';
import { BareRuntime } from './bare-runtime.mjs';

const INC = Object.freeze({ type: 'inc' });
const GO = Object.freeze({ type: 'go' });

/** Measures creating `count` idle processes; see measureSpawn. */
export function spawn({ count }) {
  const runtime = new BareRuntime();
  const idle = () => {};
  return measureSpawn(count, (n) => {
    const processes = new Array(n);
    for (let i = 0; i < n; i++) processes[i] = runtime.spawn(idle);
    return processes;
  });
}

/** Creates a process that counts messages and resolves `done` at `total`. */
function spawnCounter(runtime, total) {
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  let seen = 0;
  const counter = runtime.spawn(() => {
    seen += 1;
    if (seen === total) resolveDone();
  });
  return { counter, done };
}

/** Measures one sender process telling one counter `messages` times, in messages per second. */
export async function tell({ messages }) {
  const runtime = new BareRuntime();
  const { counter, done } = spawnCounter(runtime, messages);
  const sender = runtime.spawn(() => {
    for (let i = 0; i < messages; i++) runtime.send(counter, INC);
  });

  const start = nowNs();
  runtime.send(sender, GO);
  await done;
  return { perSecond: (messages * 1e9) / (nowNs() - start) };
}

/** Measures `senders` processes each telling one counter `messagesPerSender` times. */
export async function fanIn({ senders, messagesPerSender }) {
  const runtime = new BareRuntime();
  const total = senders * messagesPerSender;
  const { counter, done } = spawnCounter(runtime, total);
  const sendAll = () => {
    for (let i = 0; i < messagesPerSender; i++) runtime.send(counter, INC);
  };
  const senderProcesses = Array.from({ length: senders }, () => runtime.spawn(sendAll));

  const start = nowNs();
  for (const sender of senderProcesses) runtime.send(sender, GO);
  await done;
  return { perSecond: (total * 1e9) / (nowNs() - start) };
}

/** Measures a token passed `hops` times around a ring of `processes` processes. */
export async function ring({ processes, hops }) {
  const runtime = new BareRuntime();
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });

  const members = new Array(processes);
  for (let i = 0; i < processes; i++) {
    members[i] = runtime.spawn((token) => {
      if (token.left === 0) resolveDone();
      else runtime.send(members[(i + 1) % processes], { type: 'token', left: token.left - 1 });
    });
  }

  const start = nowNs();
  runtime.send(members[0], { type: 'token', left: hops });
  await done;
  return { perSecond: (hops * 1e9) / (nowNs() - start) };
}
