/**
 * The automaton that runs a compiled pattern over the events of one key. A partial match (a
 * run) sits at the positive step its last event is bound to. It keeps a bit mask of the moves
 * still open to it. Bit 0 takes another event into its own (looping) step, bit i takes the
 * first event of step `step + i` (skipping optional steps), and END waits for a trailing
 * negative step to confirm the match. A move ends by its contiguity, by a negative step or when
 * its window closes, and the run ends with its last move.
 */
import { BufferContext, BufferNode, compareChains } from './buffer.js';
import {
  ANY,
  type CompiledPattern,
  type CompiledStep,
  type NegativeStep,
  STRICT,
} from './compile.js';

/** The move bit that waits for the trailing negative step of the pattern. */
export const END = 1 << 30;
/** The bits of the moves to later steps. */
const TARGETS = ~(1 | END);

/** A partial match. Fields are mutable so that the hot path allocates one object per take. */
export class Run {
  constructor(
    public node: BufferNode,
    public step: number,
    public count: number,
    public modes: number,
    /** True until the event right after the run's last take has been seen. */
    public fresh: boolean,
    public startSeq: number,
    public startTime: number,
    public lastTime: number,
    /** Time the step window of `step` counts from. */
    public anchorTime: number,
    /** Whether the events so far already form a complete match. */
    public complete: boolean,
  ) {}
}

/** A complete match waiting to be emitted (held back by a skip strategy, or sorted). */
export interface Completion {
  node: BufferNode;
  startSeq: number;
  startTime: number;
  completedAt: number;
  /** The sort key of the completing event: twice its position, plus one (absence: no plus one). */
  order: number;
}

/** The partial matches and held matches of one key. */
export class KeyState {
  runs: Run[] = [];
  spare: Run[] = [];
  held: Completion[] = [];
  /** Time of the earliest live timer entry of this key; Infinity when none. */
  scheduledAt = Number.POSITIVE_INFINITY;
  removed = false;

  /** Returns whether the key has no partial match and no held match. */
  isIdle(): boolean {
    return this.runs.length === 0 && this.held.length === 0;
  }

  constructor(
    readonly key: string | number,
    /**
     * Position of the event that last made this state active. It orders timers of equal time,
     * so a kept idle state and a new one fire in the same order.
     */
    public createdSeq: number,
  ) {}
}

/** The receiver of the matches and timeouts that the automaton finds. */
export interface AutomatonSink {
  match(state: KeyState, completion: Completion): void;
  timeout(state: KeyState, run: Run, at: number): void;
}

/** Counters the automaton updates. */
export interface AutomatonCounters {
  expired: number;
  droppedByCap: number;
  pruned: number;
  partialMatches: number;
}

/** The policy for a key at its partial match cap. */
export type OverflowPolicy = 'dropOldest' | 'rejectNew';

/** Runs a compiled pattern over the events of each key handed to it. */
export class Automaton {
  private readonly steps: readonly CompiledStep[];
  private readonly windowMs: number;
  private readonly hasStepWindows: boolean;
  private readonly context: BufferContext;
  private readonly completions: Completion[] = [];
  /** Runs created by the event being processed, kept apart so the cap can reject them first. */
  private readonly created: Run[] = [];
  private readonly skipKind: string;

  constructor(
    readonly pattern: CompiledPattern,
    private readonly sink: AutomatonSink,
    private readonly counters: AutomatonCounters,
    private readonly maxRuns: number,
    private readonly overflow: OverflowPolicy,
  ) {
    this.steps = pattern.steps;
    this.windowMs = pattern.windowMs;
    this.hasStepWindows = pattern.steps.some(
      (step) =>
        step.windowMs !== Number.POSITIVE_INFINITY ||
        step.notFollowedBy.some((negative) => negative.windowMs !== Number.POSITIVE_INFINITY),
    );
    this.context = new BufferContext(pattern.names);
    this.skipKind = pattern.skip.kind;
  }

