/**
 * Steps: how the stage core sequences work that may wait on a callback's promise. A step is
 * `undefined` (done, go on), a stop request, or a promise of either; synchronous callbacks
 * never allocate a promise.
 */
import type { Reason } from '@starweave/actors';

/** A request to stop the stage with `stop` as reason. */
export interface Stop {
  readonly stop: Reason;
}

/** The outcome of one step of stage work. */
export type Step = undefined | Stop | Promise<undefined | Stop>;

/** Returns true for a promise or other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Calls `next` with `value`, or with what it resolves to when it is a promise. */
export function thenValue<T, R>(
  value: T | PromiseLike<T>,
  next: (value: T) => R,
): R | Promise<Awaited<R>> {
  if (isThenable(value)) return Promise.resolve(value).then(next) as Promise<Awaited<R>>;
  return next(value as T);
}

/**
 * Runs `next` once `step` is done, unless it asked to stop. `alive` is checked after a wait,
 * because the process may have been killed while its callback was pending.
 */
export function andThen(step: Step, next: () => Step, alive: () => boolean): Step {
  if (step === undefined) return next();
  if (!isThenable(step)) return step;
  return step.then((outcome) => {
    if (outcome !== undefined) return outcome;
    if (!alive()) return GONE;
    return next();
  });
}

/** Runs the steps `run(0)`, `run(1)`, ... up to `count`, one after another. */
export function eachStep(count: number, run: (index: number) => Step, alive: () => boolean): Step {
  for (let index = 0; index < count; index++) {
    const step = run(index);
    if (step === undefined) continue;
    if (!isThenable(step)) return step;
    const rest = index + 1;
    return andThen(
      step,
      () => eachStep(count - rest, (offset) => run(rest + offset), alive),
      alive,
    );
  }
  return undefined;
}

/** The stop of a process that was killed while a callback was pending; nothing acts on it. */
export const GONE: Stop = Object.freeze({ stop: 'killed' as Reason });
