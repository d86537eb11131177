/**
 * The children of a dynamic supervisor, keyed by pid: starting, stopping and restarting them one
 * for one, with the restart intensity, the optional back-off and their reports.
 */
import {
  IGNORE,
  isNormalReason,
  type Pid,
  type ProcessContext,
  type Reason,
} from '@starweave/actors';
import type { BackoffState } from './backoff.js';
import type { ResolvedChildSpec } from './child-spec.js';
import type { ResolvedDynamicOptions } from './dynamic-supervisor-options.js';
import { childNotFound, childStartFailed, maxChildrenReached } from './errors.js';
import { failed, ok, type SupervisorReply } from './protocol.js';
import { exitLevel, type Reporter, report, SupervisorEvent } from './reports.js';
import type { RestartIntensity } from './restart-intensity.js';
import { isExpectedShutdownReason, shutdownChild, shutdownChildren } from './shutdown.js';
import { runStart } from './start-child.js';

/** One child of a dynamic supervisor. */
export interface DynamicChild extends BackoffState {
  readonly spec: ResolvedChildSpec;
  /** The running process, or the last one while a restart is pending. */
  pid: Pid;
  /** The key of the child in the table: the id of `pid` when the child was stored. */
  key: number;
  restarting: boolean;
  generation: number;
}

/** The state of a dynamic supervisor process. */
export interface DynamicState {
  readonly self: ProcessContext;
  readonly reporter: Reporter;
  readonly options: ResolvedDynamicOptions;
  /** The children by the id of their pid, in start order. */
  readonly children: Map<number, DynamicChild>;
  readonly intensity: RestartIntensity;
  stopping: boolean;
}

/** A restart the dynamic supervisor scheduled for itself; see `RestartRequest`. */
export class DynamicRestart {
  constructor(
    readonly key: number,
    readonly generation: number,
    readonly phase: 'retry' | 'start',
    readonly reason: Reason,
  ) {}
}

type Result = { noreply: true; state: DynamicState } | { stop: 'shutdown'; state: DynamicState };

function reported(child: DynamicChild) {
  return { id: undefined, pid: child.pid, restart: child.spec.restart, type: child.spec.type };
}

function store(state: DynamicState, child: DynamicChild, pid: Pid): void {
  state.children.delete(child.key);
  child.pid = pid;
  child.key = pid.id;
  child.restarting = false;
  child.generation++;
  child.startedAt = state.self.system.clock.now();
  state.children.set(child.key, child);
}

export async function startChild(
  state: DynamicState,
  spec: ResolvedChildSpec,
): Promise<SupervisorReply<Pid>> {
  const { self, options } = state;
  if (state.children.size >= options.maxChildren) {
    return failed(maxChildrenReached(self.pid, options.maxChildren));
  }
  const outcome = await runStart(self, spec.start, options.extraArguments);
  if ('error' in outcome) {
    const child = { id: undefined, pid: undefined, restart: spec.restart, type: spec.type };
    report(state.reporter, 'error', SupervisorEvent.startError, child, { reason: outcome.error });
    return failed(childStartFailed(self.pid, undefined, outcome.error));
  }
  // Elixir adds no child for an ignored start.
  if ('ignored' in outcome) return ok(IGNORE);
  const child: DynamicChild = {
    spec,
    pid: outcome.pid,
    key: outcome.pid.id,
    restarting: false,
    generation: 0,
    attempts: 0,
    startedAt: 0,
  };
  store(state, child, outcome.pid);
  report(state.reporter, 'debug', SupervisorEvent.childStarted, reported(child));
  return ok(outcome.pid);
}

export async function terminateChild(
  state: DynamicState,
  pid: Pid,
): Promise<SupervisorReply<void>> {
  const child = state.children.get(pid.id);
  if (child === undefined || !child.pid.equals(pid)) {
    return failed(childNotFound(state.self.pid, pid));
  }
  state.children.delete(child.key);
  child.generation++;
  if (!child.restarting) await stopChild(state, child);
  return ok(undefined);
}

