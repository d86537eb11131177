/**
 * The sink stage: a consumer of every airport stage. It joins the partitions' reports of each
 * period, journals the period's hours and alerts through the store writer (waiting until they
 * are stored, so that a checkpoint it acknowledges covers them), and reports the end of the run.
 */
import type { ConsumerSpec } from '@starweave/stages';
import type { PeriodReport } from '../detect/airport-monitor.js';
import { type AssemblerSnapshot, PeriodAssembler } from '../detect/period-assembler.js';
import { JournalLayout, type JournalWrite, type LayoutSnapshot } from '../store/journal-layout.js';
import { writeToStore } from '../store/store-writer.js';
import { airportStageName } from './airport-stage.js';
import type { RunMetrics } from './run-metrics.js';
import { alertCount, countPeriod, emptyTotals, type RunTotals } from './run-totals.js';

/** The start argument of the sink stage. */
export interface SinkArg {
  readonly partitions: number;
  /** True when the airport stages score flights, so hour events carry calibration counts. */
  readonly scored: boolean;
  readonly metrics: RunMetrics;
  /** Called once the last period is journaled; may be called again after a restart. */
  readonly onFinished: (totals: RunTotals) => void;
}

interface SinkSnapshot {
  assembler: AssemblerSnapshot;
  layout: LayoutSnapshot;
  totals: RunTotals;
  finished: boolean;
}

interface SinkState {
  readonly arg: SinkArg;
  readonly assembler: PeriodAssembler;
  readonly layout: JournalLayout;
  totals: RunTotals;
  finished: boolean;
}

/** The sink stage's spec. */
export const SinkStage: ConsumerSpec<SinkState, SinkArg, PeriodReport> = {
  type: 'consumer',
  name: 'ResultSink',

  init: (arg) => ({
    state: {
      arg,
      assembler: new PeriodAssembler(arg.partitions),
      layout: new JournalLayout(),
      totals: emptyTotals(),
      finished: false,
    },
    subscribeTo: Array.from({ length: arg.partitions }, (_, partition) => ({
      to: airportStageName(partition),
      maxDemand: 64,
      minDemand: 32,
    })),
  }),

  handleEvents: async (reports, _from, state, self) => {
    // Every period the batch completes goes to the store in one call, so that the sink waits
    // for the store once per batch rather than once per hour.
    const writes: JournalWrite[] = [];
    let final = false;
    for (const report of reports) {
      for (const result of state.assembler.add(report)) {
        writes.push(...state.layout.writes(result, state.arg.scored));
        state.totals = countPeriod(state.totals, result, state.layout.snapshot().hours);
        final ||= result.final;
      }
    }
    if (writes.length === 0) return { state };
    const outcome = await writeToStore(self, writes);
    const metrics = state.arg.metrics;
    metrics.skippedWrites += outcome.skipped;
    metrics.processed = state.totals.flights;
    metrics.processedTime = state.totals.endTime;
    metrics.alerts = alertCount(state.totals);
    if (final) finish(state);
    return { state };
  },

  snapshotState: (state): SinkSnapshot => ({
    assembler: state.assembler.snapshot(),
    layout: state.layout.snapshot(),
    totals: state.totals,
    finished: state.finished,
  }),

  restoreState: (snapshot: SinkSnapshot, state) => {
    state.assembler.restore(snapshot.assembler);
    state.layout.restore(snapshot.layout);
    return { ...state, totals: snapshot.totals, finished: snapshot.finished };
  },
};

function finish(state: SinkState): void {
  state.finished = true;
  state.arg.onFinished(state.totals);
}
