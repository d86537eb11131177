// Actor benchmarks on Starweave: callback-style processes from the built @starweave/actors
// package (packages/actors/dist), so the figures are those of what users install.

import { ActorSystem, silentLogger } from '@starweave/actors';
import { measureSpawn, nowNs } from '../../../../benchmarks/lib/measure.mjs';

const INC = Object.freeze({ type: 'inc' });
const GO = Object.freeze({ type: 'go' });

/** Resolves once the system's run queue is empty and no process runs. */
function untilIdle(system) {
  return new Promise((resolve) => {
    const check = () => (system.isIdle() ? resolve() : setImmediate(check));
    check();
  });
}

/**
 * Measures spawning `count` idle processes and keeping their pids; see measureSpawn. The time
 * includes running the scheduler until the system is idle, so work that spawn defers counts too.
 */
export function spawn({ count }) {
  const system = new ActorSystem({ logger: silentLogger });
  const idle = { handleMessage() {} };
  return measureSpawn(count, async (n) => {
    const pids = new Array(n);
    for (let i = 0; i < n; i++) pids[i] = system.spawn(idle);
    await untilIdle(system);
    return pids;
  });
}

/** Spawns a process that counts messages and resolves `done` at `total`. */
function spawnCounter(system, total) {
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  let seen = 0;
  const counter = system.spawn({
    handleMessage() {
      seen += 1;
      if (seen === total) resolveDone();
    },
  });
  return { counter, done };
}

/** Measures one sender process telling one counter `messages` times, in messages per second. */
export async function tell({ messages }) {
  const system = new ActorSystem({ logger: silentLogger });
  const { counter, done } = spawnCounter(system, messages);
  const sender = system.spawn({
    handleMessage(self) {
      for (let i = 0; i < messages; i++) self.send(counter, INC);
    },
  });

  const start = nowNs();
  system.send(sender, GO);
  await done;
  return { perSecond: (messages * 1e9) / (nowNs() - start) };
}

/** Measures `senders` processes each telling one counter `messagesPerSender` times. */
export async function fanIn({ senders, messagesPerSender }) {
  const system = new ActorSystem({ logger: silentLogger });
  const total = senders * messagesPerSender;
  const { counter, done } = spawnCounter(system, total);
  const sendAll = {
    handleMessage(self) {
      for (let i = 0; i < messagesPerSender; i++) self.send(counter, INC);
    },
  };
  const senderPids = Array.from({ length: senders }, () => system.spawn(sendAll));
  await untilIdle(system);

  const start = nowNs();
  for (const sender of senderPids) system.send(sender, GO);
  await done;
  return { perSecond: (total * 1e9) / (nowNs() - start) };
}

/** Measures a token passed `hops` times around a ring of `processes` processes. */
export async function ring({ processes, hops }) {
  const system = new ActorSystem({ logger: silentLogger });
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });

  const members = new Array(processes);
  for (let i = 0; i < processes; i++) {
    const next = (i + 1) % processes;
    members[i] = system.spawn({
      handleMessage(self, token) {
        if (token.left === 0) resolveDone();
        else self.send(members[next], { type: 'token', left: token.left - 1 });
      },
    });
  }
  await untilIdle(system);

  const start = nowNs();
  system.send(members[0], { type: 'token', left: hops });
  await done;
  return { perSecond: (hops * 1e9) / (nowNs() - start) };
}
