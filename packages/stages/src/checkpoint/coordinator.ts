/**
 * The checkpoint coordinator: a process that starts checkpoints (on a timer or on request),
 * triggers the sources to inject their barriers, and completes a checkpoint in the store once
 * every sink has acknowledged it, as Flink's job manager does for its barriers.
 *
 * One checkpoint runs at a time. It fails when a stage declines it (its snapshot could not be
 * saved), when a registered stage exits during it, or when it does not complete in time.
 */
import {
  type Caller,
  type Dest,
  type From,
  formatReason,
  GenServer,
  invalidArgument,
  type Pid,
  type ProcessContext,
  type Ref,
  StarweaveError,
} from '@starweave/actors';
import type { StageChildSpec } from '../child-spec.js';
import {
  CheckpointAck,
  CheckpointDecline,
  RegisterStage,
  TriggerCheckpoint,
} from './checkpoint-messages.js';
import type { CheckpointStore } from './checkpoint-store.js';

/** Options of a checkpoint coordinator. */
export interface CoordinatorOptions {
  /** The store that completes checkpoints, and to which the stages save their snapshots. */
  store: CheckpointStore;
  /** Stage ids of the sources, which must register before checkpoints start. */
  sources: readonly string[];
  /** Stage ids of the sinks, each of which must acknowledge a checkpoint. */
  sinks: readonly string[];
  /** Starts a checkpoint this long after the previous one ended. Default: only on request. */
  intervalMs?: number;
  /** Fails a checkpoint that has not completed within this time. Default 60,000. */
  timeoutMs?: number;
}

/** Options of {@link startLink}. */
export interface CoordinatorStartOptions {
  /** Registers the coordinator under this name, so that restarted stages find it. */
  name?: string;
}

interface Member {
  pid: Pid;
  monitor: Ref;
  role: RegisterStage['role'];
}

interface Running {
  readonly checkpointId: number;
  readonly startedAt: number;
  readonly acked: Set<string>;
  readonly waiters: From[];
  timer: Ref;
}

interface State {
  readonly options: Required<Omit<CoordinatorOptions, 'intervalMs'>> & {
    intervalMs: number | undefined;
  };
  readonly members: Map<string, Member>;
  nextId: number;
  running: Running | null;
  // Callers of trigger waiting for a checkpoint that has not started yet.
  queued: From[];
  tick: Ref | null;
}

class Tick {
  readonly type = 'checkpoint.tick';
}

class Timeout {
  readonly type = 'checkpoint.timeout';
  constructor(readonly checkpointId: number) {}
}

class TriggerRequest {}

const Coordinator: GenServer.Spec<State, CoordinatorOptions> = {
  name: 'CheckpointCoordinator',

  init: async (options) => {
    const latest = await options.store.latestCompleted();
    return {
      state: {
        options: {
          store: options.store,
          sources: [...options.sources],
          sinks: [...options.sinks],
          intervalMs: options.intervalMs,
          timeoutMs: options.timeoutMs ?? 60_000,
        },
        members: new Map(),
        nextId: (latest ?? 0) + 1,
        running: null,
        queued: [],
        tick: null,
      },
    };
  },

  handleCall: (request, from, state, self) => {
    if (!(request instanceof TriggerRequest)) {
      throw new StarweaveError(
        'ERR_BAD_CALL',
        'the checkpoint coordinator takes only trigger calls',
      );
    }
    state.queued.push(from);
    startIfReady(state, self);
    return { noreply: true, state };
  },

  handleInfo: async (message, state, self) => {
    if (message instanceof RegisterStage) {
      register(state, message, self);
    } else if (message instanceof Tick) {
      state.tick = null;
      startIfReady(state, self, true);
    } else if (message instanceof CheckpointAck) {
      await acknowledge(state, message, self);
    } else if (message instanceof CheckpointDecline) {
      const reason = `stage ${message.stageId} declined: ${formatReason(message.reason)}`;
      if (state.running?.checkpointId === message.checkpointId) fail(state, reason, self);
    } else if (message instanceof Timeout) {
      if (state.running?.checkpointId === message.checkpointId) {
        fail(state, `it did not complete within ${state.options.timeoutMs} ms`, self);
      }
    } else if (message?.type === 'DOWN') {
      memberDown(state, message.ref as Ref, message.reason, self);
    }
    return { noreply: true, state };
  },

  terminate: (reason, state, self) => {
    const error = new StarweaveError(
      'ERR_CANCELLED',
      `the checkpoint coordinator stopped: ${formatReason(reason)}`,
    );
    for (const from of [...(state.running?.waiters ?? []), ...state.queued]) {
      GenServer.reply(self, from, { error });
    }
  },
};

function register(state: State, message: RegisterStage, self: ProcessContext): void {
  const previous = state.members.get(message.stageId);
  if (previous !== undefined) self.demonitor(previous.monitor, { flush: true });
  state.members.set(message.stageId, {
    pid: message.pid,
    role: message.role,
    monitor: self.monitor(message.pid),
  });
  startIfReady(state, self);
}

function ready(state: State): boolean {
  const { sources, sinks } = state.options;
  return sources.every((id) => state.members.has(id)) && sinks.every((id) => state.members.has(id));
}

