// The pipeline benchmarks on Starweave stages, from the built packages (dist), so the figures
// are those of what users install: a producer, a producer-consumer and a consumer, each a
// process, with GenStage demand between them.

import { ActorSystem, silentLogger } from '@starweave/actors';
import { GenStage } from '@starweave/stages';
import { nowNs } from '../../../../benchmarks/lib/measure.mjs';
import { HeapPeak, measureRate, spin } from './workload.mjs';

const Source = {
  type: 'producer',
  init: ({ count, work }) => ({ state: { next: 0, count, work } }),
  handleDemand(demand, state) {
    const size = Math.min(demand, state.count - state.next);
    const events = new Array(size);
    const first = state.next;
    for (let i = 0; i < size; i++) {
      if (state.work > 0) spin(state.work, first + i);
      events[i] = first + i;
    }
    state.next = first + size;
    return { events, state };
  },
};

const Mapper = {
  type: 'producerConsumer',
  init: () => ({ state: null }),
  handleEvents(events, _from, state) {
    const out = new Array(events.length);
    for (let i = 0; i < events.length; i++) out[i] = events[i] * 2 + 1;
    return { events: out, state };
  },
};

const Sink = {
  type: 'consumer',
  init: (sink) => ({ state: sink }),
  handleEvents(events, _from, sink) {
    let sum = sink.sum;
    for (let i = 0; i < events.length; i++) {
      const x = events[i];
      if (sink.work > 0) spin(sink.work, x);
      if (x % 3 !== 0) sum += x;
    }
    sink.sum = sum;
    sink.seen += events.length;
    if (sink.heap !== undefined) sink.heap.passed(events.length);
    if (sink.seen === sink.count) sink.done(sum);
    return { state: sink };
  },
};

/**
 * Runs `count` events through the three stages and resolves with the sink's sum and the time
 * taken. The time runs from creating the system to the last event, without the shutdown.
 */
async function runOnce(count, { sourceWork = 0, sinkWork = 0, heap } = {}) {
  const start = nowNs();
  const system = new ActorSystem({ logger: silentLogger });
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const sink = { sum: 0, seen: 0, count, work: sinkWork, heap, done };
  const source = await GenStage.startLink(system, Source, { count, work: sourceWork });
  const map = await GenStage.startLink(system, Mapper, undefined);
  const consumer = await GenStage.startLink(system, Sink, sink);
  await GenStage.subscribe(system, consumer, { to: map });
  await GenStage.subscribe(system, map, { to: source });
  const sum = await finished;
  const elapsedNs = nowNs() - start;
  await system.shutdown();
  return { sum, elapsedNs };
}

/** Events per second through producer -> map -> filter-and-sum, median of `rounds`. */
export function throughput(size) {
  return measureRate((count) => runOnce(count), size);
}

/**
 * Peak live heap bytes while a consumer 100x slower than its producer drains `count` events.
 */
export async function memory({ count, producerWork }) {
  await runOnce(1000, { sourceWork: producerWork, sinkWork: producerWork * 100 });
  const heap = new HeapPeak(Math.max(1, Math.floor(count / 50)));
  heap.start();
  await runOnce(count, { sourceWork: producerWork, sinkWork: producerWork * 100, heap });
  return { peakBytes: heap.finish() };
}
