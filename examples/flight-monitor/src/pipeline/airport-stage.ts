/**
 * The airport stage: one producer-consumer per partition of origin airports. It runs the
 * partition's {@link AirportMonitor} over the departures it receives, scores them with the
 * delay model when one is given, and sends a period report downstream at every hour tick.
 */
import type { ProducerConsumerSpec } from '@starweave/stages';
import type { Flight } from '../data/flight.js';
import {
  AirportMonitor,
  type MonitorSnapshot,
  type PeriodReport,
} from '../detect/airport-monitor.js';
import { type SourceEvent, Tick } from './tick.js';

/** Scores flights: resolves to each flight's probability of a delay over 15 minutes. */
export type Scorer = (flights: readonly Flight[]) => Promise<ArrayLike<number>>;

/** The start argument of an airport stage. */
export interface AirportArg {
  readonly partition: number;
  /** The source's registered name. */
  readonly source: string;
  /** The maximum number of departures in flight from the source. */
  readonly maxDemand: number;
  readonly scorer: Scorer | null;
}

interface AirportState {
  readonly arg: AirportArg;
  readonly monitor: AirportMonitor;
}

/** Returns the registered name of the airport stage of `partition`. */
export function airportStageName(partition: number): string {
  return `airports-${partition}`;
}

/** The airport stage's spec. */
export const AirportStage: ProducerConsumerSpec<
  AirportState,
  AirportArg,
  SourceEvent,
  PeriodReport
> = {
  type: 'producerConsumer',
  name: 'AirportMonitor',

  init: (arg) => ({
    state: { arg, monitor: new AirportMonitor(arg.partition) },
    subscribeTo: [
      {
        to: arg.source,
        partition: arg.partition,
        maxDemand: arg.maxDemand,
        minDemand: Math.floor(arg.maxDemand / 2),
      },
    ],
  }),

  handleEvents: (events, _from, state) => {
    const scorer = state.arg.scorer;
    if (scorer === null) return { events: runBatch(state, events, null), state };
    const flights = events.filter((event): event is Flight => !(event instanceof Tick));
    if (flights.length === 0) return { events: runBatch(state, events, null), state };
    return scorer(flights).then((scores) => ({ events: runBatch(state, events, scores), state }));
  },

  snapshotState: (state): MonitorSnapshot => state.monitor.snapshot(),

  restoreState: (snapshot: MonitorSnapshot, state) => {
    state.monitor.restore(snapshot);
    return state;
  },
};

/** Feeds a batch to the monitor in order; `scores` contains one score per flight of the batch. */
function runBatch(
  state: AirportState,
  events: readonly SourceEvent[],
  scores: ArrayLike<number> | null,
): PeriodReport[] {
  const { monitor } = state;
  const reports: PeriodReport[] = [];
  let scored = 0;
  for (const event of events) {
    if (event instanceof Tick) {
      reports.push(
        event.final ? monitor.finish(event.from, event.to) : monitor.tick(event.from, event.to),
      );
      continue;
    }
    monitor.push(event);
    if (scores !== null) monitor.addScore(event, scores[scored++]!);
  }
  return reports;
}
