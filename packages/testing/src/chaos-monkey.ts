/**
 * A seeded chaos monkey: at a fixed interval on the system clock it picks one live process
 * among its targets at random and sends it an exit signal, keeping a log of what it killed.
 * The same seed and the same system history pick the same victims.
 */
import {
  type ActorSystem,
  invalidArgument,
  isPid,
  type Pid,
  type ProcessInfo,
  type Reason,
  type Ref,
  seededRandom,
} from '@starweave/actors';
import { checkReason, kill } from './kill.js';
import { resolveSeed } from './seed.js';
import { checkSystem } from './system-argument.js';

/**
 * The processes a chaos monkey may kill: a predicate over `processInfo` (one parameter), a
 * function of no parameters that returns pids, or a fixed list of pids.
 */
export type ChaosTargets =
  | ((info: ProcessInfo) => boolean)
  | (() => readonly Pid[])
  | readonly Pid[];

/** Options of {@link chaosMonkey}. */
export interface ChaosMonkeyOptions {
  /** Time between kills on the system clock, in milliseconds. */
  intervalMs: number;
  /** The processes to choose from; the system's root is never chosen. */
  targets: ChaosTargets;
  /** The seed of the choices. Default: the enclosing `withSeed`, else `STARWEAVE_SEED`, else 1. */
  seed?: number;
  /** The exit reason sent. Default `'kill'`. */
  reason?: Reason;
  /** Kills after which the monkey stops. Default: no limit. */
  maxKills?: number;
}

/** One kill in a chaos monkey's log. */
export interface ChaosKill {
  /** The system clock's time of the kill. */
  atMs: number;
  pid: Pid;
  /** The registered name of the process, if it had one. */
  name: string | undefined;
  reason: Reason;
}

/** A running chaos monkey. */
export interface ChaosMonkey {
  /** The seed of its choices, for replay. */
  readonly seed: number;
  /** The kills so far, oldest first. */
  readonly kills: readonly ChaosKill[];
  /** The ticks that found no live target. */
  readonly idleTicks: number;
  /** False once stopped, by `stop`, by `maxKills` or by the system's shutdown. */
  readonly running: boolean;
  /** Stops the monkey; the log stays readable. */
  stop(): void;
}

class Monkey implements ChaosMonkey {
  readonly kills: ChaosKill[] = [];
  idleTicks = 0;
  private timer: Ref | null = null;
  private stopped = false;
  private readonly random: () => number;

  constructor(
    private readonly system: ActorSystem,
    readonly seed: number,
    private readonly intervalMs: number,
    private readonly targets: ChaosTargets,
    private readonly reason: Reason,
    private readonly maxKills: number,
  ) {
    this.random = seededRandom(seed);
  }

  get running(): boolean {
    return !this.stopped && !this.system.isStopped;
  }

  start(): void {
    this.timer = this.system.trackTimer(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null && !this.system.isStopped) this.system.cancelTimer(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    if (!this.running) return;
    const candidates = this.candidates();
    if (candidates.length === 0) {
      this.idleTicks++;
    } else {
      const pid = candidates[Math.floor(this.random() * candidates.length)]!;
      const name = this.system.processInfo(pid)?.registeredName;
      kill(this.system, pid, this.reason);
      this.kills.push({ atMs: this.system.clock.now(), pid, name, reason: this.reason });
      this.system.logger.log('info', 'testing.chaos_kill', {
        pid,
        name,
        reason: this.reason,
        seed: this.seed,
      });
    }
    if (this.kills.length >= this.maxKills) {
      this.stop();
      return;
    }
    if (this.running) this.start();
  }

  // Live targets ordered by pid, so a choice depends on the seed and the system alone.
  private candidates(): Pid[] {
    const root = this.system.pid;
    let pids: readonly Pid[];
    if (Array.isArray(this.targets)) {
      pids = this.targets;
    } else if ((this.targets as (...args: unknown[]) => unknown).length === 0) {
      pids = (this.targets as () => readonly Pid[])();
      if (!Array.isArray(pids)) invalidArgument('targets()', 'an array of pids', pids);
    } else {
      const accepts = this.targets as (info: ProcessInfo) => boolean;
      pids = this.system.processes().filter((pid) => {
        const info = this.system.processInfo(pid);
        return info !== undefined && accepts(info);
      });
    }
    return pids
      .filter((pid) => isPid(pid) && !pid.equals(root) && this.system.isAlive(pid))
      .sort((a, b) => a.id - b.id);
  }
}

/**
 * Starts a chaos monkey on `system`: every `intervalMs` on the system clock it kills one live
 * target chosen with a seeded random source. On a test system's virtual clock the kills happen
 * as `advance` passes their times.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestSystem, chaosMonkey } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * const workers = [1, 2, 3].map(() => t.system.spawn({ handleMessage() {} }));
 * const monkey = chaosMonkey(t.system, { seed: 9, intervalMs: 100, targets: workers });
 * await t.advance(250);
 * assert.equal(monkey.kills.length, 2);
 * monkey.stop();
 * await t.shutdown();
 * ```
 */
export function chaosMonkey(system: ActorSystem, options: ChaosMonkeyOptions): ChaosMonkey {
  checkSystem(system);
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }

  const { intervalMs, targets } = options;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
    invalidArgument('intervalMs', 'a positive finite number of milliseconds', intervalMs);
  }
  if (!Array.isArray(targets) && typeof targets !== 'function') {
    invalidArgument(
      'targets',
      'a predicate (info) => boolean, a function () => pids, or an array of pids',
      targets,
    );
  }

  const reason = options.reason ?? 'kill';
  checkReason(reason);

  const maxKills = options.maxKills ?? Number.POSITIVE_INFINITY;
  if (
    typeof maxKills !== 'number' ||
    !(maxKills >= 1) ||
    !(Number.isInteger(maxKills) || maxKills === Number.POSITIVE_INFINITY)
  ) {
    invalidArgument('maxKills', 'a positive integer or Infinity', maxKills);
  }

  const monkey = new Monkey(
    system,
    resolveSeed(options.seed),
    intervalMs,
    targets,
    reason,
    maxKills,
  );
  monkey.start();
  return monkey;
}
