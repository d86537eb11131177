/**
 * The typed pattern builder. A pattern is a sequence of steps: positive steps bind events under
 * their name, negative steps (`notNext`, `notFollowedBy`) forbid events. Quantifiers, `where`,
 * `or`, `until` and `within` act on the step added last. Every method returns a new pattern, so
 * a pattern can be shared and extended.
 */
import { invalidArgument, StarweaveError } from '@starweave/actors';
import { checkFunction, checkInteger, checkOneOf, checkPositive } from '../internal/check.js';
import type { Condition, Contiguity, SkipStrategy } from './types.js';

/** A condition, or a type guard that narrows the events bound to the step. */
export type StepCondition<E, B, S extends E> =
  | ((event: E, context: import('./types.js').MatchContext<B>) => event is S)
  | Condition<E, B>;

/** The bindings of a pattern before its first step: none. */
export type NoBindings = Record<never, never>;

/** Adds the step `N`, binding events of type `S`, to the bindings `B`. */
export type Bind<B, N extends string, S> = B & { [K in N]: S };

/** The kind of a step: a positive step binds events, a negative step forbids them. */
export type StepKind = 'positive' | 'notNext' | 'notFollowedBy';

/** The plain description of one step, as the builder records it. */
export interface StepSpec {
  readonly kind: StepKind;
  readonly name: string;
  /** The step's condition; null accepts every event. */
  readonly condition: Condition<any, any> | null;
  /** Whether the condition reads the partial match (declares a second parameter). */
  readonly usesContext: boolean;
  /** The contiguity between the step's first event and the event before it. */
  readonly contiguity: Contiguity;
  /** The contiguity between the events of a looping step. */
  readonly inner: Contiguity;
  readonly min: number;
  readonly max: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  /** Whether a quantifier (`times`, `oneOrMore`, ...) was applied. */
  readonly quantified: boolean;
  readonly until: Condition<any, any> | null;
  readonly untilUsesContext: boolean;
  /** The step window in milliseconds, or null. */
  readonly windowMs: number | null;
}

const NAME_PATTERN = /^[^:]+$/;

function usesContext(condition: Condition<any, any>): boolean {
  return condition.length >= 2;
}

function andConditions(
  left: Condition<any, any> | null,
  right: Condition<any, any>,
): Condition<any, any> {
  if (left === null) return right;
  if (!usesContext(left) && !usesContext(right))
    return (event: unknown) => (left as any)(event) && (right as any)(event);
  return (event, context) => left(event, context) && right(event, context);
}

function orConditions(
  left: Condition<any, any> | null,
  right: Condition<any, any>,
): Condition<any, any> | null {
  // A step without a condition already accepts every event.
  if (left === null) return null;
  if (!usesContext(left) && !usesContext(right))
    return (event: unknown) => (left as any)(event) || (right as any)(event);
  return (event, context) => left(event, context) || right(event, context);
}

function newStep(
  kind: StepKind,
  name: string,
  condition: Condition<any, any> | undefined,
  contiguity: Contiguity,
): StepSpec {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    invalidArgument('step name', 'a non-empty string without ":"', name);
  }
  if (condition !== undefined) checkFunction('condition', condition);
  return {
    kind,
    name,
    condition: condition ?? null,
    usesContext: condition === undefined ? false : usesContext(condition),
    contiguity,
    inner: 'relaxed',
    min: 1,
    max: 1,
    optional: false,
    greedy: false,
    quantified: false,
    until: null,
    untilUsesContext: false,
    windowMs: null,
  };
}

/**
 * A pattern over events of type `E`; `B` maps each positive step's name to the type of the
 * events it binds.
 *
 * @example
 * ```ts
 * import { Pattern, matchAll } from '@starweave/patterns';
 *
 * type Reading = { sensor: string; at: number; celsius: number };
 * const rising = Pattern.begin('low', (r: Reading) => r.celsius < 20)
 *   .next('high', (r) => r.celsius > 30)
 *   .within(60_000);
 * const { matches } = matchAll(rising, [
 *   { sensor: 's1', at: 0, celsius: 18 },
 *   { sensor: 's1', at: 1_000, celsius: 35 },
 * ], { key: (r) => r.sensor, timestamp: (r) => r.at });
 * console.assert(matches[0]?.events.high[0]?.celsius === 35);
 * ```
 */
export class Pattern<E, B extends object = NoBindings> {
  /** The steps in order. */
  readonly steps: readonly StepSpec[];
  /** The window of the whole pattern in milliseconds, or null. */
  readonly windowMs: number | null;
  /** The after-match skip strategy. */
  readonly skipStrategy: SkipStrategy;

