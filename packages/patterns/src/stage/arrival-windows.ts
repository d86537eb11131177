/**
 * A window aggregator in arrival time: each event is stamped with the clock's time as it
 * arrives, and the watermark follows the clock, so windows fire as time passes.
 */
import {
  WindowAggregator,
  type WindowAggregatorOptions,
  type WindowOutput,
  type WindowSnapshot,
  type WindowStats,
} from '../windows/window-aggregator.js';
import type { StageEngine } from './stage-engine.js';

/** The state of {@link ArrivalWindows} as plain data. */
export interface ArrivalWindowsSnapshot {
  /** The arrival time of the last event, so that restored stamps never go back. */
  now: number | null;
  windows: WindowSnapshot;
}

/** Aggregates events over windows of their arrival time on `clock`. */
export class ArrivalWindows<E> implements StageEngine<E, WindowOutput<E>> {
  private readonly aggregator: WindowAggregator<E>;
  private now = Number.NEGATIVE_INFINITY;

  constructor(
    options: Omit<WindowAggregatorOptions<E>, 'timestamp' | 'maxOutOfOrdernessMs' | 'emit'>,
    private readonly clock: { now(): number },
  ) {
    // A watermark at the arrival time fires each window as soon as an event arrives past it.
    this.aggregator = new WindowAggregator({
      ...options,
      timestamp: () => this.now,
      maxOutOfOrdernessMs: 0,
    });
  }

  push(event: E): void {
    this.now = Math.max(this.now, this.clock.now());
    this.aggregator.push(event);
  }

  advanceWatermark(time: number): void {
    this.aggregator.advanceWatermark(time);
  }

  close(): void {
    this.aggregator.close();
  }

  drain(): WindowOutput<E>[] {
    return this.aggregator.drain();
  }

  stats(): WindowStats {
    return this.aggregator.stats();
  }

  snapshot(): ArrivalWindowsSnapshot {
    return {
      now: Number.isFinite(this.now) ? this.now : null,
      windows: this.aggregator.snapshot(),
    };
  }

  restore(snapshot: ArrivalWindowsSnapshot): void {
    this.aggregator.restore(snapshot.windows);
    this.now = snapshot.now ?? Number.NEGATIVE_INFINITY;
  }
}
