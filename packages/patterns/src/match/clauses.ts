/**
 * Handler clauses for actors: a list of ts-pattern pattern and handler pairs, compiled once
 * into predicates and tried in order, so the first matching clause handles the value, narrowed
 * to what its pattern matches. What happens when no clause matches is the caller's choice.
 */
import { describe, invalidArgument, StarweaveError } from '@starweave/actors';
import { isMatching, P } from 'ts-pattern';

/**
 * The behaviour for a value that no clause matches. `'throw'` fails with ERR_BAD_CALL, which
 * suits calls, where the caller should crash. `'ignore'` returns undefined, which suits info
 * messages that the caller logs and drops. A function computes the result instead.
 */
export type NoMatch<I, R> = 'throw' | 'ignore' | ((value: I) => R);

/** Options of {@link clauses}. */
export interface ClausesOptions<I, R> {
  /** The behaviour when no clause matches (default `'throw'`). */
  noMatch?: NoMatch<I, R>;
  /** Names the clause list in the ERR_BAD_CALL message, for example the server's name. */
  name?: string;
}

/** The clause list, one pattern and handler per entry, the handler's value narrowed. */
export type ClauseList<I, Patterns extends readonly unknown[], R> = {
  readonly [K in keyof Patterns]: readonly [
    pattern: Patterns[K],
    handler: (value: P.narrow<I, Patterns[K]>) => R,
  ];
};

/** A compiled clause list: call it with a value to run the first matching handler. */
export interface Clauses<I, R> {
  (value: I): R;
  /** Returns whether some clause matches `value`, without running a handler. */
  matches(value: I): boolean;
  /** Returns the index of the first matching clause, or -1. */
  indexOf(value: I): number;
}

/**
 * Compiles `list` into a function that runs the handler of the first clause whose pattern
 * matches its argument. Patterns are ts-pattern patterns (`{ type: 'ping', from: P.any }`).
 *
 * @example
 * ```ts
 * import { P } from 'ts-pattern';
 * import { clauses } from '@starweave/patterns';
 *
 * const handle = clauses(
 *   [
 *     [{ type: 'add', amount: P.number }, (message) => `add ${message.amount}`],
 *     [{ type: 'reset' }, () => 'reset'],
 *   ],
 *   { noMatch: 'ignore' },
 * );
 * console.assert(handle({ type: 'add', amount: 2 }) === 'add 2');
 * console.assert(handle({ type: 'other' }) === undefined);
 * ```
 *
 * TypeScript does not infer `R` from the handlers here, so the result is `unknown`; use
 * {@link clausesFor} to name the input and result types.
 */
export function clauses<const Patterns extends readonly P.Pattern<unknown>[], R>(
  list: ClauseList<unknown, Patterns, R>,
  options: ClausesOptions<unknown, R> = {},
): Clauses<unknown, R> {
  return compileClauses<unknown, R>(
    list as unknown as readonly (readonly [unknown, (value: any) => R])[],
    options,
  );
}

/**
 * Returns a `clauses` bound to the input type `I` and the result type `R`. Each handler's value
 * then narrows a member of `I` (for example one message type of a union) rather than the
 * pattern's own shape, and the compiled function returns `R`.
 */
export function clausesFor<I, R = unknown>() {
  return <const Patterns extends readonly P.Pattern<I>[]>(
    list: ClauseList<I, Patterns, R>,
    options: ClausesOptions<I, R> = {},
  ): Clauses<I, R> =>
    compileClauses<I, R>(
      list as unknown as readonly (readonly [unknown, (value: any) => R])[],
      options,
    );
}

function compileClauses<I, R>(
  list: readonly (readonly [unknown, (value: any) => R])[],
  options: ClausesOptions<I, R>,
): Clauses<I, R> {
  if (!Array.isArray(list)) invalidArgument('list', 'an array of [pattern, handler] pairs', list);
  const predicates: ((value: unknown) => boolean)[] = [];
  const handlers: ((value: any) => R)[] = [];
  list.forEach((clause, index) => {
    if (!Array.isArray(clause) || clause.length !== 2 || typeof clause[1] !== 'function') {
      invalidArgument(`list[${index}]`, 'a [pattern, handler] pair', clause);
    }
    const pattern = clause[0] as P.Pattern<unknown>;
    predicates.push((value) => isMatching(pattern, value));
    handlers.push(clause[1]);
  });

  const noMatch = options.noMatch ?? 'throw';
  if (noMatch !== 'throw' && noMatch !== 'ignore' && typeof noMatch !== 'function') {
    invalidArgument('options.noMatch', "'throw', 'ignore' or a function", noMatch);
  }
  const label = options.name === undefined ? 'the clause list' : `the clauses of ${options.name}`;

  const indexOf = (value: I): number => {
    for (let index = 0; index < predicates.length; index += 1) {
      if (predicates[index]!(value)) return index;
    }
    return -1;
  };

  const run = ((value: I): R => {
    const index = indexOf(value);
    if (index >= 0) return handlers[index]!(value);
    if (noMatch === 'ignore') return undefined as R;
    if (noMatch === 'throw') {
      throw new StarweaveError(
        'ERR_BAD_CALL',
        `no clause matched ${describe(value)} in ${label} of ${predicates.length} clauses. Add a clause for it or pass noMatch.`,
        { details: { value } },
      );
    }
    return noMatch(value);
  }) as Clauses<I, R>;
  run.matches = (value: I) => indexOf(value) >= 0;
  run.indexOf = indexOf;
  return run;
}

export { P };