/** Stops one child and reports an unexpected exit reason. */
async function stopChild(state: DynamicState, child: DynamicChild): Promise<void> {
  const reason = await shutdownChild(state.self, child.pid, child.spec.shutdown);
  if (!isExpectedShutdownReason(reason, child.spec.shutdown, child.spec.restart)) {
    report(state.reporter, 'error', SupervisorEvent.shutdownError, reported(child), { reason });
  }
}

/** Stops `children` at once and reports any unexpected exit reason. */
export async function stopChildren(state: DynamicState, children: DynamicChild[]): Promise<void> {
  const entries = children.map((child) => ({ pid: child.pid, shutdown: child.spec.shutdown }));
  const reasons = await shutdownChildren(state.self, entries);
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    const reason = reasons[i]!;
    if (!isExpectedShutdownReason(reason, child.spec.shutdown, child.spec.restart)) {
      report(state.reporter, 'error', SupervisorEvent.shutdownError, reported(child), { reason });
    }
  }
}

export function childExited(
  state: DynamicState,
  child: DynamicChild,
  reason: Reason,
): Result | Promise<Result> {
  const level = exitLevel(reason, child.spec.restart);
  report(state.reporter, level, SupervisorEvent.childExited, reported(child), { reason });
  const restart = child.spec.restart;
  if (restart === 'permanent' || (restart === 'transient' && !isNormalReason(reason))) {
    return restartChild(state, child, reason, 'exit');
  }
  state.children.delete(child.key);
  return { noreply: true, state };
}

async function restartChild(
  state: DynamicState,
  child: DynamicChild,
  reason: Reason,
  cause: 'exit' | 'retry' | 'waited',
): Promise<Result> {
  const { self, options } = state;
  const now = self.system.clock.now();
  if (!state.intensity.add(now)) {
    state.children.delete(child.key);
    report(state.reporter, 'error', SupervisorEvent.shutdown, reported(child), { reason });
    return { stop: 'shutdown', state };
  }
  child.restarting = true;

  if (options.backoff !== null && cause !== 'waited') {
    const delayMs = options.backoff.next(child, now, cause === 'exit');
    report(state.reporter, 'info', SupervisorEvent.restartScheduled, reported(child), {
      reason,
      delayMs,
    });
    const request = new DynamicRestart(child.key, child.generation, 'start', reason);
    self.sendAfter(self.pid, request, delayMs);
    return { noreply: true, state };
  }
  return startAgain(state, child);
}

async function startAgain(state: DynamicState, child: DynamicChild): Promise<Result> {
  const { self, options } = state;
  const outcome = await runStart(self, child.spec.start, options.extraArguments);
  if ('pid' in outcome) {
    store(state, child, outcome.pid);
    report(state.reporter, 'debug', SupervisorEvent.childStarted, reported(child));
    report(state.reporter, 'info', SupervisorEvent.childRestarted, reported(child));
  } else if ('ignored' in outcome) {
    state.children.delete(child.key);
  } else {
    report(state.reporter, 'error', SupervisorEvent.startError, reported(child), {
      reason: outcome.error,
    });
    const retry = new DynamicRestart(child.key, child.generation, 'retry', outcome.error);
    if (options.backoff === null) {
      self.send(self.pid, retry);
    } else {
      const delayMs = options.backoff.next(child, self.system.clock.now(), false);
      self.sendAfter(self.pid, retry, delayMs);
    }
  }
  return { noreply: true, state };
}

export function runRestart(state: DynamicState, request: DynamicRestart): Result | Promise<Result> {
  const child = state.children.get(request.key);
  if (child === undefined || child.generation !== request.generation || !child.restarting) {
    return { noreply: true, state };
  }
  if (request.phase === 'start') return startAgain(state, child);
  const cause = state.options.backoff === null ? 'retry' : 'waited';
  return restartChild(state, child, request.reason, cause);
}
