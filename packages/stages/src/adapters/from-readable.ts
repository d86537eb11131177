/**
 * A producer that takes its events from a Node Readable: each chunk (each object, in object
 * mode) is one event. It reads only while its consumers have demand, so the stream's own
 * buffer fills and the source pauses, as stream back-pressure intends.
 */
import type { Readable } from 'node:stream';
import type { ActorSystem, Pid } from '@starweave/actors';
import type { ProducerSpec } from '../types.js';

interface State {
  readonly readable: Readable;
  // Demand not met yet.
  pending: number;
  waiting: boolean;
}

class ReadableReady {}
class ReadableEnded {}
class ReadableFailed {
  constructor(readonly error: Error) {}
}

/**
 * Returns a producer spec that emits the chunks of `readable` as consumers ask, stops with
 * `'normal'` at the stream's end and with the error when the stream fails. Pass a function
 * that returns the stream when the producer may be restarted, so each start opens a new one.
 *
 * @example
 * ```ts
 * import { Readable } from 'node:stream';
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { GenStage, fromReadable, toAsyncIterable } from '@starweave/stages';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const rows = Readable.from([{ id: 1 }, { id: 2 }, { id: 3 }]);
 * const producer = await GenStage.start(system, fromReadable(rows), undefined);
 * const ids: number[] = [];
 * for await (const row of toAsyncIterable<{ id: number }>(system, producer)) ids.push(row.id);
 * console.assert(ids.join() === '1,2,3');
 * await system.shutdown();
 * ```
 */
export function fromReadable(
  source: Readable | (() => Readable),
): ProducerSpec<State, void, unknown> {
  return {
    type: 'producer',
    name: 'ReadableProducer',
    init: (_arg, self) => {
      const readable = typeof source === 'function' ? source() : source;
      const { system, pid } = self;
      readable.once('end', () => system.send(pid, new ReadableEnded()));
      readable.once('error', (error) => system.send(pid, new ReadableFailed(error)));
      return { state: { readable, pending: 0, waiting: false } };
    },
    handleDemand: (demand, state, self) => {
      state.pending += demand;
      return readSome(state, self.system, self.pid);
    },
    handleInfo: (message, state, self) => {
      if (message instanceof ReadableReady) {
        state.waiting = false;
        return readSome(state, self.system, self.pid);
      }
      if (message instanceof ReadableEnded) return { stop: 'normal', state };
      if (message instanceof ReadableFailed) return { stop: message.error, state };
      return { state };
    },
    terminate: (reason, state) => {
      if (reason !== 'normal') state.readable.destroy();
    },
  };
}

function readSome(
  state: State,
  system: ActorSystem,
  pid: Pid,
): { events: unknown[]; state: State } {
  const events: unknown[] = [];
  const readable = state.readable;
  while (state.pending > 0) {
    const chunk = readable.read();
    if (chunk === null) break;
    events.push(chunk);
    state.pending--;
  }
  if (state.pending > 0 && !state.waiting && !readable.readableEnded) {
    state.waiting = true;
    readable.once('readable', () => system.send(pid, new ReadableReady()));
  }
  return { events, state };
}
