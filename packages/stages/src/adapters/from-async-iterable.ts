/**
 * A producer that takes its events from an async (or plain) iterable. It pulls only while its
 * consumers have demand, so a lazy source is read no faster than the pipeline drains it, and
 * it stops with `'normal'` once the iterable is done.
 */
import type { ProcessContext } from '@starweave/actors';
import type { ProducerSpec } from '../types.js';

/** The source of a producer's events: an iterable, or a function that makes a fresh one. */
export type IterableSource<E> =
  | AsyncIterable<E>
  | Iterable<E>
  | (() => AsyncIterable<E> | Iterable<E>);

interface State<E> {
  readonly iterator: AsyncIterator<E> | Iterator<E>;
  // Demand not met yet.
  pending: number;
  pulling: boolean;
}

class Pulled<E> {
  constructor(readonly events: E[]) {}
}
class Done {}
class Failed {
  constructor(readonly error: unknown) {}
}

function openIterator<E>(source: IterableSource<E>): AsyncIterator<E> | Iterator<E> {
  const iterable = typeof source === 'function' ? source() : source;
  if (iterable !== null && typeof iterable === 'object') {
    if (Symbol.asyncIterator in iterable)
      return (iterable as AsyncIterable<E>)[Symbol.asyncIterator]();
    if (Symbol.iterator in iterable) return (iterable as Iterable<E>)[Symbol.iterator]();
  }
  throw new TypeError(
    `expected an async iterable, an iterable or a function returning one, got ${String(iterable)}`,
  );
}

// Pulls from the iterator outside the stage's callbacks, so the stage keeps handling messages
// while a slow source is awaited. Values reach the stage in batches: whatever arrived before
// the next event-loop turn, or as soon as the demand is met.
async function pull<E>(state: State<E>, self: ProcessContext): Promise<void> {
  const system = self.system;
  const pid = self.pid;
  let batch: E[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    system.send(pid, new Pulled(events));
  };

  state.pulling = true;
  try {
    while (state.pending > 0 && system.isAlive(pid)) {
      const result = await state.iterator.next();
      if (result.done === true) {
        flush();
        system.send(pid, new Done());
        return;
      }
      batch.push(result.value);
      state.pending--;
      if (state.pending === 0) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    }
    flush();
  } catch (error) {
    flush();
    system.send(pid, new Failed(error));
  } finally {
    state.pulling = false;
  }
}

/**
 * Returns a producer spec that emits the values of `source`, in order, as consumers ask.
 * Pass a function that returns the iterable when the producer may be restarted, so each
 * start reads a fresh one.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { GenStage, fromAsyncIterable, toAsyncIterable } from '@starweave/stages';
 *
 * async function* words() {
 *   yield* ['stages', 'mix', 'with', 'node'];
 * }
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const producer = await GenStage.start(system, fromAsyncIterable(words), undefined);
 * const out: string[] = [];
 * for await (const word of toAsyncIterable<string>(system, producer)) out.push(word);
 * console.assert(out.join(' ') === 'stages mix with node');
 * await system.shutdown();
 * ```
 */
export function fromAsyncIterable<E>(source: IterableSource<E>): ProducerSpec<State<E>, void, E> {
  return {
    type: 'producer',
    name: 'IterableProducer',
    init: () => ({ state: { iterator: openIterator(source), pending: 0, pulling: false } }),
    handleDemand: (demand, state, self) => {
      state.pending += demand;
      if (!state.pulling) void pull(state, self);
      return { state };
    },
    handleInfo: (message, state, self) => {
      if (message instanceof Pulled) {
        // Demand may have arrived while the last pull was finishing.
        if (state.pending > 0 && !state.pulling) void pull(state, self);
        return { events: message.events, state };
      }
      if (message instanceof Done) return { stop: 'normal', state };
      if (message instanceof Failed) {
        const reason =
          message.error instanceof Error ? message.error : new Error(String(message.error));
        return { stop: reason, state };
      }
      return { state };
    },
    terminate: (_reason, state) => {
      // Lets a generator run its finally blocks and close what it holds.
      void Promise.resolve(state.iterator.return?.()).catch(() => undefined);
    },
  };
}
