/**
 * One producer-consumer stage implementation for every pattern engine. It feeds the incoming
 * events to the engine and sends the engine's outputs downstream, routing late events apart.
 * It follows watermark markers and clock ticks, flushes the engine when its input ends, and
 * saves and restores the engine's state at checkpoints.
 */
import {
  type Caller,
  type Dest,
  describe,
  invalidArgument,
  isNormalReason,
  type Pid,
  type ProcessContext,
  StarweaveError,
} from '@starweave/actors';
import {
  type CancelMode,
  type CheckpointOptions,
  type DispatcherOption,
  GenStage,
  type ProducerConsumerSpec,
  type StageChildSpec,
  type StageStartOptions,
  type SubscribeOptions,
} from '@starweave/stages';
import type { LateOutput } from './late-output.js';
import type { StageEngine } from './stage-engine.js';
import { Watermark } from './watermark.js';

/** Options that every pattern stage takes for its process, subscriptions and checkpoints. */
export interface PatternStageOptions {
  /** Registers the stage under this name, so that consumers and restarts find it. */
  name?: string;
  /** Producers to subscribe to once the stage has started, as GenStage's `subscribeTo`. */
  subscribeTo?: Array<Dest | SubscribeOptions>;
  /** Takes part in checkpoints: restores the last completed one at start and saves new ones. */
  checkpoint?: CheckpointOptions;
  /** Fails the start with ERR_CALL_TIMEOUT when `init` takes longer. Default `'infinity'`. */
  timeoutMs?: number | 'infinity';
  /** Mailbox length past which a warning fires. */
  mailboxWarning?: number;
  /** The dispatcher that shares the outputs among consumers. Default `'demand'`. */
  dispatcher?: DispatcherOption;
  /** Outputs kept while consumers have no demand. Default `Infinity`, as GenStage has it. */
  bufferSize?: number;
  /** The outputs a full buffer keeps: the `'first'` or the `'last'` ones. Default `'last'`. */
  bufferKeep?: 'first' | 'last';
}

/** The supervision settings that `childSpec` of a pattern stage adds to its options. */
export type PatternStageChildOptions = Omit<StageChildSpec, 'id' | 'start'>;

/** The parts that set one kind of pattern stage apart: its label, snapshot format and engine. */
export interface EngineStageDefinition<In, Out> {
  /** The stage's label in crash reports and log events, such as `'CepStage'`. */
  label: string;
  /** The format name written into the stage's checkpoint snapshots. */
  format: string;
  options: PatternStageOptions;
  late: LateOutput;
  /** Advances the engine to the clock's time at this interval, for arrival time. */
  tickMs: number | undefined;
  /** Builds a fresh engine inside the stage's process. */
  create(self: ProcessContext): StageEngine<In, Out>;
}

/** The state of a pattern stage process. */
export interface EngineStageState<Out> {
  engine: StageEngine<any, Out>;
  /** The cancel mode of each subscription to a producer, by the subscription ref's id. */
  inputs: Map<number, CancelMode>;
  /** True once the end of a permanent input closed the engine. */
  closed: boolean;
}

/** A pattern stage's snapshot in a checkpoint. */
interface EngineStageSnapshot {
  format: string;
  version: 1;
  closed: boolean;
  engine: unknown;
}

/** Asks a pattern stage for its engine's counters or to move its watermark. */
class EngineStageRequest {
  constructor(
    readonly kind: 'stats' | 'advanceWatermark',
    readonly time = 0,
  ) {}
}

/** The clock tick a stage in arrival time sends itself. */
class Tick {}

