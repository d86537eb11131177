// Bridge benchmarks on Starweave: a PythonWorker from the built @starweave/ml-bridge package,
// over the pipes on descriptors 3 and 4 or over ZeroMQ on loopback.

import { fileURLToPath } from 'node:url';
import { ActorSystem, silentLogger } from '@starweave/actors';
import { call, PythonWorker } from '@starweave/ml-bridge';
import { checkOutput, makeInput, pinSelf, runInFlight, runSequential } from './load.mjs';

const PYTHON = process.env.STARWEAVE_PYTHON ?? '/usr/bin/python3';
const BENCH_HANDLERS = fileURLToPath(new URL('../python', import.meta.url));

async function startWorker(system, { zmq, pinned, inflight, handlers, batch }) {
  return PythonWorker.startLink(system, {
    python: PYTHON,
    handlers,
    handlerPaths: [BENCH_HANDLERS],
    maxInFlight: Math.max(64, inflight ?? 1),
    // These handlers hold the interpreter lock, so more handler threads only contend for it.
    threads: 1,
    heartbeatMs: 0,
    defaultTimeoutMs: 60_000,
    ...(batch === undefined ? {} : { batch }),
    ...(zmq ? { zmq: { endpoint: 'tcp://127.0.0.1:0' } } : {}),
    ...(pinned ? { commandPrefix: ['taskset', '-c', '0'] } : {}),
  });
}

function sender(system, worker, size) {
  const input = makeInput(size);
  const handler = size === 'small' ? 'bench_small' : 'bench_large';
  const payload = { x: input };
  const send = async () => {
    const result = await call(system, worker, handler, payload);
    return size === 'small' ? result.y : result.x;
  };
  return { send, check: (output) => checkOutput(size, input, output) };
}

/** Requests per second with `inflight` requests outstanding. */
export async function inFlight({ size, inflight, count, warmup, zmq }) {
  const system = new ActorSystem({ logger: silentLogger });
  const worker = await startWorker(system, { zmq, inflight, handlers: ['bridge_bench'] });
  const { send, check } = sender(system, worker, size);
  await runInFlight(send, { count: warmup, inflight, check });
  const perSecond = await runInFlight(send, { count, inflight, check });
  await PythonWorker.stop(system, worker);
  await system.shutdown();
  return { perSecond };
}

/** Measures the median round trip of sequential requests in µs; `pinned` puts both sides on CPU 0. */
export async function sequential({ size, count, warmup, pinned }) {
  if (pinned) await pinSelf(0);
  const system = new ActorSystem({ logger: silentLogger });
  const worker = await startWorker(system, { pinned, handlers: ['bridge_bench'] });
  const { send, check } = sender(system, worker, size);
  await runSequential(send, { count: warmup, check });
  const p50 = await runSequential(send, { count, check });
  await PythonWorker.stop(system, worker);
  await system.shutdown();
  return { p50 };
}

/**
 * Predictions per second of the iris model with dynamic batching and without (each request its
 * own frame), measured one after the other on the same worker.
 */
export async function batchingGain({ count, warmup, inflight }) {
  const system = new ActorSystem({ logger: silentLogger });
  const worker = await startWorker(system, {
    inflight,
    handlers: ['starweave_bridge.examples.iris'],
    batch: { maxBatchSize: 256, maxWaitMs: 2 },
  });
  const row = new Float64Array([6.0, 2.7, 4.2, 1.3]);
  const check = (probabilities) => {
    if (probabilities.length !== 3 || Math.abs(probabilities.reduce((a, b) => a + b) - 1) > 1e-9) {
      throw new Error('wrong prediction');
    }
  };
  const batchedSend = () => call(system, worker, 'iris_predict_proba', row);
  await runInFlight(batchedSend, { count: warmup, inflight, check });
  const batched = await runInFlight(batchedSend, { count, inflight, check });
  await PythonWorker.stop(system, worker);

  const unbatchedWorker = await startWorker(system, {
    inflight,
    handlers: ['starweave_bridge.examples.iris'],
    batch: false,
  });
  const unbatchedSend = () => call(system, unbatchedWorker, 'iris_predict_proba', row);
  const unbatchedCount = Math.max(1000, Math.round(count / 10));
  await runInFlight(unbatchedSend, { count: Math.round(warmup / 10), inflight, check });
  const unbatched = await runInFlight(unbatchedSend, { count: unbatchedCount, inflight, check });
  await PythonWorker.stop(system, unbatchedWorker);
  await system.shutdown();
  return { batched, unbatched };
}
