/**
 * A reference for timed-out partial matches (without a skip strategy). It follows each partial
 * match on its own through the rest of the input: the moves open to it, what each later event
 * does to them, and when their windows close. A partial match is timed out when its last open
 * move closes with its window and its events are not already a complete match. It shares no
 * code with the automaton.
 */
import type { MatchContext, Pattern, StepSpec } from '@starweave/patterns';

/** One timed-out partial match: positions and steps of its events, and when it timed out. */
export interface ReferenceTimeout {
  positions: number[];
  steps: number[];
  timedOutAt: number;
}

interface Positive {
  spec: StepSpec;
  notNext: StepSpec[];
  notFollowedBy: StepSpec[];
}

interface Move {
  /** `inner` takes another event into the current step, `enter` the first of `step`. */
  kind: 'inner' | 'enter' | 'end';
  step: number;
  deadline: number;
}

interface Partial {
  positions: number[];
  steps: number[];
  startTime: number;
  /** Time the current step's window counts from. */
  anchor: number;
}

const INFINITY = Number.POSITIVE_INFINITY;

/** Returns every partial match of `pattern` over `events` that times out. */
export function referenceTimeouts<E>(
  pattern: Pattern<E, any>,
  events: readonly E[],
  timeOf: (event: E) => number,
): ReferenceTimeout[] {
  const positives: Positive[] = [];
  for (const spec of pattern.steps) {
    if (spec.kind === 'positive') positives.push({ spec, notNext: [], notFollowedBy: [] });
    else if (spec.kind === 'notNext') positives[positives.length - 1]!.notNext.push(spec);
    else positives[positives.length - 1]!.notFollowedBy.push(spec);
  }
  const windowMs = pattern.windowMs ?? INFINITY;
  const times = events.map(timeOf);
  const last = positives[positives.length - 1]!;
  let endKind: 'absence' | 'next' | 'none' = 'none';
  if (last.notFollowedBy.length > 0) endKind = 'absence';
  else if (last.notNext.length > 0) endKind = 'next';
  const found: ReferenceTimeout[] = [];

  const stepWindow = (step: number) => positives[step]!.spec.windowMs ?? INFINITY;
  const laterOptional = (step: number) => positives.slice(step + 1).every((p) => p.spec.optional);

  const contextOf = (partial: Partial, time: number): MatchContext<any> => ({
    timestamp: time,
    events(name: string) {
      const step = positives.findIndex((p) => p.spec.name === name);
      return partial.positions
        .filter((_, i) => partial.steps[i] === step)
        .map((pos) => events[pos]);
    },
  });
  const holds = (condition: StepSpec['condition'], pos: number, partial: Partial) =>
    condition === null || condition(events[pos], contextOf(partial, times[pos]!));

  /** Returns the steps a partial match at `step` can enter next, skipping optional ones. */
  const entries = (step: number): number[] => {
    const result: number[] = [];
    for (let next = step + 1; next < positives.length; next += 1) {
      result.push(next);
      if (!positives[next]!.spec.optional) break;
    }
    return result;
  };

  const follow = (partial: Partial): void => {
    const lastIndex = partial.positions.length - 1;
    const step = partial.steps[lastIndex]!;
    const count = partial.steps.filter((s) => s === step).length;
    const spec = positives[step]!.spec;
    const lastTime = times[partial.positions[lastIndex]!]!;
    const patternDeadline = partial.startTime + windowMs;
    const complete = count >= spec.min && laterOptional(step);

    let moves: Move[] = [];
    if (count < spec.max) {
      moves.push({
        kind: 'inner',
        step,
        deadline: Math.min(patternDeadline, partial.anchor + stepWindow(step)),
      });
    }
    if (count >= spec.min) {
      for (const next of entries(step)) {
        moves.push({
          kind: 'enter',
          step: next,
          deadline: Math.min(patternDeadline, lastTime + stepWindow(next)),
        });
      }
    }
    if (complete && endKind === 'absence') {
      let deadline = Number.NEGATIVE_INFINITY;
      for (const negative of last.notFollowedBy) {
        deadline = Math.max(
          deadline,
          Math.min(patternDeadline, lastTime + (negative.windowMs ?? INFINITY)),
        );
      }
      moves.push({ kind: 'end', step, deadline });
    }
    if (complete && endKind === 'next')
      moves.push({ kind: 'end', step, deadline: patternDeadline });

    const children: Partial[] = [];
    const take = (pos: number, takenStep: number, anchor: number) =>
      children.push({
        positions: [...partial.positions, pos],
        steps: [...partial.steps, takenStep],
        startTime: partial.startTime,
        anchor,
      });

    let outcome: 'open' | 'ended' | number = 'open';
    for (
      let pos = partial.positions[lastIndex]! + 1;
      pos < events.length && outcome === 'open';
      pos += 1
    ) {
      const time = times[pos]!;
      const closing = moves.filter((move) => move.deadline <= time);
      moves = moves.filter((move) => move.deadline > time);
      if (moves.length === 0 && closing.length > 0) {
        outcome = Math.max(...closing.map((move) => move.deadline));
        break;
      }

      let ended = false;
      for (const negative of positives[step]!.notFollowedBy) {
        if (!holds(negative.condition, pos, partial)) continue;
        if (time < lastTime + (negative.windowMs ?? INFINITY)) ended = true;
        else moves = moves.filter((move) => move.kind !== 'inner');
      }
      const first = pos === partial.positions[lastIndex]! + 1;
      if (
        first &&
        positives[step]!.notNext.some((negative) => holds(negative.condition, pos, partial))
      )
        ended = true;
      if (ended) {
        outcome = 'ended';
        break;
      }
      if (first) moves = moves.filter((move) => !(move.kind === 'end' && endKind === 'next'));

      const kept: Move[] = [];
      let innerTook = false;
      for (const move of moves) {
        if (move.kind !== 'inner') continue;
        if (spec.until !== null && holds(spec.until, pos, partial)) continue;
        if (holds(spec.condition, pos, partial)) {
          take(pos, step, partial.anchor);
          innerTook = true;
          if (spec.inner === 'any') kept.push(move);
        } else if (spec.inner !== 'strict') {
          kept.push(move);
        }
      }
      const greedyStop = first && innerTook && spec.greedy;
      for (const move of moves) {
        if (move.kind === 'end') kept.push(move);
        if (move.kind !== 'enter' || greedyStop) continue;
        const target = positives[move.step]!.spec;
        if (holds(target.condition, pos, partial)) {
          take(pos, move.step, lastTime);
          if (target.contiguity === 'any') kept.push(move);
        } else if (target.contiguity !== 'strict') {
          kept.push(move);
        }
      }
      moves = kept;
      if (moves.length === 0) outcome = 'ended';
    }

    if (
      outcome === 'open' &&
      moves.length > 0 &&
      moves.every((move) => move.deadline !== INFINITY)
    ) {
      outcome = Math.max(...moves.map((move) => move.deadline));
    }
    if (typeof outcome === 'number' && !complete) {
      found.push({ positions: partial.positions, steps: partial.steps, timedOutAt: outcome });
    }
    for (const child of children) follow(child);
  };

  for (let pos = 0; pos < events.length; pos += 1) {
    for (let step = 0; step < positives.length; step += 1) {
      const empty: Partial = {
        positions: [],
        steps: [],
        startTime: times[pos]!,
        anchor: times[pos]!,
      };
      if (holds(positives[step]!.spec.condition, pos, empty)) {
        follow({ positions: [pos], steps: [step], startTime: times[pos]!, anchor: times[pos]! });
      }
      if (!positives[step]!.spec.optional) break;
    }
  }
  return found;
}
