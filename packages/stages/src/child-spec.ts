/**
 * Child specs for stages: the child spec of `@starweave/supervision`, whose `start` links the
 * new stage to the supervisor.
 */
import type { ChildSpec } from '@starweave/supervision';

/** How a supervisor starts, restarts and stops one stage. */
export type StageChildSpec = ChildSpec;
