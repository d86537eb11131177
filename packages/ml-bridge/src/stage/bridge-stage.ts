/**
 * A producer-consumer stage that scores events through a Python worker or pool. Each batch of
 * events the stage receives goes out as concurrent requests in one turn of the event loop, so
 * a batch handler's dynamic batching sends them in few frames. Results leave in event order.
 */
import { type Dest, isStarweaveError, type Logger, StarweaveError } from '@starweave/actors';
import type { DispatcherOption, ProducerConsumerSpec, SubscribeOptions } from '@starweave/stages';
import { call } from '../worker/call.js';

/** An event with the result its request returned, the default output of a bridge stage. */
export interface ScoredEvent<In> {
  event: In;
  result: unknown;
}

/** Options of {@link bridgeStage}. */
export interface BridgeStageOptions<In, Out> {
  /** The worker or pool, by pid or name. */
  target: Dest;
  /** The handler that scores one event. */
  handler: string;
  /** Turns an event into the handler's payload. Default: the event itself. */
  toPayload?: (event: In) => unknown;
  /** Builds the event sent on from an event and its result. Default: `{ event, result }`. */
  toOutput?: (event: In, result: unknown) => Out;
  /**
   * Handles an event whose request failed: returns the event to send on, or undefined to drop
   * it; throwing stops the stage with that error. Default: drop it (the failure is logged).
   */
  onError?: (error: StarweaveError, event: In) => Out | undefined;
  /** The timeout of each request, in ms. Default: the worker's `defaultTimeoutMs`. */
  timeoutMs?: number | 'infinity';
  /** Producers to subscribe to when the stage starts. */
  subscribeTo?: Array<Dest | SubscribeOptions>;
  /** The dispatcher that shares results among consumers. Default `'demand'`. */
  dispatcher?: DispatcherOption;
}

/** The state of a bridge stage: counts of what it did. */
export interface BridgeStageState {
  scored: number;
  failed: number;
  dropped: number;
}

/**
 * Returns the spec of a stage that scores events through `options.target`. Start it with
 * `GenStage.startLink(caller, bridgeStage(options), undefined)` or supervise it with
 * `GenStage.childSpec`.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { GenStage, fromAsyncIterable, toAsyncIterable } from '@starweave/stages';
 * import { PythonWorker, bridgeStage } from '@starweave/ml-bridge';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * await PythonWorker.startLink(system, {
 *   name: 'squarer',
 *   python: '/usr/bin/python3',
 *   handlers: ['starweave_bridge.examples'],
 * });
 * const numbers = await GenStage.start(system, fromAsyncIterable([1, 2, 3]), undefined);
 * const scorer = await GenStage.start(
 *   system,
 *   bridgeStage({ target: 'squarer', handler: 'square_batch', subscribeTo: [numbers] }),
 *   undefined,
 * );
 * const scored: unknown[] = [];
 * for await (const out of toAsyncIterable<{ result: number }>(system, scorer)) {
 *   scored.push(out.result);
 *   if (scored.length === 3) break;
 * }
 * console.assert(scored.join() === '1,4,9');
 * await system.shutdown();
 * ```
 */
export function bridgeStage<In, Out = ScoredEvent<In>>(
  options: BridgeStageOptions<In, Out>,
): ProducerConsumerSpec<BridgeStageState, void, In, Out> {
  const toPayload = options.toPayload ?? ((event: In) => event);
  const toOutput =
    options.toOutput ?? ((event: In, result: unknown) => ({ event, result }) as unknown as Out);
  return {
    type: 'producerConsumer',
    name: 'BridgeStage',
    init: () => ({
      state: { scored: 0, failed: 0, dropped: 0 },
      ...(options.subscribeTo === undefined ? {} : { subscribeTo: options.subscribeTo }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    }),
    async handleEvents(events, _from, state, self) {
      const requestOptions =
        options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
      const settled = await Promise.allSettled(
        events.map((event) =>
          call(self, options.target, options.handler, toPayload(event), requestOptions),
        ),
      );
      const out: Out[] = [];
      const logger: Logger = self.system.logger;
      for (let index = 0; index < events.length; index++) {
        const outcome = settled[index]!;
        const event = events[index]!;
        if (outcome.status === 'fulfilled') {
          state.scored++;
          out.push(toOutput(event, outcome.value));
          continue;
        }
        state.failed++;
        const error = isStarweaveError(outcome.reason)
          ? outcome.reason
          : new StarweaveError('ERR_REMOTE', String(outcome.reason), { cause: outcome.reason });
        const replacement = options.onError?.(error, event);
        if (replacement === undefined) {
          state.dropped++;
          logger.log('warn', 'bridge.stage_event_dropped', {
            pid: self.pid,
            handler: options.handler,
            code: error.code,
            message: error.message,
          });
        } else {
          out.push(replacement);
        }
      }
      return { events: out, state };
    },
  };
}