  private constructor(
    steps: readonly StepSpec[],
    windowMs: number | null,
    skipStrategy: SkipStrategy,
  ) {
    this.steps = steps;
    this.windowMs = windowMs;
    this.skipStrategy = skipStrategy;
  }

  /**
   * Starts a pattern with the positive step `name`. Give `E` explicitly or let TypeScript infer
   * it from the condition's parameter; the latter also keeps the step names in the types.
   */
  static begin<E, N extends string = string, S extends E = E>(
    name: N,
    condition?: StepCondition<E, Bind<NoBindings, N, S>, S>,
  ): Pattern<E, Bind<NoBindings, N, S>> {
    return new Pattern<E, Bind<NoBindings, N, S>>(
      [newStep('positive', name, condition, 'relaxed')],
      null,
      {
        kind: 'noSkip',
      },
    );
  }

  /** Appends a step whose first event must directly follow the previous matched event. */
  next<N extends string, S extends E = E>(
    name: N,
    condition?: StepCondition<E, Bind<B, N, S>, S>,
  ): Pattern<E, Bind<B, N, S>> {
    return this.append(newStep('positive', name, condition, 'strict'));
  }

  /** Appends a step that skips events it does not accept and takes the first it does. */
  followedBy<N extends string, S extends E = E>(
    name: N,
    condition?: StepCondition<E, Bind<B, N, S>, S>,
  ): Pattern<E, Bind<B, N, S>> {
    return this.append(newStep('positive', name, condition, 'relaxed'));
  }

  /** Appends a step that branches on every event it accepts (non-deterministic relaxed). */
  followedByAny<N extends string, S extends E = E>(
    name: N,
    condition?: StepCondition<E, Bind<B, N, S>, S>,
  ): Pattern<E, Bind<B, N, S>> {
    return this.append(newStep('positive', name, condition, 'any'));
  }

  /**
   * Appends a negative step: the event right after each event of the previous step must not
   * satisfy `condition`. At the end of a pattern, the match completes with the next event.
   */
  notNext(name: string, condition: Condition<E, B>): Pattern<E, B> {
    return this.append(newStep('notNext', name, checkFunction('condition', condition), 'strict'));
  }

  /**
   * Appends a negative step: no event after the previous step's first event and up to the next
   * matched event may satisfy `condition`. At the end of a pattern it needs a window (of the
   * pattern, or of this step through `within(ms, 'step')`), and the match completes when the
   * window closes without such an event.
   */
  notFollowedBy(name: string, condition: Condition<E, B>): Pattern<E, B> {
    return this.append(
      newStep('notFollowedBy', name, checkFunction('condition', condition), 'relaxed'),
    );
  }

  /** Narrows the last step's condition: an event must also satisfy `condition`. */
  where(condition: Condition<E, B>): Pattern<E, B> {
    checkFunction('condition', condition);
    return this.updateLast('where', (step) => {
      const combined = andConditions(step.condition, condition);
      return { ...step, condition: combined, usesContext: usesContext(combined) };
    });
  }

  /** Widens the last step's condition: an event may satisfy `condition` instead. */
  or(condition: Condition<E, B>): Pattern<E, B> {
    checkFunction('condition', condition);
    return this.updateLast('or', (step) => {
      const combined = orConditions(step.condition, condition);
      return {
        ...step,
        condition: combined,
        usesContext: combined === null ? false : usesContext(combined),
      };
    });
  }

  /** Makes the last step take exactly `count` events, or between `min` and `max`. */
  times(count: number, max?: number): Pattern<E, B> {
    checkInteger('count', count, 1);
    const upper = max === undefined ? count : checkInteger('max', max, count);
    return this.quantify('times', count, upper);
  }

  /** Makes the last step take `min` or more events. */
  timesOrMore(min: number): Pattern<E, B> {
    checkInteger('min', min, 1);
    return this.quantify('timesOrMore', min, Number.POSITIVE_INFINITY);
  }

  /** Makes the last step take one or more events. */
  oneOrMore(): Pattern<E, B> {
    return this.quantify('oneOrMore', 1, Number.POSITIVE_INFINITY);
  }

  /** Makes the last step optional: it may bind no event at all. */
  optional(): Pattern<E, B> {
    return this.updateLast('optional', (step) => {
      this.requirePositive('optional', step);
      return { ...step, optional: true };
    });
  }