  /** Feeds one event of the key to its partial matches and starts new ones. */
  process(state: KeyState, event: unknown, seq: number, time: number): void {
    const runs = state.runs;
    const next = state.spare;
    const steps = this.steps;
    const context = this.context;
    const before = runs.length;
    context.timestamp = time;
    // Setting an array's length is a runtime call in V8, so it is skipped when already empty.
    // The scratch arrays are cleared here too, in case a condition threw during the last event.
    if (next.length !== 0) next.length = 0;
    if (this.created.length !== 0) this.created.length = 0;
    if (this.completions.length !== 0) this.completions.length = 0;

    for (let index = 0; index < runs.length; index += 1) {
      const run = runs[index]!;
      const step = steps[run.step]!;
      context.node = run.node;
      let modes = run.modes;

      if (step.notFollowedBy.length !== 0) {
        let killRun = false;
        for (const negative of step.notFollowedBy) {
          if (!test(negative, event, context)) continue;
          // A later event of a looping step would put this event inside its absence window.
          if (time < run.lastTime + negative.windowMs) killRun = true;
          else modes &= ~1;
        }
        if (killRun) continue;
      }

      if (run.fresh && step.notNext.length !== 0) {
        let killRun = false;
        for (const negative of step.notNext) {
          if (test(negative, event, context)) killRun = true;
        }
        if (killRun) continue;
        if ((modes & END) !== 0) {
          this.complete(run.node, run.startSeq, run.startTime, time, 2 * seq + 1);
          modes &= ~END;
        }
      }

      let innerTook = false;
      if ((modes & 1) !== 0) {
        const deadline = Math.min(run.startTime + this.windowMs, run.anchorTime + step.windowMs);
        if (time >= deadline) {
          modes &= ~1;
        } else if (step.until !== null && testUntil(step, event, context)) {
          modes &= ~1;
        } else if (step.condition === null || testStep(step, event, context)) {
          this.take(run, run.step, run.count + 1, run.anchorTime, event, seq, time);
          innerTook = true;
          if (step.inner !== ANY) modes &= ~1;
        } else if (step.inner === STRICT) {
          modes &= ~1;
        }
      }

      if ((modes & TARGETS) !== 0) {
        if (innerTook && run.fresh && step.greedy) {
          // Greedy: a run that takes the next event into its loop does not leave the loop on it.
          modes &= ~TARGETS;
        } else {
          const last = step.targetsEnd - run.step;
          for (let offset = 1; offset <= last; offset += 1) {
            const bit = 1 << offset;
            if ((modes & bit) === 0) continue;
            const target = steps[run.step + offset]!;
            const deadline = Math.min(
              run.startTime + this.windowMs,
              run.lastTime + target.windowMs,
            );
            if (time >= deadline) {
              modes &= ~bit;
            } else if (target.condition === null || testStep(target, event, context)) {
              this.take(run, target.index, 1, run.lastTime, event, seq, time);
              if (target.outer !== ANY) modes &= ~bit;
            } else if (target.outer === STRICT) {
              modes &= ~bit;
            }
          }
        }
      }

      run.fresh = false;
      run.modes = modes;
      if (modes !== 0) next.push(run);
    }

    context.node = null;
    for (let index = 0; index <= this.pattern.startEnd; index += 1) {
      const step = steps[index]!;
      if (step.condition === null || testStep(step, event, context)) {
        this.take(null, index, 1, time, event, seq, time);
      }
    }

    const created = this.created;
    if (created.length !== 0) {
      for (let index = 0; index < created.length; index += 1) next.push(created[index]!);
      created.length = 0;
    }
    if (next.length > this.maxRuns) this.enforceCap(next);
    state.runs = next;
    state.spare = runs;
    if (runs.length !== 0) runs.length = 0;
    this.counters.partialMatches += next.length - before;
    this.flushCompletions(state);
  }

