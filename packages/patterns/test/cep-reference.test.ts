/**
 * Property tests: the automaton and the brute-force reference agree on random patterns and
 * random event sequences, for every contiguity and every skip strategy.
 */

import {
  AfterMatchSkip,
  CepEngine,
  type Condition,
  type Contiguity,
  compilePattern,
  matchAll,
  Pattern,
  type SkipStrategy,
} from '@starweave/patterns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReferenceMatch, referenceMatches } from './reference.js';
import { type ReferenceTimeout, referenceTimeouts } from './reference-timeouts.js';

const SEED = 42;
const RUNS = 120;

type Ev = { kind: 'a' | 'b' | 'c' | 'd'; value: number; t: number };

interface StepPlan {
  kind: 'positive' | 'notNext' | 'notFollowedBy';
  condition: number;
  contiguity: Contiguity;
  quantifier: 'one' | 'times' | 'range' | 'oneOrMore' | 'timesOrMore';
  n: number;
  optional: boolean;
  greedy: boolean;
  inner: Contiguity;
  until: number | null;
  windowMs: number | null;
}

interface PatternPlan {
  steps: StepPlan[];
  windowMs: number | null;
  skip: number;
  skipStep: number;
}

/** Conditions by number; the iterative ones read the partial match. */
function conditionOf(index: number, ownName: string): Condition<Ev, any> {
  switch (index) {
    case 0:
      return (e: Ev) => e.kind === 'a';
    case 1:
      return (e: Ev) => e.kind === 'b';
    case 2:
      return (e: Ev) => e.kind === 'c';
    case 3:
      return (e: Ev) => e.kind === 'a' || e.kind === 'b';
    case 4:
      return (e: Ev) => e.value >= 2;
    case 5:
      return (e: Ev, context) => {
        const own = context.events(ownName) as Ev[];
        return e.kind !== 'd' && e.value >= (own[own.length - 1]?.value ?? 0);
      };
    default:
      return (e: Ev, context) => {
        const first = context.events('s0') as Ev[];
        return e.kind !== 'a' && e.value !== (first[0]?.value ?? -1);
      };
  }
}

const contiguity = fc.constantFrom<Contiguity>('strict', 'relaxed', 'any');

function stepPlan(forced: Contiguity | null): fc.Arbitrary<StepPlan> {
  return fc.record({
    kind: fc.constantFrom<StepPlan['kind']>(
      'positive',
      'positive',
      'positive',
      'notNext',
      'notFollowedBy',
    ),
    condition: fc.integer({ min: 0, max: 6 }),
    contiguity: forced === null ? contiguity : fc.constant(forced),
    quantifier: fc.constantFrom<StepPlan['quantifier']>(
      'one',
      'one',
      'times',
      'range',
      'oneOrMore',
      'timesOrMore',
    ),
    n: fc.integer({ min: 1, max: 3 }),
    optional: fc.boolean(),
    greedy: fc.boolean(),
    inner: forced === null ? contiguity : fc.constant(forced),
    until: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 3 }),
    windowMs: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 2 }),
  });
}

function patternPlan(forced: Contiguity | null, skip: number): fc.Arbitrary<PatternPlan> {
  return fc.record({
    steps: fc.array(stepPlan(forced), { minLength: 1, maxLength: 4 }),
    windowMs: fc.option(fc.integer({ min: 2, max: 9 }), { freq: 2 }),
    skip: fc.constant(skip),
    skipStep: fc.integer({ min: 0, max: 3 }),
  });
}

