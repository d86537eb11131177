/**
 * A consumer that writes its events to a Node Writable, one `write` per event. When `write`
 * returns false it waits for `'drain'` before writing more or asking for more, so a slow
 * destination slows the pipeline instead of filling memory.
 */
import type { Writable } from 'node:stream';
import type { ConsumerSpec } from '../types.js';

/** Options of {@link toWritable}. */
export interface ToWritableOptions {
  /** Calls `writable.end()` when the consumer exits with a normal reason. Default true. */
  end?: boolean;
}

interface State {
  readonly writable: Writable;
}

class WritableFailed {
  constructor(readonly error: Error) {}
}

/**
 * Returns a consumer spec that writes every event to `writable`; it stops with the stream's
 * error if the stream fails.
 *
 * @example
 * ```ts
 * import { Writable } from 'node:stream';
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { GenStage, fromAsyncIterable, toWritable } from '@starweave/stages';
 *
 * const lines: string[] = [];
 * const sink = new Writable({
 *   objectMode: true,
 *   highWaterMark: 2,
 *   write(line, _encoding, done) {
 *     lines.push(line);
 *     setTimeout(done, 1); // a slow destination
 *   },
 * });
 * const finished = new Promise((resolve) => sink.on('finish', resolve));
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const source = await GenStage.start(system, fromAsyncIterable(['a', 'b', 'c', 'd']), undefined);
 * const writer = await GenStage.start(system, toWritable(sink), undefined);
 * await GenStage.subscribe(system, writer, { to: source, maxDemand: 2 });
 * await finished;
 * console.assert(lines.join('') === 'abcd');
 * await system.shutdown();
 * ```
 */
export function toWritable(
  destination: Writable | (() => Writable),
  options: ToWritableOptions = {},
): ConsumerSpec<State, void, unknown> {
  return {
    type: 'consumer',
    name: 'WritableConsumer',
    init: (_arg, self) => {
      const writable = typeof destination === 'function' ? destination() : destination;
      const { system, pid } = self;
      writable.once('error', (error) => system.send(pid, new WritableFailed(error)));
      return { state: { writable } };
    },
    handleEvents: (events, _from, state) => writeAll(state, events, 0),
    handleInfo: (message, state) => {
      if (message instanceof WritableFailed) return { stop: message.error, state };
      return { state };
    },
    terminate: (reason, state) => {
      if (options.end === false) return;
      if (reason === 'normal' || reason === 'shutdown') state.writable.end();
    },
  };
}

function writeAll(
  state: State,
  events: unknown[],
  start: number,
): { state: State } | Promise<{ state: State }> {
  const writable = state.writable;
  for (let i = start; i < events.length; i++) {
    if (writable.destroyed) throw writable.errored ?? new Error('the writable was destroyed');
    if (!writable.write(events[i])) {
      return whenDrained(writable).then(() => writeAll(state, events, i + 1));
    }
  }
  return { state };
}

function whenDrained(writable: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      writable.off('drain', onDrain);
      writable.off('error', onError);
      writable.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the writable closed while the consumer waited for drain'));
    };
    writable.on('drain', onDrain);
    writable.on('error', onError);
    writable.on('close', onClose);
  });
}
