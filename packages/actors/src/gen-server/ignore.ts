/**
 * The value a start function resolves to when `init` returned `{ ignore: true }`.
 */
import { Pid } from '../pid.js';

class IgnoredPid extends Pid {
  override toString(): string {
    return 'ignore';
  }
}

/** Resolved by `start` when `init` chose to ignore: a pid that names no process. */
export const IGNORE: Pid = new IgnoredPid('ignore', -1);

/** Returns true when a start function resolved to {@link IGNORE}. */
export function isIgnored(pid: unknown): boolean {
  return pid === IGNORE;
}
