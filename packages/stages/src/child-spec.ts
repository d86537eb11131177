/**
 * Child specs for stages: the child spec of `@starweave/supervision`, whose `start` links the
 * new stage to the supervisor.
 */
import type { ChildSpec } from '@starweave/supervision';

/** The child spec of a stage: its id, its start function, and its restart and shutdown policies. */
export type StageChildSpec = ChildSpec;