const events = fc
  .array(
    fc.record({
      kind: fc.constantFrom<Ev['kind']>('a', 'b', 'c', 'd'),
      value: fc.integer({ min: 0, max: 3 }),
      gap: fc.integer({ min: 0, max: 2 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((items) => {
    let t = 0;
    return items.map(({ kind, value, gap }) => {
      t += gap;
      return { kind, value, t } as Ev;
    });
  });

/** Builds the pattern a plan describes, or null when the builder or compiler rejects it. */
function build(plan: PatternPlan): Pattern<Ev, any> | null {
  const positives: string[] = [];
  try {
    let pattern: Pattern<Ev, any> | null = null;
    plan.steps.forEach((step, index) => {
      const name = `s${index}`;
      if (pattern === null) step = { ...step, kind: 'positive' };
      const condition = conditionOf(step.condition, name);
      if (step.kind !== 'positive') {
        const negative = conditionOf(step.condition % 3, name);
        pattern =
          step.kind === 'notNext'
            ? pattern!.notNext(name, negative)
            : pattern!.notFollowedBy(name, negative);
        if (step.kind === 'notFollowedBy' && step.windowMs !== null)
          pattern = pattern.within(step.windowMs, 'step');
        return;
      }
      positives.push(name);
      if (pattern === null) pattern = Pattern.begin<Ev>(name, condition);
      else if (step.contiguity === 'strict') pattern = pattern.next(name, condition);
      else if (step.contiguity === 'relaxed') pattern = pattern.followedBy(name, condition);
      else pattern = pattern.followedByAny(name, condition);

      if (step.quantifier === 'times') pattern = pattern.times(step.n);
      if (step.quantifier === 'range') pattern = pattern.times(step.n, step.n + 1);
      if (step.quantifier === 'oneOrMore') pattern = pattern.oneOrMore();
      if (step.quantifier === 'timesOrMore') pattern = pattern.timesOrMore(step.n);
      const looping = step.quantifier !== 'one' && !(step.quantifier === 'times' && step.n === 1);
      if (looping) {
        if (step.inner === 'strict') pattern = pattern.consecutive();
        if (step.inner === 'any') pattern = pattern.allowCombinations();
        if (step.until !== null) pattern = pattern.until(conditionOf(step.until, name));
        if (step.greedy) pattern = pattern.greedy();
      }
      if (step.optional) pattern = pattern.optional();
      if (step.windowMs !== null) pattern = pattern.within(step.windowMs, 'step');
    });
    let result = pattern! as Pattern<Ev, any>;
    if (plan.windowMs !== null) result = result.within(plan.windowMs);
    const skipStep = positives[plan.skipStep % positives.length]!;
    const strategies: SkipStrategy[] = [
      AfterMatchSkip.noSkip(),
      AfterMatchSkip.skipToNext(),
      AfterMatchSkip.skipPastLastEvent(),
      AfterMatchSkip.skipToFirst(skipStep),
      AfterMatchSkip.skipToLast(skipStep),
    ];
    result = result.skip(strategies[plan.skip]!);
    compilePattern(result);
    return result;
  } catch {
    return null;
  }
}

function automatonMatches(pattern: Pattern<Ev, any>, input: Ev[]): ReferenceMatch[] {
  const names = pattern.steps.filter((step) => step.kind === 'positive').map((step) => step.name);
  const { matches } = matchAll(pattern, input, { timestamp: (e) => e.t });
  return matches.map((match) => {
    const bound: { pos: number; step: number }[] = [];
    names.forEach((name, step) => {
      for (const event of (match.events as Record<string, Ev[]>)[name]!)
        bound.push({ pos: input.indexOf(event), step });
    });
    bound.sort((left, right) => left.pos - right.pos);
    return {
      positions: bound.map((item) => item.pos),
      steps: bound.map((item) => item.step),
      completedAt: match.completedAt,
    };
  });
}

function automatonTimeouts(pattern: Pattern<Ev, any>, input: Ev[]): ReferenceTimeout[] {
  const names = pattern.steps.filter((step) => step.kind === 'positive').map((step) => step.name);
  const { timeouts } = matchAll(pattern, input, { timestamp: (e) => e.t });
  return timeouts.map((timeout) => {
    const bound: { pos: number; step: number }[] = [];
    names.forEach((name, step) => {
      for (const event of (timeout.events as Record<string, Ev[]>)[name]!) {
        bound.push({ pos: input.indexOf(event), step });
      }
    });
    bound.sort((left, right) => left.pos - right.pos);
    return {
      positions: bound.map((item) => item.pos),
      steps: bound.map((item) => item.step),
      timedOutAt: timeout.timedOutAt,
    };
  });
}

const byText = (left: object, right: object) =>
  JSON.stringify(left) < JSON.stringify(right) ? -1 : 1;

const SKIPS = ['noSkip', 'skipToNext', 'skipPastLastEvent', 'skipToFirst', 'skipToLast'];

describe('CepEngine against the reference matcher', () => {
  for (const [skip, name] of SKIPS.entries()) {
    for (const forced of [null, 'strict', 'relaxed', 'any'] as const) {
      const label = forced === null ? 'mixed contiguity' : `${forced} contiguity`;
      it(`agrees with ${name} and ${label} (seed ${SEED})`, () => {
        fc.assert(
          fc.property(patternPlan(forced, skip), events, (plan, input) => {
            const pattern = build(plan);
            fc.pre(pattern !== null);
            const expected = referenceMatches(pattern!, input, (e) => e.t);
            const actual = automatonMatches(pattern!, input);
            if (skip === 0) {
              expect([...actual].sort(byText)).toEqual([...expected].sort(byText));
              const expectedTimeouts = referenceTimeouts(pattern!, input, (e) => e.t);
              const actualTimeouts = automatonTimeouts(pattern!, input);
              expect(actualTimeouts.sort(byText)).toEqual(expectedTimeouts.sort(byText));
            } else {
              expect(actual).toEqual(expected);
            }
          }),
          { seed: SEED, numRuns: RUNS },
        );
      });
    }
  }
});

describe('CepEngine with keys and out-of-order arrival', () => {
  type Keyed = Ev & { key: number };
  const keyedEvents = fc
    .array(
      fc.record({
        key: fc.integer({ min: 0, max: 2 }),
        kind: fc.constantFrom<Ev['kind']>('a', 'b', 'c', 'd'),
        value: fc.integer({ min: 0, max: 3 }),
        gap: fc.integer({ min: 0, max: 2 }),
        jitter: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 18 },
    )
    .map((items) => {
      let t = 0;
      return items.map(({ key, kind, value, gap, jitter }) => {
        t += gap;
        return { key, kind, value, t: Math.max(0, t - jitter) } as Keyed;
      });
    });

  it(`matches each key as the reference does on its sorted events (seed ${SEED})`, () => {
    fc.assert(
      fc.property(patternPlan(null, 0), keyedEvents, (plan, arrivals) => {
        const pattern = build(plan) as Pattern<Keyed, any> | null;
        fc.pre(pattern !== null);
        const names = pattern!.steps
          .filter((step) => step.kind === 'positive')
          .map((step) => step.name);
        const engine = new CepEngine(pattern!, {
          key: (e) => e.key,
          timestamp: (e) => e.t,
          maxOutOfOrdernessMs: 3,
        });
        engine.pushAll(arrivals);
        engine.close();
        const outputs = engine.drain();
        expect(outputs.filter((output) => output.type === 'late')).toEqual([]);

        // The processing order: by time, ties in arrival order.
        const ordered = [...arrivals].sort((left, right) => left.t - right.t);
        for (const key of [0, 1, 2]) {
          const input = ordered.filter((e) => e.key === key);
          const expected = referenceMatches(pattern!, input, (e) => e.t).map(
            (match) => match.positions,
          );
          const actual = outputs
            .filter((output) => output.type === 'match' && output.key === key)
            .map((output) =>
              names
                .flatMap((name) => (output as { events: Record<string, Keyed[]> }).events[name]!)
                .map((event) => input.indexOf(event))
                .sort((left, right) => left - right),
            );
          expect(actual.sort(byText)).toEqual(expected.sort(byText));
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
