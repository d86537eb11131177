/**
 * @starweave/supervision: supervisors with OTP's semantics (strategies, restart types, restart
 * intensity, ordered start and stop), dynamic and task supervisors, and applications.
 */

export type {
  ApplicationEntry,
  ApplicationOptions,
  ApplicationStatus,
  RunningApplications,
} from './application.js';
export * as Application from './application.js';
export type { ApplicationModule } from './application-master.js';
export type { BackoffOptions } from './backoff.js';
export type {
  AutoShutdown,
  ChildSpec,
  ChildType,
  RestartType,
  ShutdownPolicy,
} from './child-spec.js';
export * as DynamicSupervisor from './dynamic-supervisor.js';
export type { DynamicChildSpec, DynamicSupervisorOptions } from './dynamic-supervisor-options.js';
export type { ChildCounts, ChildInfo, ChildSpecInfo } from './protocol.js';
export { SupervisorEvent, type SupervisorEventFields } from './reports.js';
export type { SupervisorRef } from './supervisor.js';
export * as Supervisor from './supervisor.js';
export type { Strategy, SupervisorOptions } from './supervisor-options.js';
export type {
  TaskChildOptions,
  TaskFunction,
  TaskOptions,
  TaskSupervisorOptions,
} from './task-supervisor.js';
export * as TaskSupervisor from './task-supervisor.js';
export type {} from './telemetry.js';
export type { ChildStatus, SupervisorTree, TreeNode } from './tree.js';
