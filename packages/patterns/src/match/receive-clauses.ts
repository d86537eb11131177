/**
 * Selective receive with clauses for async process functions, as Erlang's `receive` with
 * several patterns: the oldest message that some clause matches is taken, the others stay in
 * the mailbox in order, and the first matching clause handles it.
 */
import {
  checkTimeout,
  invalidArgument,
  isStarweaveError,
  type ProcessContext,
} from '@starweave/actors';
import type { P } from 'ts-pattern';
import { type Clauses, clauses } from './clauses.js';

/** Receive clauses: each handler receives the message narrowed to what its pattern matches. */
export type ReceiveClauseList<Patterns extends readonly unknown[], R> = {
  readonly [K in keyof Patterns]: readonly [
    pattern: Patterns[K],
    handler: (message: P.narrow<unknown, Patterns[K]>) => R,
  ];
};

/**
 * Waits for the oldest message that a clause matches, runs that clause's handler with it and
 * resolves with what the handler returns (awaited). Messages that no clause matches stay in
 * the mailbox. After `timeoutMs` with no matching message, resolves with what `after` returns
 * (Erlang's `after` clause) or, without `after`, fails with ERR_RECEIVE_TIMEOUT.
 *
 * `clauseList` is a list of `[pattern, handler]` pairs, compiled on each call, or a list
 * compiled once with `clauses` or `clausesFor`, which a loop should prefer. TypeScript infers
 * the result type from an annotated target (`const n: number = await receiveClauses(...)`)
 * but not from the handlers; elsewhere it is `unknown`, or the `R` of `clausesFor<I, R>()`.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import { P, receiveClauses } from '@starweave/patterns';
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const totals: number[] = [];
 * const adder = system.spawn(async (self) => {
 *   let total = 0;
 *   for (;;) {
 *     const done: boolean = await receiveClauses(self, [
 *       [
 *         { type: 'add', n: P.number },
 *         (message) => {
 *           total += message.n;
 *           return false;
 *         },
 *       ],
 *       [{ type: 'stop' }, () => true],
 *     ]);
 *     if (done) break;
 *   }
 *   totals.push(total);
 * });
 * system.send(adder, { type: 'add', n: 2 });
 * system.send(adder, { type: 'noise' }); // matches no clause: stays in the mailbox
 * system.send(adder, { type: 'add', n: 3 });
 * system.send(adder, { type: 'stop' });
 * while (system.isAlive(adder)) await new Promise((resolve) => setTimeout(resolve, 1));
 * console.assert(totals[0] === 5);
 * await system.shutdown();
 * ```
 */
export async function receiveClauses<const Patterns extends readonly P.Pattern<unknown>[], R>(
  self: ProcessContext,
  clauseList: ReceiveClauseList<Patterns, R> | Clauses<any, R>,
  timeoutMs: number | 'infinity' = 'infinity',
  after?: () => R | Promise<R>,
): Promise<Awaited<R>> {
  if (self === null || typeof self !== 'object' || typeof self.receive !== 'function') {
    invalidArgument('self', 'the ProcessContext of the receiving process', self);
  }
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  if (after !== undefined && typeof after !== 'function') {
    invalidArgument('after', 'a function or undefined', after);
  }
  const compiled: Clauses<any, R> =
    typeof clauseList === 'function' ? clauseList : clauses(clauseList as never);

  let message: unknown;
  try {
    message = await self.receive(compiled.matches, timeout);
  } catch (error) {
    if (after !== undefined && isStarweaveError(error) && error.code === 'ERR_RECEIVE_TIMEOUT') {
      return await after();
    }
    throw error;
  }
  return await compiled(message);
}