// Starts a checkpoint when one is requested (or the interval has passed) and none runs.
function startIfReady(state: State, self: ProcessContext, ticked = false): void {
  if (state.running !== null || !ready(state)) return;
  if (!ticked && state.queued.length === 0) {
    scheduleTick(state, self);
    return;
  }
  const checkpointId = state.nextId++;
  state.running = {
    checkpointId,
    startedAt: self.system.clock.now(),
    acked: new Set(),
    waiters: state.queued.splice(0),
    timer: self.sendAfter(self.pid, new Timeout(checkpointId), state.options.timeoutMs),
  };
  for (const id of state.options.sources) {
    self.send(state.members.get(id)!.pid, new TriggerCheckpoint(checkpointId));
  }
}

function scheduleTick(state: State, self: ProcessContext): void {
  const interval = state.options.intervalMs;
  if (interval === undefined || state.tick !== null) return;
  state.tick = self.sendAfter(self.pid, new Tick(), interval);
}

async function acknowledge(
  state: State,
  message: CheckpointAck,
  self: ProcessContext,
): Promise<void> {
  const running = state.running;
  if (running === null || running.checkpointId !== message.checkpointId) return;
  if (!state.options.sinks.includes(message.stageId)) return;
  running.acked.add(message.stageId);
  if (running.acked.size < state.options.sinks.length) return;

  try {
    await state.options.store.complete(running.checkpointId);
  } catch (error) {
    fail(state, `the store failed to complete it: ${formatReason(error)}`, self);
    return;
  }
  self.cancelTimer(running.timer);
  state.running = null;
  const durationMs = self.system.clock.now() - running.startedAt;
  const event = { checkpointId: running.checkpointId, durationMs };
  self.system.logger.log('info', 'stage.checkpoint_completed', { pid: self.pid, ...event });
  self.system.telemetry.emit('stage.checkpoint_completed', event);
  for (const from of running.waiters) GenServer.reply(self, from, { ok: running.checkpointId });
  startIfReady(state, self);
}

function fail(state: State, why: string, self: ProcessContext): void {
  const running = state.running!;
  self.cancelTimer(running.timer);
  state.running = null;
  self.system.logger.log('warn', 'stage.checkpoint_failed', {
    pid: self.pid,
    checkpointId: running.checkpointId,
    why,
  });
  const error = new StarweaveError(
    'ERR_CANCELLED',
    `checkpoint ${running.checkpointId} failed: ${why}.`,
    {
      details: { checkpointId: running.checkpointId },
    },
  );
  for (const from of running.waiters) GenServer.reply(self, from, { error });
  startIfReady(state, self);
}

function memberDown(state: State, ref: Ref, reason: unknown, self: ProcessContext): void {
  for (const [id, member] of state.members) {
    if (!member.monitor.equals(ref)) continue;
    state.members.delete(id);
    if (state.running !== null)
      fail(state, `stage ${id} exited with ${formatReason(reason)}`, self);
    return;
  }
}

function checkOptions(options: unknown): asserts options is CoordinatorOptions {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', '{ store, sources, sinks, intervalMs?, timeoutMs? }', options);
  }
  const raw = options as Record<string, unknown>;
  const store = raw.store as Record<string, unknown> | undefined;
  if (store === null || typeof store !== 'object' || typeof store.complete !== 'function') {
    invalidArgument('options.store', 'a CheckpointStore', raw.store);
  }
  for (const key of ['sources', 'sinks']) {
    const list = raw[key];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.some((id) => typeof id !== 'string' || id === '')
    ) {
      invalidArgument(`options.${key}`, 'a non-empty array of stage ids', list);
    }
  }
  for (const key of ['intervalMs', 'timeoutMs']) {
    const value = raw[key];
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    ) {
      invalidArgument(`options.${key}`, 'a positive number of milliseconds', value);
    }
  }
}

/**
 * Starts a checkpoint coordinator linked to the caller. Start it before the stages of its
 * pipeline, under a registered name, so that their checkpoint options can name it.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { CheckpointCoordinator, MemoryCheckpointStore } from '@starweave/stages';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const store = new MemoryCheckpointStore();
 * await CheckpointCoordinator.startLink(
 *   system,
 *   { store, sources: ['source'], sinks: ['sink'], intervalMs: 1000 },
 *   { name: 'checkpoints' },
 * );
 * console.assert(system.whereis('checkpoints') !== undefined);
 * await system.shutdown();
 * ```
 */
export function startLink(
  caller: Caller,
  options: CoordinatorOptions,
  startOptions: CoordinatorStartOptions = {},
): Promise<Pid> {
  checkOptions(options);
  return GenServer.startLink(caller, Coordinator, options, { name: startOptions.name });
}

/** Returns a child spec that starts a coordinator under a supervisor. */
export function childSpec(
  id: string,
  options: CoordinatorOptions,
  startOptions: CoordinatorStartOptions = {},
): StageChildSpec {
  checkOptions(options);
  return { id, start: (ctx) => startLink(ctx, options, startOptions) };
}

/**
 * Starts a checkpoint (after the running one, if any) and resolves with its id once it has
 * completed. Fails with ERR_CANCELLED when the checkpoint fails, ERR_CALL_TIMEOUT on timeout.
 */
export async function trigger(
  caller: Caller,
  coordinator: Dest,
  timeoutMs: number | 'infinity' = 60_000,
): Promise<number> {
  const outcome = (await GenServer.call(
    caller,
    coordinator,
    new TriggerRequest() as never,
    timeoutMs,
  )) as { ok: number } | { error: StarweaveError };
  if ('error' in outcome) throw outcome.error;
  return outcome.ok;
}
