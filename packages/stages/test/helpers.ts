/**
 * Shared test helpers: systems that shut down after each test, waits that poll the event loop,
 * and small stages (a counter producer, a collecting consumer) that many tests use.
 */

import {
  ActorSystem,
  type ActorSystemOptions,
  type Pid,
  type ProcessContext,
  silentLogger,
} from '@starweave/actors';
import {
  type ConsumerSpec,
  GenStage,
  type ProducerInitOptions,
  type ProducerSpec,
  type Subscription,
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

/** Waits until no process of `system` has work left, for two event-loop turns in a row. */
export async function settle(system: ActorSystem, limitMs = 3000): Promise<void> {
  let idleTurns = 0;
  const start = performance.now();
  while (idleTurns < 2) {
    await nextTurn();
    idleTurns = system.isIdle() ? idleTurns + 1 : 0;
    if (performance.now() - start > limitMs)
      throw new Error(`system still busy after ${limitMs} ms`);
  }
}

/** The state of {@link Counter}: the next integer and the demands it was asked for. */
export interface CounterState {
  next: number;
  limit: number;
  demands: number[];
}

/**
 * A producer of the integers from `start` up to `limit` (exclusive; default no limit). It
 * emits exactly what is asked for while it has integers left and records each demand.
 */
export const Counter: ProducerSpec<
  CounterState,
  { start?: number; limit?: number } | undefined,
  number
> = {
  type: 'producer',
  init: (arg) => ({
    state: { next: arg?.start ?? 0, limit: arg?.limit ?? Number.POSITIVE_INFINITY, demands: [] },
  }),
  handleDemand: (demand, state) => {
    const count = Math.max(0, Math.min(demand, state.limit - state.next));
    const events = Array.from({ length: count }, (_, i) => state.next + i);
    state.demands.push(demand);
    return { events, state: { ...state, next: state.next + count } };
  },
};

/** What a {@link Collector} records: every batch with the producer it came from. */
export interface Collected {
  batches: Array<{ from: Subscription; events: unknown[] }>;
  events: unknown[];
}

/** A consumer that records every batch it handles into a shared {@link Collected}. */
export function collector(
  collected: Collected,
  extra: Partial<ConsumerSpec<null, unknown, unknown>> = {},
): ConsumerSpec<null, unknown, unknown> {
  return {
    type: 'consumer',
    init: () => ({ state: null }),
    handleEvents: (events, from, state) => {
      collected.batches.push({ from, events });
      collected.events.push(...events);
      return { state };
    },
    ...extra,
  };
}

/**
 * A consumer in manual demand mode that records what it receives; send it `{ ask: n }` to ask
 * its (single) producer for `n` more events.
 */
export function manualCollector(
  collected: Collected,
): ConsumerSpec<{ from: Subscription | null }, unknown, unknown> {
  return {
    type: 'consumer',
    init: () => ({ state: { from: null } }),
    handleSubscribe: (_kind, _options, from) => ({ state: { from }, demand: 'manual' }),
    handleEvents: (events, from, state) => {
      collected.batches.push({ from, events });
      collected.events.push(...events);
      return { state };
    },
    handleInfo: (message: { ask: number }, state, self) => {
      if (state.from !== null) GenStage.ask(self, state.from, message.ask);
      return { state };
    },
  };
}

/**
 * A producer that emits only what a cast carries (an array of events), whatever the demand;
 * a call returns the demand it has received so far.
 */
export const Pusher: ProducerSpec<{ demand: number }, ProducerInitOptions | undefined, unknown> = {
  type: 'producer',
  init: (options) => ({ state: { demand: 0 }, ...(options ?? {}) }),
  handleDemand: (demand, state) => ({ state: { demand: state.demand + demand } }),
  handleCast: (events: unknown[], state) => ({ events, state }),
  handleCall: (_request, _from, state) => ({ reply: state.demand, state }),
};

/** Returns the integers from `from` up to `to`, exclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Returns an empty {@link Collected}. */
export function collected(): Collected {
  return { batches: [], events: [] };
}

/** Resolves with the DOWN message of `pid`, received by the system's root. */
export function downOf(
  system: ActorSystem,
  pid: Pid,
  ref = system.monitor(pid),
): Promise<{ reason: unknown }> {
  return system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 3000);
}

export type { ProcessContext };
