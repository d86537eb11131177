/**
 * Checks a pattern against the rules of the matching semantics and compiles it into the flat
 * tables the automaton reads: positive steps with their quantifiers and windows, the negative
 * steps attached to the positive step before them, and the steps each state can move to.
 */
import { StarweaveError } from '@starweave/actors';
import type { Pattern, StepSpec } from './pattern.js';
import type { Condition, Contiguity, SkipStrategy } from './types.js';

/** Contiguity as a number, for the hot path. */
export const STRICT = 0;
export const RELAXED = 1;
export const ANY = 2;

/** The most positive steps a pattern may have: a state's moves are bits of one 32-bit mask. */
export const MAX_POSITIVE_STEPS = 28;

/** A negative step, attached to the positive step before it. */
export interface NegativeStep {
  readonly name: string;
  readonly condition: Condition<any, any>;
  readonly usesContext: boolean;
  /** Length of the absence window after the previous step's last event; Infinity if none. */
  readonly windowMs: number;
}

/** A positive step with everything the automaton needs about it. */
export interface CompiledStep {
  readonly index: number;
  readonly name: string;
  readonly condition: Condition<any, any> | null;
  readonly usesContext: boolean;
  readonly min: number;
  readonly max: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  /** Contiguity between the step's own events. */
  readonly inner: number;
  /** Contiguity between the previous matched event and the step's first event. */
  readonly outer: number;
  readonly until: Condition<any, any> | null;
  readonly untilUsesContext: boolean;
  /** Step window in milliseconds; Infinity if none. */
  readonly windowMs: number;
  /** `notNext` steps between this step and the next positive one. */
  readonly notNext: readonly NegativeStep[];
  /** `notFollowedBy` steps between this step and the next positive one. */
  readonly notFollowedBy: readonly NegativeStep[];
  /** The last step a partial match can move to from here (skipping optional steps). */
  readonly targetsEnd: number;
  /** Whether every later positive step is optional, so reaching `min` here completes a match. */
  readonly accepting: boolean;
}

/** A pattern compiled for the automaton. */
export interface CompiledPattern {
  readonly steps: readonly CompiledStep[];
  readonly names: readonly string[];
  /** Window of the whole pattern in milliseconds; Infinity if none. */
  readonly windowMs: number;
  /** The last step a match can start at (the first non-optional step). */
  readonly startEnd: number;
  /** How a match completes after the last positive step. */
  readonly end: 'none' | 'notNext' | 'notFollowedBy';
  readonly skip: SkipStrategy;
  /** Index of the step named by skipToFirst or skipToLast; -1 otherwise. */
  readonly skipStep: number;
  /** A text that changes when the pattern's shape changes; snapshots carry it. */
  readonly fingerprint: string;
}

function contiguityCode(contiguity: Contiguity): number {
  if (contiguity === 'strict') return STRICT;
  if (contiguity === 'relaxed') return RELAXED;
  return ANY;
}

function malformed(message: string): never {
  throw new StarweaveError('ERR_INVALID_ARGUMENT', `invalid pattern: ${message}`);
}

function negative(step: StepSpec): NegativeStep {
  return {
    name: step.name,
    condition: step.condition!,
    usesContext: step.usesContext,
    windowMs: step.windowMs ?? Number.POSITIVE_INFINITY,
  };
}

