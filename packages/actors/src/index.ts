/**
 * @starweave/actors: processes with Erlang's semantics on Node.js: mailboxes with selective
 * receive, links, monitors, names, timers, the codec and telemetry.
 */
export { ErrorCodes, StarweaveError, isStarweaveError, invalidArgument, checkTimeout, describe } from './errors.js';
export type { ErrorCode, StarweaveErrorOptions } from './errors.js';
export { Pid, Ref, isPid, isRef } from './pid.js';
export { type Reason, isNormalReason, isReason, isShutdownTuple, formatReason } from './reason.js';
export { type Clock, type TimerHandle, realClock, VirtualClock } from './clock.js';
export { type Logger, type LogLevel, silentLogger, MemoryLogger, pinoLogger } from './logger.js';
export { type Telemetry, type TelemetryEvents } from './telemetry.js';
export type { MessagePattern, MessagePredicate, Selector, Selected } from './match.js';
export { toPredicate } from './match.js';
export type { Dest, ProcessContext, DemonitorOptions } from './context.js';
export type { ProcessBody, ProcessFunction, ProcessHandler, SpawnOptions } from './spawn-options.js';
export type { DownMessage, ExitMessage, ProcessStatus } from './process.js';
export { Mailbox } from './mailbox.js';
export { seededRandom, type RandomSource } from './scheduler.js';
export { CallReply } from './reply-router.js';
export {
  ActorSystem,
  type ActorSystemOptions,
  type InterceptDecision,
  type ProcessInfo,
  type SendInterceptor,
} from './system.js';
export type { Caller } from './caller.js';
export { callerContext } from './caller.js';
export { KeyRegistry, type KeyRegistryOptions, type RegistryEntry } from './key-registry.js';
export { ProcessGroups } from './process-groups.js';
export * as GenServer from './gen-server/gen-server.js';
export type {
  AnyProtocol,
  CallRequestOf,
  CastOf,
  From,
  GenServerSpec,
  Protocol,
  ReplyOf,
  ServerPid,
  ServerRef,
} from './gen-server/types.js';
export { IGNORE, isIgnored } from './gen-server/ignore.js';
export * as Task from './task.js';
export type { Task as TaskHandle, TaskOutcome } from './task.js';
export { spawnTask } from './task.js';
export * as Agent from './agent.js';
export type { AgentPid } from './agent.js';
export * from './codec/index.js';
export * as StateMachine from './state-machine.js';
export type { MachineSnapshot, MachineStartOptions } from './state-machine.js';
export { OffloadPool, type OffloadPoolOptions, type OffloadRunOptions } from './offload.js';
