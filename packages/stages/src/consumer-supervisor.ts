/**
 * ConsumerSupervisor: a consumer that starts one child process per event and supervises it.
 * It asks each producer for `maxDemand` events at first and, as children end, asks again once
 * `minDemand` of them have ended, so at most `maxDemand` children per producer run at once.
 *
 * Children are `'temporary'` (never restarted) or `'transient'` (restarted with the same
 * event after an abnormal exit); a child counts as done once it is not restarted. More than
 * `maxRestarts` restarts within `maxSeconds` end the supervisor with `'shutdown'`.
 */
import {
  type Caller,
  type Dest,
  describe,
  invalidArgument,
  isIgnored,
  isNormalReason,
  type Pid,
  type ProcessContext,
  type Reason,
  type Ref,
  StarweaveError,
} from '@starweave/actors';
import type { StageChildSpec } from './child-spec.js';
import * as GenStage from './gen-stage.js';
import type { SubscribeOptions } from './subscription.js';
import type { ConsumerSpec, StageStartOptions, Subscription } from './types.js';

/** The template of every child: how to start one for an event, and how to restart and stop it. */
export interface ConsumerChildSpec<E> {
  /** Starts a child for `event`, linked to `ctx` (the supervisor); may resolve to IGNORE. */
  start: (ctx: ProcessContext, event: E) => Promise<Pid>;
  /** `'temporary'` (default) or `'transient'`; permanent children are not supported. */
  restart?: 'temporary' | 'transient';
  /** The shutdown policy: `'brutalKill'`, milliseconds or `'infinity'`. Default 5000. */
  shutdown?: 'brutalKill' | number | 'infinity';
}

/** Options of a consumer supervisor. */
export interface ConsumerSupervisorOptions<E> {
  /** The child template. */
  child: ConsumerChildSpec<E>;
  /** Producers to subscribe to at start. */
  subscribeTo?: Array<Dest | SubscribeOptions>;
  /** Restarts allowed within `maxSeconds`. Default 3. */
  maxRestarts?: number;
  /** The window of `maxRestarts`, in seconds. Default 5. */
  maxSeconds?: number;
}

/** One running child and what it was started for. */
export interface ConsumerChild {
  pid: Pid;
  event: unknown;
}

interface Child extends ConsumerChild {
  // The subscription the event came from, or null for a child from startChild.
  producer: Ref | null;
}

interface ProducerEntry {
  readonly from: Subscription;
  readonly minDemand: number;
  readonly maxDemand: number;
  running: number;
  // Children done since the last ask.
  done: number;
}

interface State {
  readonly child: Required<ConsumerChildSpec<unknown>>;
  readonly children: Map<number, Child>;
  readonly producers: Map<number, ProducerEntry>;
  readonly maxRestarts: number;
  readonly maxSeconds: number;
  restarts: number[];
}

class WhichChildren {}
class CountChildren {}
class StartChild {
  constructor(readonly event: unknown) {}
}
class TerminateChild {
  constructor(readonly pid: Pid) {}
}