/** Returns the producer-consumer spec of a pattern stage. */
export function engineStageSpec<In, Out>(
  definition: EngineStageDefinition<In, Out>,
): ProducerConsumerSpec<EngineStageState<Out>, void, In | Watermark, Out> {
  const { label, format, options, late, tickMs } = definition;

  const route = (state: EngineStageState<Out>, self: ProcessContext): Out[] => {
    const outputs = state.engine.drain();
    if (late === 'emit') return outputs;
    const kept: Out[] = [];
    for (const output of outputs) {
      if ((output as { type?: unknown }).type !== 'late') kept.push(output);
      else if (late !== 'count') self.send(late.sendTo, output);
    }
    return kept;
  };

  return {
    type: 'producerConsumer',
    name: label,

    init: (_arg, self) => {
      const engine = definition.create(self);
      if (tickMs !== undefined) self.sendAfter(self.pid, new Tick(), tickMs);
      return {
        state: { engine, inputs: new Map(), closed: false },
        ...(options.subscribeTo === undefined ? {} : { subscribeTo: options.subscribeTo }),
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
        ...(options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }),
        ...(options.bufferKeep === undefined ? {} : { bufferKeep: options.bufferKeep }),
      };
    },

    handleSubscribe: (kind, subscribeOptions, from, state) => {
      if (kind === 'producer')
        state.inputs.set(from.ref.id, subscribeOptions.cancel ?? 'permanent');
      return { state };
    },

    handleEvents: (events, _from, state, self) => {
      const engine = state.engine;
      let ignored = 0;
      for (const event of events) {
        if (state.closed) ignored += 1;
        else if (event instanceof Watermark) engine.advanceWatermark(event.time);
        else engine.push(event);
      }
      if (ignored > 0) {
        self.system.logger.log('warn', 'pattern_stage.input_after_close', {
          pid: self.pid,
          label,
          count: ignored,
        });
      }
      return { events: route(state, self), state };
    },

    handleCancel: (cancellation, from, state, self) => {
      const mode = state.inputs.get(from.ref.id);
      if (mode === undefined) return { state };
      state.inputs.delete(from.ref.id);
      if (mode !== 'permanent' || !isNormalReason(cancellation.reason) || state.closed) {
        return { state };
      }
      // The stage stops once its outputs have gone downstream. Closing the engine first emits
      // what only the end of the input completes: absence matches, timeouts, open windows.
      state.closed = true;
      state.engine.close();
      return { events: route(state, self), state };
    },

    handleInfo: (message, state, self) => {
      if (!(message instanceof Tick)) {
        self.system.logger.log('warn', 'stage.unexpected_message', {
          pid: self.pid,
          label,
          message,
        });
        return { state };
      }
      if (state.closed) return { state };
      state.engine.advanceWatermark(self.system.clock.now());
      self.sendAfter(self.pid, new Tick(), tickMs!);
      return { events: route(state, self), state };
    },

    handleCall: (request, _from, state, self) => {
      if (!(request instanceof EngineStageRequest)) {
        throw new StarweaveError(
          'ERR_BAD_CALL',
          `${label} ${self.pid} got the call ${describe(request)}; it takes only its own requests (stats, advanceWatermark).`,
          { details: { request } },
        );
      }
      if (request.kind === 'stats') return { reply: state.engine.stats(), state };
      if (!state.closed) state.engine.advanceWatermark(request.time);
      return { reply: undefined, events: route(state, self), state };
    },

    snapshotState: (state): EngineStageSnapshot => ({
      format,
      version: 1,
      closed: state.closed,
      engine: state.engine.snapshot(),
    }),

    restoreState: (snapshot: EngineStageSnapshot, state) => {
      if (snapshot?.format !== format || snapshot.version !== 1) {
        invalidArgument(
          'snapshot',
          `a version 1 ${format} snapshot`,
          snapshot?.format,
          'Give each stage its own stageId in the checkpoint options.',
        );
      }
      state.engine.restore(snapshot.engine);
      state.closed = snapshot.closed;
      return state;
    },
  };
}

/** Returns the GenStage start options of a pattern stage. */
function startOptions(options: PatternStageOptions): StageStartOptions {
  const result: StageStartOptions = {};
  if (options.name !== undefined) result.name = options.name;
  if (options.checkpoint !== undefined) result.checkpoint = options.checkpoint;
  if (options.timeoutMs !== undefined) result.timeoutMs = options.timeoutMs;
  if (options.mailboxWarning !== undefined) result.mailboxWarning = options.mailboxWarning;
  return result;
}

/** Starts a pattern stage, linked to the caller when `link` is true. */
export function startEngineStage<In, Out>(
  caller: Caller,
  definition: EngineStageDefinition<In, Out>,
  link: boolean,
): Promise<Pid> {
  const start = link ? GenStage.startLink : GenStage.start;
  return start(caller, engineStageSpec(definition), undefined, startOptions(definition.options));
}

/** Returns the child spec of a pattern stage, so that a supervisor starts and restarts it. */
export function engineStageChildSpec<In, Out>(
  id: string,
  definition: EngineStageDefinition<In, Out>,
  childOptions: PatternStageChildOptions,
): StageChildSpec {
  return GenStage.childSpec(id, engineStageSpec(definition), undefined, {
    ...startOptions(definition.options),
    ...childOptions,
  });
}

/** Splits the options of `childSpec` into the stage's options and the supervision settings. */
export function splitChildOptions<T extends object>(
  options: T & PatternStageChildOptions,
): [T, PatternStageChildOptions] {
  checkOptions(options);
  const { restart, shutdown, type, significant, ...stageOptions } = options;
  const childOptions: PatternStageChildOptions = {};
  if (restart !== undefined) childOptions.restart = restart;
  if (shutdown !== undefined) childOptions.shutdown = shutdown;
  if (type !== undefined) childOptions.type = type;
  if (significant !== undefined) childOptions.significant = significant;
  return [stageOptions as unknown as T, childOptions];
}

/** Returns the counters of a pattern stage's engine. */
export function engineStageStats<T>(
  caller: Caller,
  stage: Dest,
  timeoutMs: number | 'infinity',
): Promise<T> {
  return GenStage.call<T>(caller, stage, new EngineStageRequest('stats'), timeoutMs);
}

/**
 * Moves a pattern stage's watermark to `time`. Resolves once the stage has handled it, when the
 * outputs it produced are dispatched downstream or buffered.
 */
export async function engineStageAdvance(
  caller: Caller,
  stage: Dest,
  time: number,
  timeoutMs: number | 'infinity',
): Promise<void> {
  if (typeof time !== 'number' || Number.isNaN(time)) {
    invalidArgument('time', 'a number of milliseconds', time);
  }
  await GenStage.call(caller, stage, new EngineStageRequest('advanceWatermark', time), timeoutMs);
}

/** Checks that `options` is an object and returns it. */
export function checkOptions<T>(options: T): T {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  return options;
}

/** Checks a `tickMs` option: undefined, or a positive number of milliseconds. */
export function checkTickMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalidArgument('options.tickMs', 'a finite number of milliseconds greater than 0', value);
  }
  return value;
}