  /**
   * Closes the windows that end at or before `now`: completes absence matches, reports timed-out
   * partial matches and drops dead runs. `nextSeq` is the position of the next event.
   */
  expire(state: KeyState, now: number, nextSeq: number): void {
    // A window that never closes stays open even when the input ends (now is Infinity).
    const closes = (deadline: number) => deadline <= now && deadline !== Number.POSITIVE_INFINITY;
    const runs = state.runs;
    let kept = 0;
    for (let index = 0; index < runs.length; index += 1) {
      const run = runs[index]!;
      const modes = run.modes;
      let remaining = modes;
      let closedAt = Number.NEGATIVE_INFINITY;
      const patternDeadline = run.startTime + this.windowMs;

      if ((modes & END) !== 0) {
        const deadline =
          this.pattern.end === 'notFollowedBy' ? this.absenceDeadline(run) : patternDeadline;
        if (closes(deadline)) {
          remaining &= ~END;
          if (this.pattern.end === 'notFollowedBy') {
            this.complete(run.node, run.startSeq, run.startTime, deadline, 2 * nextSeq);
          } else {
            closedAt = Math.max(closedAt, deadline);
          }
        }
      }
      if ((modes & 1) !== 0) {
        const step = this.steps[run.step]!;
        const deadline = Math.min(patternDeadline, run.anchorTime + step.windowMs);
        if (closes(deadline)) {
          remaining &= ~1;
          closedAt = Math.max(closedAt, deadline);
        }
      }
      if ((modes & TARGETS) !== 0) {
        const last = this.steps[run.step]!.targetsEnd - run.step;
        for (let offset = 1; offset <= last; offset += 1) {
          const bit = 1 << offset;
          if ((modes & bit) === 0) continue;
          const target = this.steps[run.step + offset]!;
          const deadline = Math.min(patternDeadline, run.lastTime + target.windowMs);
          if (closes(deadline)) {
            remaining &= ~bit;
            closedAt = Math.max(closedAt, deadline);
          }
        }
      }

      run.modes = remaining;
      if (remaining !== 0) {
        runs[kept] = run;
        kept += 1;
        continue;
      }
      this.counters.expired += 1;
      if (!run.complete && closedAt !== Number.NEGATIVE_INFINITY)
        this.sink.timeout(state, run, closedAt);
    }
    this.counters.partialMatches -= runs.length - kept;
    runs.length = kept;
    this.flushCompletions(state);
  }

  /** Ends the input of a key: drops its partial matches and emits the matches it held back. */
  close(state: KeyState): void {
    this.counters.partialMatches -= state.runs.length;
    state.runs.length = 0;
    this.release(state);
  }

  /** Returns the earliest time at which a window of the key closes; Infinity when none. */
  deadline(state: KeyState): number {
    let earliest = Number.POSITIVE_INFINITY;
    const runs = state.runs;
    if (!this.hasStepWindows) {
      if (this.windowMs === Number.POSITIVE_INFINITY) return earliest;
      for (let index = 0; index < runs.length; index += 1) {
        const start = runs[index]!.startTime;
        if (start < earliest) earliest = start;
      }
      return earliest + this.windowMs;
    }
    for (let index = 0; index < runs.length; index += 1) {
      const deadline = this.runDeadline(runs[index]!);
      if (deadline < earliest) earliest = deadline;
    }
    return earliest;
  }

  /** Returns the earliest time at which one of the run's moves closes. */
  runDeadline(run: Run): number {
    const patternDeadline = run.startTime + this.windowMs;
    const modes = run.modes;
    let earliest = Number.POSITIVE_INFINITY;
    if ((modes & END) !== 0) {
      earliest = this.pattern.end === 'notFollowedBy' ? this.absenceDeadline(run) : patternDeadline;
    }
    if ((modes & 1) !== 0) {
      const step = this.steps[run.step]!;
      earliest = Math.min(earliest, patternDeadline, run.anchorTime + step.windowMs);
    }
    if ((modes & TARGETS) !== 0) {
      const last = this.steps[run.step]!.targetsEnd - run.step;
      for (let offset = 1; offset <= last; offset += 1) {
        if ((modes & (1 << offset)) === 0) continue;
        const target = this.steps[run.step + offset]!;
        earliest = Math.min(earliest, patternDeadline, run.lastTime + target.windowMs);
      }
    }
    return earliest;
  }

  /** Returns when the trailing absence window of a complete run closes. */
  private absenceDeadline(run: Run): number {
    const patternDeadline = run.startTime + this.windowMs;
    let deadline = Number.NEGATIVE_INFINITY;
    for (const negative of this.steps[run.step]!.notFollowedBy) {
      deadline = Math.max(deadline, Math.min(patternDeadline, run.lastTime + negative.windowMs));
    }
    return deadline;
  }

  private take(
    from: Run | null,
    stepIndex: number,
    count: number,
    anchorTime: number,
    event: unknown,
    seq: number,
    time: number,
  ): void {
    const step = this.steps[stepIndex]!;
    const node = new BufferNode(event, stepIndex, from === null ? null : from.node, seq, time);
    const startSeq = from === null ? seq : from.startSeq;
    const startTime = from === null ? time : from.startTime;

    let modes = 0;
    if (count < step.max) modes |= 1;
    if (count >= step.min) {
      for (let offset = 1; offset <= step.targetsEnd - stepIndex; offset += 1) modes |= 1 << offset;
    }
    const complete = count >= step.min && step.accepting;
    if (complete) {
      if (this.pattern.end === 'none') this.complete(node, startSeq, startTime, time, 2 * seq + 1);
      else modes |= END;
    }
    if (modes === 0) return;
    this.created.push(
      new Run(node, stepIndex, count, modes, true, startSeq, startTime, time, anchorTime, complete),
    );
  }