function supervisorSpec(
  options: ConsumerSupervisorOptions<unknown>,
): ConsumerSpec<State, void, unknown> {
  return {
    type: 'consumer',
    name: 'ConsumerSupervisor',

    init: (_arg, self) => {
      self.trapExit(true);
      return {
        state: {
          child: {
            start: options.child.start,
            restart: options.child.restart ?? 'temporary',
            shutdown: options.child.shutdown ?? 5000,
          },
          children: new Map(),
          producers: new Map(),
          maxRestarts: options.maxRestarts ?? 3,
          maxSeconds: options.maxSeconds ?? 5,
          restarts: [],
        },
        subscribeTo: options.subscribeTo,
      };
    },

    handleSubscribe: (_kind, subscribeOptions, from, state, self) => {
      const maxDemand = subscribeOptions.maxDemand as number;
      state.producers.set(from.ref.id, {
        from,
        minDemand: subscribeOptions.minDemand as number,
        maxDemand,
        running: 0,
        done: 0,
      });
      GenStage.ask(self, from, maxDemand);
      return { state, demand: 'manual' };
    },

    handleCancel: (_cancellation, from, state) => {
      state.producers.delete(from.ref.id);
      return { state };
    },

    handleEvents: async (events, from, state, self) => {
      const producer = state.producers.get(from.ref.id);
      let failed = 0;
      for (const event of events) {
        const pid = await spawnChild(state, self, event);
        if (pid === undefined) failed++;
        else state.children.set(pid.id, { pid, event, producer: from.ref });
      }
      if (producer !== undefined) {
        producer.running += events.length;
        if (producer.running > producer.maxDemand) {
          self.system.logger.log('error', 'consumer_supervisor.excess_events', {
            pid: self.pid,
            producer: from.pid,
            excess: producer.running - producer.maxDemand,
          });
        }
        childrenDone(producer, failed, self);
      }
      return { state };
    },

    handleInfo: async (message, state, self) => {
      if (message?.type !== 'EXIT') {
        self.system.logger.log('warn', 'consumer_supervisor.unexpected_message', {
          pid: self.pid,
          message,
        });
        return { state };
      }
      const child = state.children.get((message.from as Pid).id);
      if (child === undefined) return { state };
      state.children.delete(child.pid.id);
      return childExited(state, child, message.reason as Reason, self);
    },

    handleCall: async (request, _from, state, self) => {
      if (request instanceof WhichChildren) {
        const reply = [...state.children.values()].map(({ pid, event }) => ({ pid, event }));
        return { reply, state };
      }
      if (request instanceof CountChildren) {
        return {
          reply: {
            specs: 1,
            active: state.children.size,
            workers: state.children.size,
            supervisors: 0,
          },
          state,
        };
      }
      if (request instanceof StartChild) {
        const pid = await spawnChild(state, self, request.event, true);
        if (pid === undefined) return { reply: { error: startFailed(request.event) }, state };
        state.children.set(pid.id, { pid, event: request.event, producer: null });
        return { reply: { ok: pid }, state };
      }
      if (request instanceof TerminateChild) {
        const child = state.children.get(request.pid.id);
        if (child === undefined || !child.pid.equals(request.pid)) {
          return { reply: { error: notAChild(request.pid) }, state };
        }
        state.children.delete(child.pid.id);
        self.unlink(child.pid);
        await shutdownChild(self, child.pid, state.child.shutdown);
        finished(state, child, self);
        return { reply: { ok: true }, state };
      }
      throw new StarweaveError(
        'ERR_BAD_CALL',
        `ConsumerSupervisor got the call ${describe(request)}`,
      );
    },

    terminate: async (_reason, state, self) => {
      const children = [...state.children.values()];
      state.children.clear();
      await Promise.all(
        children.map((child) => shutdownChild(self, child.pid, state.child.shutdown)),
      );
    },
  };
}

async function spawnChild(
  state: State,
  self: ProcessContext,
  event: unknown,
  quiet = false,
): Promise<Pid | undefined> {
  try {
    const pid = await state.child.start(self, event);
    if (isIgnored(pid)) return undefined;
    return pid;
  } catch (error) {
    if (!quiet) {
      self.system.logger.log('error', 'consumer_supervisor.start_failed', {
        pid: self.pid,
        event,
        reason: error,
      });
    }
    return undefined;
  }
}

async function childExited(
  state: State,
  child: Child,
  reason: Reason,
  self: ProcessContext,
): Promise<{ state: State } | { stop: Reason; state: State }> {
  if (isNormalReason(reason)) {
    finished(state, child, self);
    return { state };
  }
  self.system.logger.log('error', 'consumer_supervisor.child_terminated', {
    pid: self.pid,
    child: child.pid,
    event: child.event,
    reason,
  });
  if (state.child.restart !== 'transient') {
    finished(state, child, self);
    return { state };
  }

  if (!allowRestart(state, self.system.clock.now())) {
    self.system.logger.log('error', 'consumer_supervisor.shutdown', {
      pid: self.pid,
      reason: `more than ${state.maxRestarts} restarts within ${state.maxSeconds} s`,
    });
    return { stop: 'shutdown', state };
  }
  const pid = await spawnChild(state, self, child.event);
  if (pid === undefined) {
    finished(state, child, self);
    return { state };
  }
  state.children.set(pid.id, { ...child, pid });
  return { state };
}