  /**
   * Makes the last (looping) step greedy: while it can take the next event, the partial match
   * does not leave it on that event. Not allowed on the last positive step.
   */
  greedy(): Pattern<E, B> {
    return this.updateLast('greedy', (step) => {
      this.requireLooping('greedy', step);
      return { ...step, greedy: true };
    });
  }

  /** Requires the events of the last (looping) step to be strictly contiguous. */
  consecutive(): Pattern<E, B> {
    return this.updateLast('consecutive', (step) => {
      this.requireLooping('consecutive', step);
      return { ...step, inner: 'strict' };
    });
  }

  /** Lets the last (looping) step branch on every event it accepts (non-deterministic). */
  allowCombinations(): Pattern<E, B> {
    return this.updateLast('allowCombinations', (step) => {
      this.requireLooping('allowCombinations', step);
      return { ...step, inner: 'any' };
    });
  }

  /**
   * Gives the last (looping) step a stop condition: once an event after the step's first one
   * satisfies `condition`, the step takes no more events. That event is not taken by the loop.
   */
  until(condition: Condition<E, B>): Pattern<E, B> {
    checkFunction('condition', condition);
    return this.updateLast('until', (step) => {
      this.requireLooping('until', step);
      return { ...step, until: condition, untilUsesContext: usesContext(condition) };
    });
  }

  /**
   * Bounds time. With scope `'pattern'` (the default, as in FlinkCEP), the last event of a match
   * must be less than `ms` after its first. With scope `'step'`, each event of the last step
   * must be less than `ms` after the previous step's last event (after the step's own first
   * event for the first step). On a `notFollowedBy` step it is the length of the absence window.
   */
  within(ms: number, scope: 'pattern' | 'step' = 'pattern'): Pattern<E, B> {
    checkPositive('ms', ms);
    checkOneOf('scope', scope, ['pattern', 'step']);
    if (scope === 'pattern') {
      const windowMs = this.windowMs === null ? ms : Math.min(this.windowMs, ms);
      return new Pattern<E, B>(this.steps, windowMs, this.skipStrategy);
    }
    return this.updateLast('within', (step) => {
      if (step.kind === 'notNext') {
        throw new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `invalid within on step "${step.name}": a notNext step checks one event and takes no window. Use notFollowedBy(...).within(ms, 'step') for an absence window.`,
        );
      }
      return { ...step, windowMs: ms };
    });
  }

  /** Sets the after-match skip strategy (see `AfterMatchSkip`); the default is `noSkip`. */
  skip(strategy: SkipStrategy): Pattern<E, B> {
    const kinds = [
      'noSkip',
      'skipToNext',
      'skipPastLastEvent',
      'skipToFirst',
      'skipToLast',
    ] as const;
    checkOneOf('strategy.kind', (strategy as SkipStrategy | undefined)?.kind, kinds);
    return new Pattern<E, B>(this.steps, this.windowMs, strategy);
  }

  private append<B2 extends object>(step: StepSpec): Pattern<E, B2> {
    if (this.steps.some((existing) => existing.name === step.name)) {
      invalidArgument('step name', 'a name not used by another step of the pattern', step.name);
    }
    return new Pattern<E, B2>([...this.steps, step], this.windowMs, this.skipStrategy);
  }

  private updateLast(method: string, update: (step: StepSpec) => StepSpec): Pattern<E, B> {
    const last = this.steps[this.steps.length - 1]!;
    if (method !== 'where' && method !== 'or' && method !== 'within' && last.kind !== 'positive') {
      this.requirePositive(method, last);
    }
    const steps = [...this.steps.slice(0, -1), update(last)];
    return new Pattern<E, B>(steps, this.windowMs, this.skipStrategy);
  }

  private quantify(method: string, min: number, max: number): Pattern<E, B> {
    return this.updateLast(method, (step) => {
      this.requirePositive(method, step);
      if (step.quantified) {
        throw new StarweaveError(
          'ERR_INVALID_ARGUMENT',
          `invalid ${method} on step "${step.name}": the step already has a quantifier. Apply one of times, timesOrMore or oneOrMore per step.`,
        );
      }
      return { ...step, min, max, quantified: true };
    });
  }

  private requirePositive(method: string, step: StepSpec): void {
    if (step.kind !== 'positive') {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid ${method} on step "${step.name}": ${step.kind} steps take no quantifier. Apply it to a positive step.`,
      );
    }
  }

  private requireLooping(method: string, step: StepSpec): void {
    this.requirePositive(method, step);
    if (step.max <= 1) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid ${method} on step "${step.name}": it applies to a looping step. Call times(n, m), timesOrMore(n) or oneOrMore() first.`,
      );
    }
  }
}
