/**
 * Helpers for the stage tests: systems shut down after each test, waits that poll the event
 * loop, a seeded input generator, and a pipeline runner that feeds a finite input through one
 * stage into a collecting consumer.
 */
import {
  ActorSystem,
  type ActorSystemOptions,
  type Pid,
  seededRandom,
  silentLogger,
} from '@starweave/actors';
import {
  type ConsumerSpec,
  fromAsyncIterable,
  GenStage,
  type ProducerSpec,
} from '@starweave/stages';
import { afterEach } from 'vitest';

/** Returns a factory of systems with a silent logger; each is shut down after each test. */
export function useSystems(): (options?: ActorSystemOptions) => ActorSystem {
  const made: ActorSystem[] = [];
  afterEach(async () => {
    for (const system of made.splice(0)) await system.shutdown();
  });
  return (options = {}) => {
    const system = new ActorSystem({ logger: silentLogger, ...options });
    made.push(system);
    return system;
  };
}

/** Resolves after one turn of the event loop. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `condition` holds, polling once per event-loop turn; fails after `limitMs`. */
export async function waitUntil(condition: () => boolean, limitMs = 3000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > limitMs) {
      throw new Error(`condition still false after ${limitMs} ms: ${condition.toString()}`);
    }
    await nextTurn();
  }
}

/** A sensor reading, the event type of the stage tests. */
export interface Reading {
  id: number;
  sensor: string;
  at: number;
  celsius: number;
}

/**
 * Returns `count` readings from `sensors` sensors, from a seeded generator. Timestamps rise by
 * 0 to 9 ms per reading, and `disorderMs` moves each one back by up to that much, so the input
 * is out of order within that bound.
 */
export function readings(count: number, sensors: number, seed: number, disorderMs = 0): Reading[] {
  const random = seededRandom(seed);
  const out: Reading[] = [];
  let at = 0;
  for (let id = 0; id < count; id += 1) {
    at += Math.floor(random() * 10);
    out.push({
      id,
      sensor: `s${Math.floor(random() * sensors)}`,
      at: at - Math.floor(random() * (disorderMs + 1)),
      celsius: Math.floor(random() * 100),
    });
  }
  return out;
}

/** Returns a consumer that appends every event it receives to `into`. */
export function collector<T>(into: T[]): ConsumerSpec<null, void, T> {
  return {
    type: 'consumer',
    init: () => ({ state: null }),
    handleEvents: (events, _from, state) => {
      into.push(...events);
      return { state };
    },
  };
}

/**
 * Runs `events` through the stage `stage` (started without producers) and resolves with what a
 * consumer downstream received once the stage has ended with its input.
 */
export async function runThrough<T>(
  system: ActorSystem,
  stage: Pid,
  events: readonly unknown[],
  maxDemand = 7,
): Promise<T[]> {
  const received: T[] = [];
  const consumer = await GenStage.start(system, collector(received), undefined);
  await GenStage.subscribe(system, consumer, { to: stage });
  const ref = system.monitor(consumer);
  const down = system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 10_000);

  const source = await GenStage.start(system, fromAsyncIterable([...events]), undefined);
  await GenStage.subscribe(system, stage, { to: source, maxDemand });
  const { reason } = (await down) as { reason: unknown };
  if (reason !== 'normal') throw new Error(`the consumer ended with ${String(reason)}`);
  return received;
}

/** A producer that emits what each cast carries, whatever the demand; it never ends. */
export const Pusher: ProducerSpec<null, void, unknown> = {
  type: 'producer',
  init: () => ({ state: null, bufferSize: Number.POSITIVE_INFINITY }),
  handleDemand: (_demand, state) => ({ state }),
  handleCast: (events: unknown[], state) => ({ events, state }),
};

/**
 * Starts a pusher feeding `stage` and a collector after it; returns the pusher, to cast
 * batches of input to, and what the collector receives.
 */
export async function pushPipeline<T>(
  system: ActorSystem,
  stage: Pid,
): Promise<{ pusher: Pid; received: T[] }> {
  const received: T[] = [];
  const consumer = await GenStage.start(system, collector(received), undefined);
  await GenStage.subscribe(system, consumer, { to: stage });
  const pusher = await GenStage.start(system, Pusher, undefined);
  await GenStage.subscribe(system, stage, { to: pusher, cancel: 'temporary' });
  return { pusher, received };
}
