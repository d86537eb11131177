/**
 * @starweave/testing: a kit for tests that simulate failures. Virtual time for a whole system,
 * seeded interleavings that replay, fault injection (kills, crashes, dropped, delayed and
 * duplicated messages, a chaos monkey), receive and exit assertions, traces, and fast-check
 * arbitraries for fault schedules and supervision trees. Works with any test runner.
 */

export {
  type AppliedFault,
  applyFaultSchedule,
  type TargetResolver,
} from './apply-fault-schedule.js';
export {
  arbFaultSchedule,
  arbProcessTree,
  arbTreeWithFaults,
  DEFAULT_FAULT_REASONS,
  type FaultSchedule,
  type FaultScheduleOptions,
  findTreeChild,
  type ProcessTree,
  type ProcessTreeOptions,
  type RestartStrategy,
  type RestartType,
  type ScheduledFault,
  type TreeChild,
  type TreeSupervisor,
  type TreeWorker,
  treeIds,
} from './arbitraries.js';
export { assertDown, type ExpectedReason, reasonMatches } from './assert-down.js';
export { assertReceive, describeSelector, refuteReceive } from './assert-receive.js';
export {
  type ChaosKill,
  type ChaosMonkey,
  type ChaosMonkeyOptions,
  type ChaosTargets,
  chaosMonkey,
} from './chaos-monkey.js';
export {
  type CrashInjection,
  type CrashOptions,
  crashOnNextMessage,
} from './crash-on-next-message.js';
export { type EventuallyOptions, eventually } from './eventually.js';
export type {
  DelayFaultOptions,
  DuplicateFaultOptions,
  Fault,
  FaultOptions,
  SendEndpoint,
} from './faults.js';
export * as faults from './faults.js';
export { type FormatValueOptions, formatValue } from './format-value.js';
export { kill, type ProcessTarget, resolveTargets } from './kill.js';
export {
  currentSeed,
  DEFAULT_SEED,
  randomSeed,
  resolveSeed,
  SEED_ENV,
  type SeededTestOptions,
  seededTest,
  seedFromEnv,
  withSeed,
} from './seed.js';
export { TestClock } from './test-clock.js';
export {
  createTestSystem,
  type RunUntilIdleOptions,
  TestSystem,
  type TestSystemOptions,
} from './test-system.js';
export {
  attachTrace,
  startTrace,
  TRACED_EVENTS,
  Trace,
  type TraceEntry,
  type TraceFormatOptions,
  type TraceOptions,
  withTrace,
} from './trace.js';
