/**
 * Test systems: an ActorSystem on a virtual clock with a seeded run queue, plus the driver
 * that moves time (`advance`), lets the scheduler run dry (`runUntilIdle`) and waits for
 * promises that need timers to fire (`waitFor`).
 */
import {
  ActorSystem,
  checkTimeout,
  invalidArgument,
  type Logger,
  type Pid,
  StarweaveError,
  silentLogger,
} from '@starweave/actors';
import { kitState, type TimeDriver } from './kit-state.js';
import { joinSeedScope, resolveSeed } from './seed.js';
import { TestClock } from './test-clock.js';
import { startTrace, type Trace, type TraceOptions } from './trace.js';

/** Options of {@link createTestSystem}. */
export interface TestSystemOptions {
  /** The run-queue seed. Default: the enclosing `withSeed`, else `STARWEAVE_SEED`, else 1. */
  seed?: number;
  /** Runs timers on a virtual clock that only `advance` moves. Default true. */
  virtualTime?: boolean;
  /** The system's logger. Default: silent. */
  logger?: Logger;
  /** Records a trace from the start (`t.trace`); false records none. Default true. */
  trace?: boolean | TraceOptions;
  /** The node name in pids. Default `'local'`. */
  node?: string;
}

/** Options of {@link TestSystem.runUntilIdle}. */
export interface RunUntilIdleOptions {
  /** Event-loop turns after which the system counts as running forever. Default 10,000. */
  maxTurns?: number;
}

// Turns without a scheduler slice, after which processes that still count as busy are taken
// to await something outside the scheduler (a call reply, a task, I/O) rather than to run.
const QUIET_TURNS = 3;
// Timers fired by one `driveUntil` with no time limit before it reports a timer loop.
const MAX_UNBOUNDED_TIMERS = 10_000;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * An ActorSystem made for tests, with its clock and seed. Create one with
 * {@link createTestSystem}; shut it down with {@link TestSystem.shutdown} (systems made inside
 * `withSeed` are shut down for you).
 */
export class TestSystem implements TimeDriver {
  /** The system under test. */
  readonly system: ActorSystem;
  /** The virtual clock, or undefined when the system runs on real time. */
  readonly clock: TestClock | undefined;
  /** The seed of the run-queue order; the same seed replays the same interleaving. */
  readonly seed: number;
  /** The trace recorded from the start, or undefined when `trace: false`. */
  readonly trace: Trace | undefined;

  constructor(options: TestSystemOptions = {}) {
    if (options === null || typeof options !== 'object') {
      invalidArgument('options', 'an options object', options);
    }
    const virtualTime = options.virtualTime ?? true;
    if (typeof virtualTime !== 'boolean') invalidArgument('virtualTime', 'a boolean', virtualTime);
    this.seed = resolveSeed(options.seed);
    this.clock = virtualTime ? new TestClock() : undefined;
    this.system = new ActorSystem({
      logger: options.logger ?? silentLogger,
      seed: this.seed,
      node: options.node,
      ...(this.clock === undefined ? {} : { clock: this.clock }),
    });
    kitState(this.system).driver = this;
    const traceOption = options.trace ?? true;
    this.trace =
      traceOption === false
        ? undefined
        : startTrace(this.system, traceOption === true ? {} : traceOption);
    joinSeedScope({
      describeFailure: () => this.describeFailure(),
      close: () => this.shutdown(),
    });
  }

  /** True when the system runs on the virtual clock. */
  get virtualTime(): boolean {
    return this.clock !== undefined;
  }

  /** Returns the system clock's time in milliseconds. */
  now(): number {
    return this.system.clock.now();
  }

  /**
   * Moves virtual time forward by `ms`. Timers due on the way fire one at a time in order, and
   * the scheduler runs until idle before the first and after each, so the work a timer starts
   * completes before the next timer fires.
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      invalidArgument('ms', 'a non-negative finite number of milliseconds', ms);
    }
    const clock = this.requireClock('advance');
    const target = clock.now() + ms;
    await this.driveUntil(() => false, ms);
    if (clock.now() < target) clock.advance(target - clock.now());
  }

  /**
   * Runs the scheduler until no process has work and no timer is due at the current time,
   * firing due timers one at a time. On real time it only waits for the scheduler.
   * Fails with ERR_DEADLINE when the system still runs after `maxTurns` event-loop turns.
   */
  async runUntilIdle(options: RunUntilIdleOptions = {}): Promise<void> {
    const maxTurns = options.maxTurns ?? 10_000;
    if (!Number.isInteger(maxTurns) || maxTurns < 1) {
      invalidArgument('maxTurns', 'a positive integer', maxTurns);
    }
    await this.quiesce(maxTurns);
    const clock = this.clock;
    if (clock === undefined) return;
    while (clock.step(clock.now())) await this.quiesce(maxTurns);
  }