/** Checks `pattern` and compiles it; fails with ERR_INVALID_ARGUMENT naming the broken rule. */
export function compilePattern(pattern: Pattern<any, any>): CompiledPattern {
  const specs = pattern.steps;
  const positives: StepSpec[] = [];
  const negativesAfter: StepSpec[][] = [];

  for (const spec of specs) {
    if (spec.kind === 'positive') {
      positives.push(spec);
      negativesAfter.push([]);
      continue;
    }
    const previous = positives[positives.length - 1];
    if (previous === undefined) malformed(`it starts with the negative step "${spec.name}".`);
    if (previous.optional) {
      malformed(
        `the negative step "${spec.name}" follows the optional step "${previous.name}". Make "${previous.name}" required or move the negative step.`,
      );
    }
    negativesAfter[negativesAfter.length - 1]!.push(spec);
  }

  if (positives.length > MAX_POSITIVE_STEPS) {
    malformed(`it has ${positives.length} positive steps; the maximum is ${MAX_POSITIVE_STEPS}.`);
  }
  if (positives.every((step) => step.optional)) {
    malformed(
      'every positive step is optional, so it would match no event. Make one step required.',
    );
  }

  const count = positives.length;
  const steps: CompiledStep[] = positives.map((spec, index) => {
    let targetsEnd = index + 1;
    while (targetsEnd < count - 1 && positives[targetsEnd]!.optional) targetsEnd += 1;
    if (targetsEnd >= count) targetsEnd = count - 1;
    const accepting = positives.slice(index + 1).every((later) => later.optional);
    const negatives = negativesAfter[index]!;

    if (negatives.length > 0 && accepting && index < count - 1) {
      malformed(
        `only optional steps follow the negative step "${negatives[0]!.name}", so a match could end on it. Make a later step required.`,
      );
    }
    if (spec.greedy && accepting) {
      malformed(
        `the greedy step "${spec.name}" can end a match, where greedy has no next step to defer. Remove greedy() or add a required step after it.`,
      );
    }

    return {
      index,
      name: spec.name,
      condition: spec.condition,
      usesContext: spec.usesContext,
      min: spec.min,
      max: spec.max,
      optional: spec.optional,
      greedy: spec.greedy,
      inner: contiguityCode(spec.inner),
      outer: contiguityCode(spec.contiguity),
      until: spec.until,
      untilUsesContext: spec.untilUsesContext,
      windowMs: spec.windowMs ?? Number.POSITIVE_INFINITY,
      notNext: negatives.filter((step) => step.kind === 'notNext').map(negative),
      notFollowedBy: negatives.filter((step) => step.kind === 'notFollowedBy').map(negative),
      targetsEnd,
      accepting,
    };
  });

  const windowMs = pattern.windowMs ?? Number.POSITIVE_INFINITY;
  const last = steps[count - 1]!;
  let end: CompiledPattern['end'] = 'none';
  if (last.notNext.length > 0 && last.notFollowedBy.length > 0) {
    malformed('it ends with both notNext and notFollowedBy steps. End it with one kind.');
  }
  if (last.notNext.length > 0) end = 'notNext';
  if (last.notFollowedBy.length > 0) {
    end = 'notFollowedBy';
    for (const step of last.notFollowedBy) {
      if (step.windowMs === Number.POSITIVE_INFINITY && windowMs === Number.POSITIVE_INFINITY) {
        malformed(
          `it ends with notFollowedBy("${step.name}") and has no window, so the absence could never be confirmed. Add within(ms) to the pattern or within(ms, 'step') to the step.`,
        );
      }
    }
  }

  let startEnd = 0;
  while (startEnd < count - 1 && steps[startEnd]!.optional) startEnd += 1;

  const skip = pattern.skipStrategy;
  let skipStep = -1;
  if (skip.kind === 'skipToFirst' || skip.kind === 'skipToLast') {
    skipStep = steps.findIndex((step) => step.name === skip.step);
    if (skipStep < 0) {
      malformed(
        `the skip strategy ${skip.kind} names "${skip.step}", which is not a positive step. Use one of ${steps.map((step) => `"${step.name}"`).join(', ')}.`,
      );
    }
  }

  const fingerprint = specs
    .map((spec) => `${spec.kind}:${spec.name}:${spec.min}-${spec.max}${spec.optional ? '?' : ''}`)
    .join(' ');

  return {
    steps,
    names: steps.map((step) => step.name),
    windowMs,
    startEnd,
    end,
    skip,
    skipStep,
    fingerprint,
  };
}
