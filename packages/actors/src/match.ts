/**
 * Message selectors for `receive`: a type-guard or boolean predicate, or a ts-pattern pattern.
 * A pattern is compiled once into a predicate, so a receive costs one call per message scanned.
 */
import { isMatching, type P } from 'ts-pattern';

/** A predicate over messages; a type guard narrows the received type. */
export type MessagePredicate<T = unknown> =
  | ((message: unknown) => message is T)
  | ((message: unknown) => boolean);

/** A ts-pattern pattern (such as `{ type: 'ping', from: P.instanceOf(Pid) }`). */
export type MessagePattern = P.Pattern<unknown>;

/** What `receive` accepts to select a message. */
export type Selector = MessagePredicate<any> | MessagePattern;

/** The type of message a selector picks. */
export type Selected<S> = S extends (message: any) => message is infer T
  ? T
  : S extends (message: any) => boolean
    ? any
    : S extends P.Pattern<unknown>
      ? P.infer<S>
      : unknown;

/** Compiles a selector into a predicate; `undefined` selects every message. */
export function toPredicate(selector: Selector | undefined): ((message: unknown) => boolean) | null {
  if (selector === undefined) return null;
  if (typeof selector === 'function') return selector as (message: unknown) => boolean;
  const pattern = selector;
  return (message) => isMatching(pattern, message);
}
