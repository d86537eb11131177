/**
 * @starweave/testing: a kit for tests that simulate failures. Virtual time for a whole system,
 * seeded interleavings that replay, fault injection (kills, crashes, dropped, delayed and
 * duplicated messages, a chaos monkey), receive and exit assertions, traces, and fast-check
 * arbitraries for fault schedules and supervision trees. Works with any test runner.
 */
export {
  TestSystem,
  createTestSystem,
  type TestSystemOptions,
  type RunUntilIdleOptions,
} from './test-system.js';
export { TestClock } from './test-clock.js';
export {
  SEED_ENV,
  currentSeed,
  randomSeed,
  resolveSeed,
  seedFromEnv,
  seededTest,
  withSeed,
  type SeededTestOptions,
} from './seed.js';
export { kill, resolveTargets, type ProcessTarget } from './kill.js';
export {
  crashOnNextMessage,
  type CrashInjection,
  type CrashOptions,
} from './crash-on-next-message.js';
export * as faults from './faults.js';
export type {
  DelayFaultOptions,
  DuplicateFaultOptions,
  Fault,
  FaultOptions,
  SendEndpoint,
} from './faults.js';
export {
  chaosMonkey,
  type ChaosKill,
  type ChaosMonkey,
  type ChaosMonkeyOptions,
  type ChaosTargets,
} from './chaos-monkey.js';
export { assertReceive, refuteReceive, describeSelector } from './assert-receive.js';
export { assertDown, reasonMatches, type ExpectedReason } from './assert-down.js';
export { eventually, type EventuallyOptions } from './eventually.js';
export {
  TRACED_EVENTS,
  Trace,
  attachTrace,
  startTrace,
  withTrace,
  type TraceEntry,
  type TraceFormatOptions,
  type TraceOptions,
} from './trace.js';
export {
  DEFAULT_FAULT_REASONS,
  arbFaultSchedule,
  arbProcessTree,
  arbTreeWithFaults,
  findTreeChild,
  treeIds,
  type FaultSchedule,
  type FaultScheduleOptions,
  type ProcessTree,
  type ProcessTreeOptions,
  type RestartStrategy,
  type RestartType,
  type ScheduledFault,
  type TreeChild,
  type TreeSupervisor,
  type TreeWorker,
} from './arbitraries.js';
export {
  applyFaultSchedule,
  type AppliedFault,
  type TargetResolver,
} from './apply-fault-schedule.js';
export { formatValue, type FormatValueOptions } from './format-value.js';
