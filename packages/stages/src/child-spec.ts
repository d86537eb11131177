/**
 * Child specs for stages, in the shape that `@starweave/supervision` expects: an id, a `start`
 * that links the new stage to the supervisor, and the restart and shutdown policies.
 */
import type { Pid, ProcessContext } from '@starweave/actors';

/** How a supervisor starts, restarts and stops one stage. */
export interface StageChildSpec {
  /** The child's id, unique among the children of one supervisor. */
  id: string;
  /** Starts the stage linked to `ctx`, the supervisor's process. */
  start: (ctx: ProcessContext) => Promise<Pid>;
  /** When the child is restarted. Default `'permanent'`. */
  restart?: 'permanent' | 'transient' | 'temporary';
  /** How the child is stopped: `'brutalKill'`, milliseconds or `'infinity'`. Default 5000. */
  shutdown?: 'brutalKill' | number | 'infinity';
  /** `'worker'`, or `'supervisor'` for a ConsumerSupervisor. Default `'worker'`. */
  type?: 'worker' | 'supervisor';
}
