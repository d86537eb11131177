// Supervision measurements on Starweave, from the built packages (packages/*/dist), so the
// figures are those of what users install. Called in a fresh node process by
// supervision.bench.mjs through benchmarks/lib/isolate.mjs.

import { ActorSystem, GenServer, seededRandom, silentLogger } from '@starweave/actors';
import { DynamicSupervisor, Supervisor } from '@starweave/supervision';
import { nowNs } from '../../../benchmarks/lib/measure.mjs';

/** A worker that reports its pid from init, as the Erlang peer's workers do. */
const Worker = {
  init: ({ id, onStarted }, self) => {
    onStarted?.(id, self.pid);
    return { state: id };
  },
  handleCall: (_request, _from, state) => ({ reply: 'pong', state }),
};

const PING = Object.freeze({ type: 'ping' });

/**
 * Starts `children` workers under a oneForOne supervisor, then `samples` times kills a random
 * one and times until the restarted worker has replied to a call. Returns the mean, the median
 * and p99 in µs.
 */
export async function restartLatency({ children, samples, seed }) {
  const system = new ActorSystem({ logger: silentLogger });
  const pids = new Array(children);
  let waiting = null;
  const onStarted = (id, pid) => {
    pids[id] = pid;
    if (waiting !== null && waiting.id === id) waiting.resolve(pid);
  };
  const specs = Array.from({ length: children }, (_, id) => ({
    id: `w${id}`,
    start: (ctx) => GenServer.startLink(ctx, Worker, { id, onStarted }),
  }));
  await Supervisor.startLink(system, specs, { maxRestarts: 1_000_000, maxSeconds: 1 });

  const random = seededRandom(seed);
  const latencies = new Array(samples);
  // Warm-up kills, not timed (as many as the Erlang peer runs), then a collection, so the timed
  // ones run on compiled code and start from a clean heap.
  const warmup = Math.max(1000, Math.ceil(samples / 10));
  for (let i = -warmup; i < samples; i++) {
    if (i === 0) globalThis.gc?.();
    const id = Math.floor(random() * children);
    const restarted = new Promise((resolve) => {
      waiting = { id, resolve };
    });
    const start = nowNs();
    system.exit(pids[id], 'kill');
    const pid = await restarted;
    await GenServer.call(system, pid, PING);
    if (i >= 0) latencies[i] = (nowNs() - start) / 1000;
  }
  waiting = null;
  await system.shutdown();

  latencies.sort((a, b) => a - b);
  const meanUs = latencies.reduce((sum, value) => sum + value, 0) / samples;
  const p50Us = latencies[Math.max(0, Math.ceil(samples * 0.5) - 1)];
  const p99Us = latencies[Math.max(0, Math.ceil(samples * 0.99) - 1)];
  return { meanUs, p50Us, p99Us };
}

/** Starts and terminates `children` temporary workers in turn; returns children per second. */
export async function dynamicChurn({ children }) {
  const system = new ActorSystem({ logger: silentLogger });
  const sup = await DynamicSupervisor.startLink(system);
  const spec = {
    start: (ctx) => GenServer.startLink(ctx, Worker, { id: 0 }),
    restart: 'temporary',
  };
  const churn = async (count) => {
    for (let i = 0; i < count; i++) {
      const pid = await DynamicSupervisor.startChild(system, sup, spec);
      await DynamicSupervisor.terminateChild(system, sup, pid);
    }
  };
  await churn(Math.max(2000, Math.ceil(children / 10)));
  globalThis.gc?.();
  const start = nowNs();
  await churn(children);
  const perSecond = (children * 1e9) / (nowNs() - start);
  await system.shutdown();
  return { perSecond };
}
