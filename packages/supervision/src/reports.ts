/**
 * Supervisor reports: log entries and telemetry events with the same names and the fields of
 * OTP's supervisor reports (the supervisor's pid and name, the child's id and pid, the reason).
 */
import {
  type ActorSystem,
  isNormalReason,
  type LogLevel,
  type Pid,
  type Reason,
  silentLogger,
} from '@starweave/actors';
import type { ChildType, RestartType } from './child-spec.js';

/** The event names that supervisors log and emit on `system.telemetry`. */
export const SupervisorEvent = {
  /** A child process started (at supervisor start, by startChild, restartChild or a restart). */
  childStarted: 'supervisor.child_started',
  /** A child process exited by itself (not stopped by its supervisor). */
  childExited: 'supervisor.child_exited',
  /** A child started again after an exit, as part of a restart. */
  childRestarted: 'supervisor.child_restarted',
  /** A restart waits for its back-off delay (only with the `backoff` option). */
  restartScheduled: 'supervisor.restart_scheduled',
  /** The restart intensity was reached; the supervisor stops its children and exits. */
  shutdown: 'supervisor.shutdown',
  /** Significant children ended, so the supervisor shuts itself down (`autoShutdown`). */
  autoShutdown: 'supervisor.auto_shutdown',
  /** A child's start function failed or returned something other than a pid. */
  startError: 'supervisor.start_error',
  /** A child stopped by its supervisor exited with another reason than expected. */
  shutdownError: 'supervisor.shutdown_error',
} as const;

/** The fields of every supervisor event. */
export interface SupervisorEventFields {
  /** The supervisor's pid. */
  supervisor: Pid;
  /** The supervisor's registered name, if any. */
  supervisorName: string | undefined;
  /** The child's id; undefined for children of a dynamic supervisor. */
  childId: string | undefined;
  /** The child's pid, when it has one. */
  childPid: Pid | undefined;
  /** The child's restart type. */
  restart: RestartType;
  /** Whether the child is a worker or a supervisor. */
  type: ChildType;
  /** The reason the child exited or failed, absent for starts. */
  reason?: Reason;
  /** Restart delay from the back-off, in milliseconds, when one applies. */
  delayMs?: number;
}

/** The reporting supervisor: its pid, name and system. */
export interface Reporter {
  readonly system: ActorSystem;
  readonly pid: Pid;
  readonly name: string | undefined;
}

/** Describes the child that an event is about. */
export interface ReportedChild {
  readonly id: string | undefined;
  readonly pid: Pid | undefined;
  readonly restart: RestartType;
  readonly type: ChildType;
}

type EventName = (typeof SupervisorEvent)[keyof typeof SupervisorEvent];

/** Logs `event` at `level` and emits it as telemetry when someone listens. */
export function report(
  reporter: Reporter,
  level: LogLevel,
  event: EventName,
  child: ReportedChild,
  extra: { reason?: Reason; delayMs?: number } = {},
): void {
  const { logger, telemetry } = reporter.system;
  // Restarts are a hot path, so no report is built when no logger or listener receives it.
  if (logger === silentLogger && telemetry.listenerCount(event) === 0) return;
  const fields: SupervisorEventFields = {
    supervisor: reporter.pid,
    supervisorName: reporter.name,
    childId: child.id,
    childPid: child.pid,
    restart: child.restart,
    type: child.type,
    ...extra,
  };
  logger.log(level, event, fields as unknown as Record<string, unknown>);
  if (telemetry.listenerCount(event) > 0) telemetry.emit(event, fields);
}

/**
 * Returns the log level of a child's own exit: an error report for an abnormal reason or for
 * any exit of a permanent child (as OTP's `child_terminated`), info otherwise.
 */
export function exitLevel(reason: Reason, restart: RestartType): LogLevel {
  return restart === 'permanent' || !isNormalReason(reason) ? 'error' : 'info';
}
