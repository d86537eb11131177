/**
 * The source stage: a producer that reads records in time order, only as far as its consumers'
 * demand, adds an hour tick for every partition at each hour boundary, and shares both among
 * the partitions by origin airport. Its offset is saved in checkpoints, so a restarted
 * pipeline resumes reading where the last completed checkpoint was taken.
 */
import { type ProcessContext, StarweaveError } from '@starweave/actors';
import type { MaybePromise, ProducerSpec, StageResult } from '@starweave/stages';
import { mainThreadCpuMs } from '../app/thread-cpu.js';
import { HOUR_MS, hourStart } from '../data/flight.js';
import type { FlightChunkView, FlightSource } from '../data/flight-source.js';
import type { RunMetrics } from './run-metrics.js';
import { partitionOf, type SourceEvent, Tick } from './tick.js';

/** The start argument of the source stage. */
export interface SourceArg {
  readonly source: FlightSource;
  readonly partitions: number;
  /** Reads records up to this offset. */
  readonly limit: number;
  /**
   * Event time runs this many times faster than the wall clock; null sends records as fast as
   * they are asked for.
   */
  readonly speedup: number | null;
  readonly metrics: RunMetrics;
}

/** The part of the source's state that a checkpoint keeps. */
interface SourceSnapshot {
  offset: number;
  hour: number | null;
  done: boolean;
}

interface SourceState extends SourceSnapshot {
  readonly arg: SourceArg;
  /** Demand not yet met. */
  demand: number;
  chunks: AsyncGenerator<FlightChunkView> | null;
  chunk: FlightChunkView | null;
  /** Wall-clock time and event time that the speed-up schedule counts from. */
  pace: { wall: number; event: number } | null;
  /** A release timer is pending (speed-up only). */
  waiting: boolean;
}

/** Asks the source to send what the speed-up schedule now allows. */
class Release {
  readonly type = 'source.release';
}

const RELEASE = new Release();

/** The source stage's spec. */
export const SourceStage: ProducerSpec<SourceState, SourceArg, SourceEvent> = {
  type: 'producer',
  name: 'FlightSource',

  init: (arg) => ({
    state: {
      arg,
      offset: 0,
      hour: null,
      done: false,
      demand: 0,
      chunks: null,
      chunk: null,
      pace: null,
      waiting: false,
    },
    dispatcher: {
      type: 'partition',
      partitions: arg.partitions,
      hash: (event: SourceEvent) =>
        event instanceof Tick ? event.partition : partitionOf(event.origin, arg.partitions),
    },
    // Events for a partition whose consumer has no demand wait in its queue. Demand keeps the
    // queues near the consumers' maxDemand, so this bound only guards memory.
    bufferSize: 200_000,
    bufferKeep: 'first',
  }),

  handleDemand: (demand, state, self) => {
    state.demand += demand;
    return send(state, self);
  },

  handleInfo: (message, state, self) => {
    if (message instanceof Release) {
      state.waiting = false;
      return send(state, self);
    }
    return { state };
  },

  snapshotState: (state): SourceSnapshot => ({
    offset: state.offset,
    hour: state.hour,
    done: state.done,
  }),

  restoreState: (snapshot: SourceSnapshot, state) => ({ ...state, ...snapshot }),

  terminate: (_reason, state) => {
    void state.chunks?.return(undefined);
  },
};

/** Sends records (and ticks) while demand lasts, loading the next chunk when one runs out. */
function send(
  state: SourceState,
  self: ProcessContext,
): MaybePromise<StageResult<SourceState, SourceEvent>> {
  const events: SourceEvent[] = [];
  const step = (): MaybePromise<StageResult<SourceState, SourceEvent>> => {
    if (fill(state, events, self) === 'load') return loadChunk(state).then(step);
    const metrics = state.arg.metrics;
    if (metrics.firstSentAt === 0 && events.length > 0) {
      metrics.firstSentAt = performance.now();
      metrics.firstSentCpuMs = mainThreadCpuMs();
    }
    metrics.emitted = state.offset;
    return { events, state };
  };
  return step();
}

/** Appends events to `events` within the demand; returns 'load' when a new chunk is needed. */
function fill(state: SourceState, events: SourceEvent[], self: ProcessContext): 'load' | 'done' {
  const { arg } = state;
  const allowed = arg.speedup === null ? Number.POSITIVE_INFINITY : allowedTime(state, self);
  while (state.demand > 0 && !state.done) {
    if (state.offset >= arg.limit) {
      finish(state, events);
      break;
    }
    const chunk = state.chunk;
    if (chunk === null || state.offset >= chunk.start + chunk.length) return 'load';

    const flight = chunk.flight(state.offset - chunk.start);
    if (flight.time > allowed) {
      arg.metrics.behindScheduleMs = 0;
      scheduleRelease(state, self, flight.time);
      break;
    }
    const hour = hourStart(flight.time);
    if (state.hour === null) {
      state.hour = hour;
    } else if (hour > state.hour) {
      for (let p = 0; p < arg.partitions; p++) events.push(new Tick(p, state.hour, hour, false));
      state.hour = hour;
    }
    events.push(flight);
    state.offset += 1;
    state.demand -= 1;
    arg.metrics.emittedTime = flight.time;
    if (allowed !== Number.POSITIVE_INFINITY) arg.metrics.behindScheduleMs = allowed - flight.time;
  }
  return 'done';
}

/** Sends the final tick to every partition: the last hour is closed and the input ends. */
function finish(state: SourceState, events: SourceEvent[]): void {
  const hour = state.hour ?? 0;
  for (let p = 0; p < state.arg.partitions; p++)
    events.push(new Tick(p, hour, hour + HOUR_MS, true));
  state.done = true;
}

async function loadChunk(state: SourceState): Promise<void> {
  state.chunks ??= state.arg.source.readChunks({
    fromOffset: state.offset,
    limit: state.arg.limit,
  });
  const next = await state.chunks.next();
  if (next.done === true) {
    throw new StarweaveError(
      'ERR_NOT_FOUND',
      `the flight source ended at offset ${state.offset}, before the limit ${state.arg.limit}; set the limit to at most its ${state.arg.source.rows} records.`,
    );
  }
  state.chunk = next.value;
}

/** Returns the latest event time the speed-up schedule allows now. */
function allowedTime(state: SourceState, self: ProcessContext): number {
  const now = self.system.clock.now();
  if (state.pace === null) {
    const chunk = state.chunk;
    if (chunk === null || state.offset >= chunk.start + chunk.length) {
      return Number.NEGATIVE_INFINITY;
    }
    // The schedule starts (and, after a restart, starts again) at the next record.
    state.pace = { wall: now, event: chunk.flight(state.offset - chunk.start).time };
  }
  return state.pace.event + (now - state.pace.wall) * state.arg.speedup!;
}

function scheduleRelease(state: SourceState, self: ProcessContext, eventTime: number): void {
  if (state.waiting) return;
  state.waiting = true;
  const wallMs = (eventTime - allowedTime(state, self)) / state.arg.speedup!;
  self.sendAfter(self.pid, RELEASE, Math.max(1, Math.ceil(wallMs)));
}
