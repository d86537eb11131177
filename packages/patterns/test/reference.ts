/**
 * A brute-force reference matcher for the CEP tests. It enumerates every subsequence of the
 * events with every way of binding it to the pattern's positive steps, keeps the bindings that
 * satisfy the definition of a match (read straight from the builder's step list, never from
 * the automaton), orders them and applies the skip strategy. It is exponential and meant for
 * inputs of about ten events.
 */
import type { MatchContext, Pattern, StepSpec } from '@starweave/patterns';

/** One match found by the reference: positions of its events and the step of each. */
export interface ReferenceMatch {
  positions: number[];
  steps: number[];
  completedAt: number;
}

interface Bound {
  pos: number;
  step: number;
}

interface Positive {
  spec: StepSpec;
  notNext: StepSpec[];
  notFollowedBy: StepSpec[];
}

/** Runs `pattern` over `events` (already in processing order) and returns the emitted matches. */
export function referenceMatches<E>(
  pattern: Pattern<E, any>,
  events: readonly E[],
  timeOf: (event: E) => number,
): ReferenceMatch[] {
  const positives: Positive[] = [];
  for (const spec of pattern.steps) {
    if (spec.kind === 'positive') positives.push({ spec, notNext: [], notFollowedBy: [] });
    else if (spec.kind === 'notNext') positives[positives.length - 1]!.notNext.push(spec);
    else positives[positives.length - 1]!.notFollowedBy.push(spec);
  }
  const windowMs = pattern.windowMs ?? Number.POSITIVE_INFINITY;
  const times = events.map(timeOf);
  const found: { bound: Bound[]; order: number; completedAt: number }[] = [];

  const candidates: Bound[][] = [];
  const extend = (bound: Bound[], counts: number[]): void => {
    if (bound.length > 0) candidates.push([...bound]);
    const lastPos = bound.length === 0 ? -1 : bound[bound.length - 1]!.pos;
    const lastStep = bound.length === 0 ? 0 : bound[bound.length - 1]!.step;
    for (let pos = lastPos + 1; pos < events.length; pos += 1) {
      for (let step = lastStep; step < positives.length; step += 1) {
        if (counts[step]! >= positives[step]!.spec.max) continue;
        bound.push({ pos, step });
        counts[step]! += 1;
        extend(bound, counts);
        counts[step]! -= 1;
        bound.pop();
      }
    }
  };
  extend(
    [],
    positives.map(() => 0),
  );

  for (const bound of candidates) {
    const verdict = check(bound);
    if (verdict !== null) found.push({ bound, ...verdict });
  }

  found.sort((left, right) => {
    const startDifference = left.bound[0]!.pos - right.bound[0]!.pos;
    if (startDifference !== 0) return startDifference;
    if (left.order !== right.order) return left.order - right.order;
    return compareBindings(left.bound, right.bound);
  });

  const skip = pattern.skipStrategy;
  const emitted: ReferenceMatch[] = [];
  let pruneBelow = Number.NEGATIVE_INFINITY;
  // Matches are visited by first event, so one running bound is enough: later matches that
  // start before it are the partial matches the emitted ones discarded.
  const pruned = new Set<number>();
  found.forEach((match, index) => {
    if (pruned.has(index)) return;
    emitted.push({
      positions: match.bound.map((item) => item.pos),
      steps: match.bound.map((item) => item.step),
      completedAt: match.completedAt,
    });
    let bound = Number.NEGATIVE_INFINITY;
    const start = match.bound[0]!.pos;
    const last = match.bound[match.bound.length - 1]!.pos;
    if (skip.kind === 'skipToNext') bound = start + 1;
    if (skip.kind === 'skipPastLastEvent') bound = last + 1;
    if (skip.kind === 'skipToFirst' || skip.kind === 'skipToLast') {
      const stepIndex = positives.findIndex((positive) => positive.spec.name === skip.step);
      const ofStep = match.bound.filter((item) => item.step === stepIndex).map((item) => item.pos);
      if (ofStep.length > 0)
        bound = skip.kind === 'skipToFirst' ? ofStep[0]! : ofStep[ofStep.length - 1]!;
    }
    pruneBelow = bound;
    for (let later = index + 1; later < found.length; later += 1) {
      if (found[later]!.bound[0]!.pos < pruneBelow) pruned.add(later);
    }
  });
  return emitted;

  function contextOf(bound: Bound[], beforePos: number, time: number): MatchContext<any> {
    return {
      timestamp: time,
      events(name: string) {
        const step = positives.findIndex((positive) => positive.spec.name === name);
        return bound
          .filter((item) => item.pos < beforePos && item.step === step)
          .map((item) => events[item.pos]);
      },
    };
  }

  function accepts(spec: StepSpec, pos: number, bound: Bound[], before: number): boolean {
    if (spec.condition === null) return true;
    return spec.condition(events[pos], contextOf(bound, before, times[pos]!));
  }

  function untilHolds(spec: StepSpec, pos: number, bound: Bound[]): boolean {
    return spec.until?.(events[pos], contextOf(bound, pos, times[pos]!)) === true;
  }

  /** Returns the completion of a valid match, or null when `bound` is not a match. */
  function check(bound: Bound[]): { order: number; completedAt: number } | null {
    const counts = positives.map(() => 0);
    for (const item of bound) counts[item.step]! += 1;
    for (let step = 0; step < positives.length; step += 1) {
      const spec = positives[step]!.spec;
      const count = counts[step]!;
      if (count === 0 ? !spec.optional : count < spec.min || count > spec.max) return null;
    }

    const first = bound[0]!;
    const last = bound[bound.length - 1]!;
    const startTime = times[first.pos]!;
    if (!(times[last.pos]! < startTime + windowMs)) return null;

    const firstOf = (step: number) => bound.findIndex((item) => item.step === step);
    const lastOf = (step: number) => bound.findLastIndex((item) => item.step === step);
    const anchorOf = (step: number) => {
      const index = firstOf(step);
      return index > 0 ? times[bound[index - 1]!.pos]! : times[bound[index]!.pos]!;
    };

    for (let index = 0; index < bound.length; index += 1) {
      const item = bound[index]!;
      const spec = positives[item.step]!.spec;
      // Every bound event satisfies its step's condition, given the events bound before it.
      if (!accepts(spec, item.pos, bound, item.pos)) return null;
      // Step window: less than windowMs after the previous step's last event.
      if (spec.windowMs !== null && !(times[item.pos]! < anchorOf(item.step) + spec.windowMs))
        return null;
      if (index === 0) continue;

      const previous = bound[index - 1]!;
      const contiguity = previous.step === item.step ? spec.inner : spec.contiguity;
      if (contiguity === 'strict' && item.pos !== previous.pos + 1) return null;
      if (contiguity === 'relaxed') {
        for (let gap = previous.pos + 1; gap < item.pos; gap += 1) {
          if (accepts(spec, gap, bound, gap)) return null;
        }
      }

      // Greedy: leaving a loop on the event right after its last one needs that event to be one
      // the loop could not take.
      const previousSpec = positives[previous.step]!.spec;
      if (
        previous.step !== item.step &&
        previousSpec.greedy &&
        counts[previous.step]! < previousSpec.max
      ) {
        const next = previous.pos + 1;
        const innerDeadline =
          previousSpec.windowMs === null
            ? Number.POSITIVE_INFINITY
            : anchorOf(previous.step) + previousSpec.windowMs;
        const takeable =
          accepts(previousSpec, next, bound, next) &&
          !untilHolds(previousSpec, next, bound) &&
          times[next]! < innerDeadline &&
          times[next]! < startTime + windowMs &&
          !positives[previous.step]!.notFollowedBy.some((negative) =>
            negative.condition!(events[next], contextOf(bound, next, times[next]!)),
          );
        if (takeable) return null;
      }
    }

    for (let step = 0; step < positives.length; step += 1) {
      const { spec, notNext, notFollowedBy } = positives[step]!;
      if (counts[step] === 0) continue;
      const firstPos = bound[firstOf(step)]!.pos;
      const lastIndex = lastOf(step);
      const lastPos = bound[lastIndex]!.pos;

      if (spec.until !== null) {
        for (let pos = firstPos + 1; pos <= lastPos; pos += 1) {
          if (untilHolds(spec, pos, bound)) return null;
        }
      }

      const nextFirst = lastIndex + 1 < bound.length ? bound[lastIndex + 1]!.pos : null;
      for (const negative of notFollowedBy) {
        const stepDeadline = times[lastPos]! + (negative.windowMs ?? Number.POSITIVE_INFINITY);
        const deadline =
          nextFirst === null ? Math.min(stepDeadline, startTime + windowMs) : stepDeadline;
        const end = nextFirst === null ? events.length - 1 : nextFirst;
        for (let pos = firstPos + 1; pos <= end; pos += 1) {
          if (
            times[pos]! < deadline &&
            negative.condition!(events[pos], contextOf(bound, pos, times[pos]!))
          ) {
            return null;
          }
        }
      }
      for (const negative of notNext) {
        for (const item of bound) {
          if (item.step !== step) continue;
          const next = item.pos + 1;
          if (next >= events.length) {
            if (nextFirst === null) return null;
            continue;
          }
          if (negative.condition!(events[next], contextOf(bound, next, times[next]!))) return null;
        }
      }
    }

    const lastPositive = positives[positives.length - 1]!;
    if (lastPositive.notFollowedBy.length > 0) {
      let completedAt = Number.NEGATIVE_INFINITY;
      for (const negative of lastPositive.notFollowedBy) {
        const stepDeadline = times[last.pos]! + (negative.windowMs ?? Number.POSITIVE_INFINITY);
        completedAt = Math.max(completedAt, Math.min(stepDeadline, startTime + windowMs));
      }
      let next = times.findIndex((time) => time >= completedAt);
      if (next < 0) next = events.length;
      return { order: 2 * next, completedAt };
    }
    if (lastPositive.notNext.length > 0) {
      const next = last.pos + 1;
      if (!(times[next]! < startTime + windowMs)) return null;
      return { order: 2 * next + 1, completedAt: times[next]! };
    }
    return { order: 2 * last.pos + 1, completedAt: times[last.pos]! };
  }
}

function compareBindings(left: Bound[], right: Bound[]): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = left[index]!.pos - right[index]!.pos;
    if (difference !== 0) return difference;
  }
  if (left.length !== right.length) return left.length - right.length;
  for (let index = 0; index < length; index += 1) {
    const difference = left[index]!.step - right[index]!.step;
    if (difference !== 0) return difference;
  }
  return 0;
}