  private enforceCap(next: Run[]): void {
    const excess = next.length - this.maxRuns;
    this.counters.droppedByCap += excess;
    if (this.overflow === 'rejectNew') {
      // The runs created by the current event come after the surviving ones.
      next.length = this.maxRuns;
      return;
    }
    for (let removed = 0; removed < excess; removed += 1) {
      let oldest = 0;
      for (let index = 1; index < next.length; index += 1) {
        if (next[index]!.startSeq < next[oldest]!.startSeq) oldest = index;
      }
      next.splice(oldest, 1);
    }
  }

  private complete(
    node: BufferNode,
    startSeq: number,
    startTime: number,
    completedAt: number,
    order: number,
  ): void {
    this.completions.push({ node, startSeq, startTime, completedAt, order });
  }

  private flushCompletions(state: KeyState): void {
    const completions = this.completions;
    if (completions.length === 0) {
      if (state.held.length !== 0) this.release(state);
      return;
    }
    if (completions.length > 1) completions.sort(compareCompletions);
    if (this.skipKind === 'noSkip') {
      for (const completion of completions) this.sink.match(state, completion);
    } else {
      for (const completion of completions) insertSorted(state.held, completion);
      this.release(state);
    }
    completions.length = 0;
  }

  /**
   * Emits held matches in order of their first event, each once no partial match that started
   * earlier is alive (one could still complete and, by the skip strategy, discard it).
   */
  private release(state: KeyState): void {
    const held = state.held;
    while (held.length !== 0) {
      const completion = held[0]!;
      const runs = state.runs;
      let blocked = false;
      for (let index = 0; index < runs.length; index += 1) {
        if (runs[index]!.startSeq < completion.startSeq) {
          blocked = true;
          break;
        }
      }
      if (blocked) return;
      held.shift();
      this.sink.match(state, completion);

      const bound = this.pruneBound(completion);
      if (bound === Number.NEGATIVE_INFINITY) continue;
      const kept = runs.filter((run) => run.startSeq >= bound);
      this.counters.pruned += runs.length - kept.length;
      this.counters.partialMatches -= runs.length - kept.length;
      state.runs = kept;
      const keptHeld = held.filter((other) => other.startSeq >= bound);
      this.counters.pruned += held.length - keptHeld.length;
      state.held = keptHeld;
      this.release(state);
      return;
    }
  }

  /** Returns the position before which partial matches are discarded after `completion`. */
  private pruneBound(completion: Completion): number {
    switch (this.skipKind) {
      case 'skipToNext':
        return completion.startSeq + 1;
      case 'skipPastLastEvent':
        return completion.node.seq + 1;
      case 'skipToFirst':
      case 'skipToLast': {
        const step = this.pattern.skipStep;
        let first = -1;
        let last = -1;
        for (let node: BufferNode | null = completion.node; node !== null; node = node.prev) {
          if (node.step !== step) continue;
          if (last < 0) last = node.seq;
          first = node.seq;
        }
        if (first < 0) return Number.NEGATIVE_INFINITY;
        return this.skipKind === 'skipToFirst' ? first : last;
      }
      default:
        return Number.NEGATIVE_INFINITY;
    }
  }
}

function test(negative: NegativeStep, event: unknown, context: BufferContext): boolean {
  return negative.usesContext
    ? negative.condition(event, context)
    : (negative.condition as any)(event);
}

function testStep(step: CompiledStep, event: unknown, context: BufferContext): boolean {
  return step.usesContext ? step.condition!(event, context) : (step.condition as any)(event);
}

function testUntil(step: CompiledStep, event: unknown, context: BufferContext): boolean {
  return step.untilUsesContext ? step.until!(event, context) : (step.until as any)(event);
}

/** Orders completions by first event, then by completing event, then by their events. */
export function compareCompletions(left: Completion, right: Completion): number {
  if (left.startSeq !== right.startSeq) return left.startSeq - right.startSeq;
  if (left.order !== right.order) return left.order - right.order;
  return compareChains(left.node, right.node);
}

function insertSorted(held: Completion[], completion: Completion): void {
  let index = held.length;
  while (index > 0 && compareCompletions(held[index - 1]!, completion) > 0) index -= 1;
  held.splice(index, 0, completion);
}