// Records a restart at `now`; false when the restarts within the window pass maxRestarts.
function allowRestart(state: State, now: number): boolean {
  const threshold = now - state.maxSeconds * 1000;
  state.restarts = state.restarts.filter((time) => time >= threshold);
  state.restarts.push(now);
  return state.restarts.length <= state.maxRestarts;
}

// A child is done for good: its producer may get demand back.
function finished(state: State, child: Child, self: ProcessContext): void {
  if (child.producer === null) return;
  const producer = state.producers.get(child.producer.id);
  if (producer !== undefined) childrenDone(producer, 1, self);
}

function childrenDone(producer: ProducerEntry, count: number, self: ProcessContext): void {
  if (count === 0) return;
  producer.running -= count;
  producer.done += count;
  if (producer.done >= producer.minDemand && producer.done > 0) {
    const demand = producer.done;
    producer.done = 0;
    GenStage.ask(self, producer.from, demand);
  }
}

function shutdownChild(
  self: ProcessContext,
  pid: Pid,
  policy: 'brutalKill' | number | 'infinity',
): Promise<void> {
  const system = self.system;
  return new Promise((resolve) => {
    let timer: Ref | null = null;
    system.monitor(pid, () => {
      if (timer !== null) system.cancelTimer(timer);
      resolve();
    });
    if (policy === 'brutalKill') {
      self.exit(pid, 'kill');
      return;
    }
    self.exit(pid, 'shutdown');
    if (typeof policy === 'number') {
      timer = system.trackTimer(() => {
        if (system.isAlive(pid)) self.exit(pid, 'kill');
      }, policy);
    }
  });
}

function checkOptions(options: unknown): asserts options is ConsumerSupervisorOptions<unknown> {
  if (options === null || typeof options !== 'object') {
    invalidArgument(
      'options',
      '{ child: { start, restart?, shutdown? }, subscribeTo?, maxRestarts?, maxSeconds? }',
      options,
    );
  }
  const raw = options as Record<string, any>;
  if (
    raw.child === null ||
    typeof raw.child !== 'object' ||
    typeof raw.child.start !== 'function'
  ) {
    invalidArgument(
      'options.child.start',
      'a function (ctx, event) => Promise<Pid> that starts a process linked to ctx',
      raw.child?.start,
    );
  }
  const restart = raw.child.restart;
  if (restart !== undefined && restart !== 'temporary' && restart !== 'transient') {
    invalidArgument(
      'options.child.restart',
      "'temporary' or 'transient'",
      restart,
      'A consumer supervisor does not restart children that end normally, so permanent children are not supported.',
    );
  }
  const shutdown = raw.child.shutdown;
  if (
    shutdown !== undefined &&
    shutdown !== 'brutalKill' &&
    shutdown !== 'infinity' &&
    !(typeof shutdown === 'number' && Number.isFinite(shutdown) && shutdown >= 0)
  ) {
    invalidArgument(
      'options.child.shutdown',
      "'brutalKill', 'infinity' or a non-negative number of milliseconds",
      shutdown,
    );
  }
  for (const key of ['maxRestarts', 'maxSeconds']) {
    const value = raw[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      invalidArgument(`options.${key}`, 'a non-negative integer', value);
    }
  }
}

