/**
 * The caller of an operation: a process context inside a process, or the system outside any.
 */
import type { ProcessContext } from './context.js';
import { invalidArgument } from './errors.js';
import type { Proc } from './process.js';
import { ActorSystem } from './system.js';

/** Who performs an operation: a process context, or the system (through its root process). */
export type Caller = ProcessContext | ActorSystem;

/** Returns the process context that acts for `caller`: the context itself, or the system's root. */
export function callerContext(caller: Caller): ProcessContext {
  if (caller instanceof ActorSystem) return caller.rootContext as Proc;
  if (caller === null || typeof caller !== 'object' || typeof (caller as ProcessContext).send !== 'function') {
    invalidArgument('caller', 'a process context (self) or an ActorSystem', caller);
  }
  return caller;
}