  /**
   * Waits for `promise` while moving virtual time, firing timers one at a time, and returns
   * its value. Fails with ERR_DEADLINE when `timeoutMs` of virtual time pass first, or when
   * nothing is left that could settle it (no timer pending, no process running).
   */
  async waitFor<T>(
    promise: PromiseLike<T>,
    timeoutMs: number | 'infinity' = 'infinity',
  ): Promise<T> {
    if (promise === null || typeof (promise as { then?: unknown })?.then !== 'function') {
      invalidArgument('promise', 'a promise', promise);
    }
    const limit = checkTimeout('timeoutMs', timeoutMs);
    let settled = false;
    const watched = Promise.resolve(promise).finally(() => {
      settled = true;
    });
    // Keeps an early rejection from counting as unhandled while time moves.
    watched.catch(() => {});
    if (this.clock === undefined) return watched;
    const start = this.now();
    await this.driveUntil(() => settled, limit);
    if (!settled) {
      let why: string;
      if (limit === 'infinity') {
        why = `: the system is idle and no timer is pending (after ${this.now() - start} ms of virtual time)`;
      } else {
        // Timers due later than the limit stay pending; the clock moves to the limit itself.
        this.clock.advance(Math.max(0, start + limit - this.now()));
        why = `within ${limit} ms of virtual time`;
      }
      throw new StarweaveError(
        'ERR_DEADLINE',
        `waitFor: the promise did not settle ${why}. ${this.describeBusy()}Check that something sends the expected message or reply.`,
        { details: { timeoutMs: limit, waitedMs: this.now() - start } },
      );
    }
    return watched;
  }

  /** @internal */
  async driveUntil(stop: () => boolean, limitMs: number | 'infinity'): Promise<boolean> {
    await this.quiesce(10_000);
    if (stop()) return true;
    const clock = this.clock;
    if (clock === undefined) return stop();
    const target = limitMs === 'infinity' ? Number.POSITIVE_INFINITY : clock.now() + limitMs;
    let fired = 0;
    while (clock.step(target)) {
      await this.quiesce(10_000);
      if (stop()) return true;
      if (limitMs === 'infinity' && ++fired >= MAX_UNBOUNDED_TIMERS) {
        throw new StarweaveError(
          'ERR_DEADLINE',
          `${fired} timers fired without the awaited event (virtual time is now ${clock.now()} ms); a periodic timer keeps the system running. Pass a finite timeoutMs.`,
          { details: { timersFired: fired, nowMs: clock.now() } },
        );
      }
    }
    return stop();
  }

  /** Ends every process and timer of the system; calling it twice is harmless. */
  async shutdown(): Promise<void> {
    this.trace?.stop();
    await this.system.shutdown();
  }

  private requireClock(operation: string): TestClock {
    if (this.clock === undefined) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `${operation} needs virtual time, but this test system runs on the real clock; create it with createTestSystem({ virtualTime: true }).`,
      );
    }
    return this.clock;
  }

  // Lets the scheduler run until the run queue is empty and no process is busy, seen twice in
  // a row because a receive resolves in a microtask after the slice that found its message.
  // Busy processes that run no slice for QUIET_TURNS turns also end the wait.
  private async quiesce(maxTurns: number): Promise<void> {
    const scheduler = this.system.scheduler;
    let idleTurns = 0;
    let quietTurns = 0;
    let slices = scheduler.slices;
    for (let turn = 0; turn < maxTurns; turn++) {
      await nextTurn();
      if (this.system.isStopped) return;
      const progressed = scheduler.slices !== slices;
      slices = scheduler.slices;
      if (scheduler.length > 0) {
        idleTurns = 0;
        quietTurns = 0;
        continue;
      }
      if (this.system.isIdle()) {
        if (++idleTurns >= 2) return;
        continue;
      }
      idleTurns = 0;
      quietTurns = progressed ? 0 : quietTurns + 1;
      if (quietTurns >= QUIET_TURNS) return;
    }
    throw new StarweaveError(
      'ERR_DEADLINE',
      `the system was still running after ${maxTurns} event-loop turns. ${this.describeBusy()}Look for processes that send to each other or to themselves without end.`,
      { details: { maxTurns } },
    );
  }

  private describeBusy(): string {
    const busy: string[] = [];
    for (const pid of this.system.processes()) {
      if (pid.equals(this.system.pid)) continue;
      const info = this.system.processInfo(pid);
      if (info === undefined || info.status === 'waiting') continue;
      busy.push(describeProcess(pid, info.registeredName, info.status, info.mailboxLength));
    }
    return busy.length === 0 ? '' : `Processes not waiting: ${busy.slice(0, 10).join(', ')}. `;
  }

  private describeFailure(): string | undefined {
    if (this.trace === undefined) return undefined;
    return this.trace.format({ last: 60 });
  }
}

function describeProcess(
  pid: Pid,
  name: string | undefined,
  status: string,
  mailbox: number,
): string {
  const label = name === undefined ? String(pid) : `${pid} (${name})`;
  return `${label} ${status} with ${mailbox} queued`;
}

/**
 * Creates a {@link TestSystem}: an ActorSystem with a silent logger, a seeded run queue and,
 * by default, a virtual clock and a trace.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestSystem } from '@starweave/testing';
 *
 * const t = createTestSystem({ seed: 1 });
 * const got: string[] = [];
 * const pid = t.system.spawn({ handleMessage: (_self, message) => void got.push(message.type) });
 * t.system.sendAfter(pid, { type: 'tick' }, 1000);
 * await t.advance(999);
 * assert.deepEqual(got, []);
 * await t.advance(1);
 * assert.deepEqual(got, ['tick']);
 * await t.shutdown();
 * ```
 */
export function createTestSystem(options: TestSystemOptions = {}): TestSystem {
  return new TestSystem(options);
}
