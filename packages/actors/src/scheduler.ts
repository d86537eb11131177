/**
 * The scheduler: one run queue per system, drained in slices with a reduction budget. Between
 * slices it yields to the event loop with `setImmediate`, so timers and I/O stay responsive
 * under a flood of messages; a slice that starts from idle is kicked by a microtask, so a lone
 * request does not wait for a whole event-loop turn.
 */

/** What the scheduler runs: a process with work to do. */
export interface Runnable {
  /** True while the runnable sits in the run queue. */
  scheduled: boolean;
  /** Runs up to `budget` reductions and returns how many were used. */
  run(budget: number): number;
}

/** A pseudo-random source in [0, 1), for seeded run-queue order. */
export type RandomSource = () => number;

/** Creates a seeded pseudo-random source (mulberry32), so a run order can be replayed. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Reductions (messages handled or scanned) per slice before yielding. Default 20,000. */
  sliceBudget?: number;
  /** Reductions one process may use before going to the back of the queue. Default 2,000. */
  processBudget?: number;
  /** A seed for random run-queue order; unset means first in, first out. */
  seed?: number;
}

/** The run queue and its drain loop. */
export class Scheduler {
  private queue: Runnable[] = [];
  private head = 0;
  private kicked = false;
  private immediate: NodeJS.Immediate | null = null;
  // Reductions run since the last slice that began in a macrotask; past one slice budget the
  // next slice waits for setImmediate so that a chain of microtask kicks cannot starve I/O.
  private sinceYield = 0;
  private random: RandomSource | null;
  private stopped = false;
  readonly sliceBudget: number;
  readonly processBudget: number;
  /** The slices run so far, for introspection and tests. */
  slices = 0;
  private readonly runSliceBound = () => this.runSlice(false);
  private readonly runMacroBound = () => this.runSlice(true);

  constructor(options: SchedulerOptions = {}) {
    this.sliceBudget = options.sliceBudget ?? 20_000;
    this.processBudget = options.processBudget ?? 2_000;
    this.random = options.seed === undefined ? null : seededRandom(options.seed);
  }

  /** Replaces the run-queue order: a seed for seeded random order, or undefined for FIFO. */
  setSeed(seed: number | undefined): void {
    this.random = seed === undefined ? null : seededRandom(seed);
  }

  /** Returns the number of runnables waiting. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Adds a runnable that has work; a runnable already queued is left where it is. */
  enqueue(runnable: Runnable): void {
    if (runnable.scheduled || this.stopped) return;
    runnable.scheduled = true;
    this.queue.push(runnable);
    if (!this.kicked) this.kick();
  }

  /** Stops the scheduler: the queue is dropped and no slice runs again. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
  }

  private kick(): void {
    this.kicked = true;
    if (this.sinceYield < this.sliceBudget) {
      queueMicrotask(this.runSliceBound);
    } else {
      this.immediate = setImmediate(this.runMacroBound);
    }
  }

  private next(): Runnable | undefined {
    const size = this.queue.length - this.head;
    if (size === 0) return undefined;
    if (this.random !== null && size > 1) {
      const index = this.head + Math.floor(this.random() * size);
      const chosen = this.queue[index]!;
      this.queue[index] = this.queue[this.head]!;
      this.queue[this.head++] = chosen;
      return this.take(chosen);
    }
    return this.take(this.queue[this.head++]!);
  }

  private take(runnable: Runnable): Runnable {
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return runnable;
  }

  private runSlice(fromMacrotask: boolean): void {
    this.immediate = null;
    if (this.stopped) return;
    if (fromMacrotask) this.sinceYield = 0;
    this.slices++;
    let budget = this.sliceBudget;
    while (budget > 0) {
      const runnable = this.next();
      if (runnable === undefined) break;
      runnable.scheduled = false;
      const used = runnable.run(budget < this.processBudget ? budget : this.processBudget);
      budget -= used > 0 ? used : 1;
    }
    this.sinceYield += this.sliceBudget - budget;
    if (this.queue.length - this.head > 0 && !this.stopped) {
      this.immediate = setImmediate(this.runMacroBound);
    } else {
      this.kicked = false;
      if (this.queue.length === this.head) {
        this.queue.length = 0;
        this.head = 0;
      }
    }
  }
}