/**
 * Starts a consumer supervisor linked to the caller.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { ConsumerSupervisor, GenStage, type ProducerSpec } from '@starweave/stages';
 *
 * const Numbers: ProducerSpec<number, void, number> = {
 *   type: 'producer',
 *   init: () => ({ state: 0 }),
 *   handleDemand: (demand, next) => {
 *     const count = Math.min(demand, 10 - next);
 *     return { events: Array.from({ length: count }, (_, i) => next + i), state: next + count };
 *   },
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const squares: number[] = [];
 * const numbers = await GenStage.startLink(system, Numbers, undefined);
 * await ConsumerSupervisor.startLink(system, {
 *   // One process per event; it records the square of its number and ends.
 *   child: { start: async (ctx, n: number) => ctx.spawnLink(() => void squares.push(n * n)) },
 *   subscribeTo: [{ to: numbers, maxDemand: 4, cancel: 'transient' }],
 * });
 * while (squares.length < 10) await new Promise((resolve) => setTimeout(resolve, 1));
 * console.assert(squares.sort((a, b) => a - b).join() === '0,1,4,9,16,25,36,49,64,81');
 * await system.shutdown();
 * ```
 */
export function startLink<E>(
  caller: Caller,
  options: ConsumerSupervisorOptions<E>,
  startOptions: Omit<StageStartOptions, 'checkpoint'> = {},
): Promise<Pid> {
  checkOptions(options);
  return GenStage.startLink(
    caller,
    supervisorSpec(options as ConsumerSupervisorOptions<unknown>),
    undefined,
    startOptions,
  );
}

/** Starts a consumer supervisor with no link to the caller; otherwise as {@link startLink}. */
export function start<E>(
  caller: Caller,
  options: ConsumerSupervisorOptions<E>,
  startOptions: Omit<StageStartOptions, 'checkpoint'> = {},
): Promise<Pid> {
  checkOptions(options);
  return GenStage.start(
    caller,
    supervisorSpec(options as ConsumerSupervisorOptions<unknown>),
    undefined,
    startOptions,
  );
}

/** Returns a child spec that starts a consumer supervisor under a supervisor. */
export function childSpec<E>(
  id: string,
  options: ConsumerSupervisorOptions<E>,
  startOptions: Omit<StageStartOptions, 'checkpoint'> = {},
): StageChildSpec {
  checkOptions(options);
  return {
    id,
    start: (ctx) => startLink(ctx, options, startOptions),
    type: 'supervisor',
    shutdown: 'infinity',
  };
}

/** Returns the running children and the events they were started for. */
export function whichChildren(
  caller: Caller,
  supervisor: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<ConsumerChild[]> {
  return GenStage.call(caller, supervisor, new WhichChildren(), timeoutMs);
}

/** Returns child counts in the shape of `Supervisor.countChildren`. */
export function countChildren(
  caller: Caller,
  supervisor: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<{ specs: number; active: number; workers: number; supervisors: number }> {
  return GenStage.call(caller, supervisor, new CountChildren(), timeoutMs);
}

/**
 * Starts a child for `event` outside any producer's demand. Fails with ERR_START_FAILED when
 * the child's start fails or is ignored.
 */
export async function startChild(
  caller: Caller,
  supervisor: Dest,
  event: unknown,
  timeoutMs: number | 'infinity' = 5000,
): Promise<Pid> {
  const outcome = await GenStage.call<{ ok: Pid } | { error: StarweaveError }>(
    caller,
    supervisor,
    new StartChild(event),
    timeoutMs,
  );
  if ('error' in outcome) throw outcome.error;
  return outcome.ok;
}

/** Stops a child by its shutdown policy; fails with ERR_NOT_FOUND when `pid` is not a child. */
export async function terminateChild(
  caller: Caller,
  supervisor: Dest,
  pid: Pid,
  timeoutMs: number | 'infinity' = 'infinity',
): Promise<void> {
  const outcome = await GenStage.call<{ ok: true } | { error: StarweaveError }>(
    caller,
    supervisor,
    new TerminateChild(pid),
    timeoutMs,
  );
  if ('error' in outcome) throw outcome.error;
}

function startFailed(event: unknown): StarweaveError {
  return new StarweaveError(
    'ERR_START_FAILED',
    `the child for event ${describe(event)} failed to start or was ignored.`,
    {
      details: { event },
    },
  );
}

function notAChild(pid: Pid): StarweaveError {
  return new StarweaveError(
    'ERR_NOT_FOUND',
    `process ${pid} is not a child of this consumer supervisor.`,
    {
      details: { pid },
    },
  );
}
