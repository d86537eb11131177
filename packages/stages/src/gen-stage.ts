/**
 * GenStage: start, subscribe, ask, cancel and call stages defined as plain objects of
 * callbacks, with the demand-driven semantics of Elixir's GenStage.
 */
import {
  type Caller,
  callerContext,
  checkTimeout,
  type Dest,
  type From,
  GenServer,
  invalidArgument,
  isReason,
  type Pid,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { checkCheckpointOptions } from './checkpoint/checkpoint-options.js';
import type { StageChildSpec } from './child-spec.js';
import {
  BufferedCountRequest,
  CancelMessage,
  DemandModeRequest,
  SubscribeRequest,
} from './messages.js';
import { StageCore, stageOf } from './stage-core.js';
import type { SubscribeOptions } from './subscription.js';
import type { StageSpec, StageStartOptions, Subscription } from './types.js';

const STAGE_TYPES: readonly string[] = ['producer', 'producerConsumer', 'consumer'];
const OPTIONAL_CALLBACKS = [
  'handleSubscribe',
  'handleCancel',
  'handleInfo',
  'handleCall',
  'handleCast',
  'terminate',
  'snapshotState',
  'restoreState',
];

function checkSpec(spec: unknown): asserts spec is StageSpec {
  if (spec === null || typeof spec !== 'object') {
    invalidArgument(
      'spec',
      "a stage spec { type: 'producer' | 'producerConsumer' | 'consumer', init, ... }",
      spec,
    );
  }
  const raw = spec as Record<string, unknown>;
  if (typeof raw.type !== 'string' || !STAGE_TYPES.includes(raw.type)) {
    invalidArgument('spec.type', "'producer', 'producerConsumer' or 'consumer'", raw.type);
  }
  if (typeof raw.init !== 'function')
    invalidArgument('spec.init', 'a function (arg, self) => { state }', raw.init);
  const required = raw.type === 'producer' ? 'handleDemand' : 'handleEvents';
  if (typeof raw[required] !== 'function') {
    invalidArgument(
      `spec.${required}`,
      `a function, which a ${raw.type} must define`,
      raw[required],
    );
  }
  for (const key of OPTIONAL_CALLBACKS) {
    if (raw[key] !== undefined && typeof raw[key] !== 'function') {
      invalidArgument(`spec.${key}`, 'a function or undefined', raw[key]);
    }
  }
  if ((raw.snapshotState === undefined) !== (raw.restoreState === undefined)) {
    invalidArgument(
      'spec.restoreState',
      'snapshotState and restoreState defined together',
      raw.restoreState,
      'A stage that saves its state in checkpoints must also restore it.',
    );
  }
}

function startStage<S, A>(
  caller: Caller,
  spec: StageSpec<S, A>,
  arg: A,
  options: StageStartOptions,
  link: boolean,
): Promise<Pid> {
  checkSpec(spec);
  if (options === null || typeof options !== 'object')
    invalidArgument('options', 'an options object', options);
  const checkpoint =
    options.checkpoint === undefined ? undefined : checkCheckpointOptions(options.checkpoint);
  const core = new StageCore(spec as StageSpec<unknown, unknown>, checkpoint, options.name);
  const serverOptions = {
    name: options.name,
    timeoutMs: options.timeoutMs,
    mailboxWarning: options.mailboxWarning,
  };
  const start = link ? GenServer.startLink : GenServer.start;
  return start(caller, core.serverSpec(), arg, serverOptions);
}

/**
 * Starts a stage linked to the caller and resolves with its pid once `init` has finished
 * (and, with checkpoint options, once the last completed checkpoint is restored). Fails with
 * ERR_START_FAILED when `init` stops or throws, or when a permanent subscription in
 * `subscribeTo` names a producer that is not running.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { GenStage, type ConsumerSpec, type ProducerSpec } from '@starweave/stages';
 *
 * // A producer of integers from `start` on; it emits exactly what is asked for.
 * const Counter: ProducerSpec<number, number, number> = {
 *   type: 'producer',
 *   init: (start) => ({ state: start }),
 *   handleDemand: (demand, next) => ({
 *     events: Array.from({ length: demand }, (_, i) => next + i),
 *     state: next + demand,
 *   }),
 * };
 *
 * const seen: number[] = [];
 * const Printer: ConsumerSpec<null, void, number> = {
 *   type: 'consumer',
 *   init: () => ({ state: null }),
 *   handleEvents: (events, _from, state) => {
 *     seen.push(...events);
 *     return { state };
 *   },
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const counter = await GenStage.startLink(system, Counter, 0);
 * const printer = await GenStage.startLink(system, Printer, undefined);
 * await GenStage.subscribe(system, printer, { to: counter, maxDemand: 10 });
 * while (seen.length < 25) await new Promise((resolve) => setTimeout(resolve, 1));
 * console.assert(seen.slice(0, 5).join() === '0,1,2,3,4');
 * await system.shutdown();
 * ```
 */
export function startLink<S, A>(
  caller: Caller,
  spec: StageSpec<S, A>,
  arg: A,
  options: StageStartOptions = {},
): Promise<Pid> {
  return startStage(caller, spec, arg, options, true);
}

/** Starts a stage with no link to the caller; otherwise as {@link startLink}. */
export function start<S, A>(
  caller: Caller,
  spec: StageSpec<S, A>,
  arg: A,
  options: StageStartOptions = {},
): Promise<Pid> {
  return startStage(caller, spec, arg, options, false);
}

/**
 * Returns a child spec that starts the stage under a supervisor (linked to it), so that a
 * supervisor restarts it as any other child.
 */
export function childSpec<S, A>(
  id: string,
  spec: StageSpec<S, A>,
  arg: A,
  options: StageStartOptions & Omit<StageChildSpec, 'id' | 'start'> = {},
): StageChildSpec {
  checkSpec(spec);
  const { restart, shutdown, type, significant, ...startOptions } = options;
  return {
    id,
    start: (ctx) => startLink(ctx, spec, arg, startOptions),
    ...(restart === undefined ? {} : { restart }),
    ...(shutdown === undefined ? {} : { shutdown }),
    ...(type === undefined ? {} : { type }),
    ...(significant === undefined ? {} : { significant }),
  };
}

/**
 * Subscribes `consumer` to the producer in `options.to` and resolves with the subscription as
 * the consumer sees it (`{ pid: producer, ref }`). Fails with ERR_NOPROC when the producer is
 * not running (a permanent or transient consumer then exits with `'noproc'`), and with
 * ERR_INVALID_ARGUMENT for bad options.
 */
export async function subscribe(
  caller: Caller,
  consumer: Dest,
  options: SubscribeOptions | Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<Subscription> {
  const outcome = (await GenServer.call(
    caller,
    consumer,
    new SubscribeRequest(options) as never,
    timeoutMs,
  )) as { ok: Subscription } | { error: StarweaveError };
  if ('error' in outcome) throw outcome.error;
  return outcome.ok;
}

/**
 * Asks the producer of subscription `from` for `demand` more events. Call it from the consumer
 * that has the subscription, usually in manual demand mode (`handleSubscribe` returned
 * `demand: 'manual'`); then `maxDemand` and `minDemand` are yours to respect.
 */
export function ask(caller: Caller, from: Subscription, demand: number): void {
  if (!Number.isInteger(demand) || demand < 1)
    invalidArgument('demand', 'a positive integer', demand);
  checkSubscription(from);
  const ctx = callerContext(caller);
  const core = stageOf(ctx);
  if (core?.consumer?.askManually(from.ref, demand) !== true) {
    throw new StarweaveError(
      'ERR_NOT_FOUND',
      `ask: ${ctx.pid} holds no subscription ${from.ref}; call ask from the consumer that holds it, with the from its callbacks received.`,
      { details: { subscription: from.ref } },
    );
  }
}

/**
 * Cancels subscription `from` with `reason` (default `'normal'`). Either side may cancel; the
 * consumer then acts on its cancel mode as when its producer exits.
 */
export function cancel(caller: Caller, from: Subscription, reason: Reason = 'normal'): void {
  checkSubscription(from);
  if (!isReason(reason)) invalidArgument('reason', 'an exit reason', reason);
  const ctx = callerContext(caller);
  if (ctx.system.resolve(from.pid) === undefined) return;
  ctx.send(from.pid, new CancelMessage(from.ref, reason));
}

/**
 * Sets a producer's demand mode: `'accumulate'` keeps the demand consumers send, and
 * `'forward'` passes what was held to `handleDemand` and forwards from then on. Accumulating
 * lets all consumers subscribe before the first events flow.
 */
export async function demand(
  caller: Caller,
  producer: Dest,
  mode: 'forward' | 'accumulate',
  timeoutMs: number | 'infinity' = 5000,
): Promise<void> {
  if (mode !== 'forward' && mode !== 'accumulate')
    invalidArgument('mode', "'forward' or 'accumulate'", mode);
  const outcome = (await GenServer.call(
    caller,
    producer,
    new DemandModeRequest(mode) as never,
    timeoutMs,
  )) as { ok: true } | { error: StarweaveError };
  if ('error' in outcome) throw outcome.error;
}

/**
 * Returns how many events a stage holds: in its buffer and dispatcher queues, and, for a
 * producer-consumer, input waiting for downstream demand.
 */
export async function estimateBufferedCount(
  caller: Caller,
  stage: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<number> {
  checkTimeout('timeoutMs', timeoutMs);
  const outcome = (await GenServer.call(
    caller,
    stage,
    new BufferedCountRequest() as never,
    timeoutMs,
  )) as {
    ok: number;
  };
  return outcome.ok;
}

/** Sends a request to a stage's `handleCall` and waits for the reply; see `GenServer.call`. */
export function call<R = unknown>(
  caller: Caller,
  stage: Dest,
  request: unknown,
  timeoutMs: number | 'infinity' = 5000,
): Promise<R> {
  return GenServer.call(caller, stage, request as never, timeoutMs) as Promise<R>;
}

/** Sends a request to a stage's `handleCast`; see `GenServer.cast`. */
export function cast(caller: Caller, stage: Dest, request: unknown): void {
  GenServer.cast(caller, stage, request as never);
}

/** Replies to a call whose `handleCall` returned `{ noreply: true }`; see `GenServer.reply`. */
export function reply(caller: Caller, from: From, value: unknown): boolean {
  return GenServer.reply(caller, from, value);
}

/** Stops a stage after its `terminate` has run; see `GenServer.stop`. */
export function stop(
  caller: Caller,
  stage: Dest,
  reason: Reason = 'normal',
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  return GenServer.stop(caller, stage, reason, timeoutMs);
}

function checkSubscription(from: unknown): asserts from is Subscription {
  const raw = from as Partial<Subscription> | null;
  if (raw === null || typeof raw !== 'object' || raw.pid === undefined || raw.ref === undefined) {
    invalidArgument('from', 'the { pid, ref } subscription a stage callback received', from);
  }
}
