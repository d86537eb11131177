/**
 * The dynamic supervisor process: a GenServer that traps exits and supervises children started
 * on demand, keyed by pid, restarting them one for one and stopping them all at once when it
 * exits, as Elixir's DynamicSupervisor does.
 */
import {
  type ExitMessage,
  type GenServer,
  IGNORE,
  isNormalReason,
  type Pid,
  type ProcessContext,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { afterSuspend } from './after-suspend.js';
import type { BackoffState } from './backoff.js';
import type { ResolvedChildSpec } from './child-spec.js';
import type { ResolvedDynamicOptions } from './dynamic-supervisor-options.js';
import { childNotFound, childStartFailed, maxChildrenReached } from './errors.js';
import {
  type ChildCounts,
  type ChildInfo,
  failed,
  ok,
  type SupervisorReply,
  type SupervisorRequest,
} from './protocol.js';
import { exitLevel, type Reporter, report, SupervisorEvent } from './reports.js';
import { RestartIntensity } from './restart-intensity.js';
import { isExpectedShutdownReason, shutdownChild, shutdownChildren } from './shutdown.js';
import { runStart } from './start-child.js';

/** One child of a dynamic supervisor. */
interface DynamicChild extends BackoffState {
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
class DynamicRestart {
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

async function startChild(
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

async function terminateChild(state: DynamicState, pid: Pid): Promise<SupervisorReply<void>> {
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
async function stopChildren(state: DynamicState, children: DynamicChild[]): Promise<void> {
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

function childExited(
  state: DynamicState,
  child: DynamicChild,
  reason: Reason,
): Result | Promise<Result> {
  report(
    state.reporter,
    exitLevel(reason, child.spec.restart),
    SupervisorEvent.childExited,
    reported(child),
    {
      reason,
    },
  );
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
    self.sendAfter(
      self.pid,
      new DynamicRestart(child.key, child.generation, 'start', reason),
      delayMs,
    );
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

function runRestart(state: DynamicState, request: DynamicRestart): Result | Promise<Result> {
  const child = state.children.get(request.key);
  if (child === undefined || child.generation !== request.generation || !child.restarting) {
    return { noreply: true, state };
  }
  if (request.phase === 'start') return startAgain(state, child);
  return restartChild(
    state,
    child,
    request.reason,
    state.options.backoff === null ? 'retry' : 'waited',
  );
}

/** Returns the error for id-based requests, which a dynamic supervisor rejects (OTP's simple_one_for_one). */
function noIds(supervisor: Pid, request: string): StarweaveError {
  return new StarweaveError(
    'ERR_INVALID_ARGUMENT',
    `${request} is not supported by dynamic supervisor ${supervisor}: its children have no ids; use DynamicSupervisor.terminateChild with the child's pid.`,
    { details: { supervisor, request } },
  );
}

function childInfos(state: DynamicState): ChildInfo[] {
  const infos: ChildInfo[] = [];
  for (const child of state.children.values()) {
    infos.push({
      id: undefined,
      pid: child.restarting ? 'restarting' : child.pid,
      type: child.spec.type,
      restart: child.spec.restart,
    });
  }
  return infos;
}

function countChildren(state: DynamicState): ChildCounts {
  let active = 0;
  let supervisors = 0;
  for (const child of state.children.values()) {
    if (!child.restarting) active++;
    if (child.spec.type === 'supervisor') supervisors++;
  }
  const specs = state.children.size;
  return { specs, active, supervisors, workers: specs - supervisors };
}

function init(options: ResolvedDynamicOptions, self: ProcessContext) {
  self.trapExit(true);
  const state: DynamicState = {
    self,
    reporter: { system: self.system, pid: self.pid, name: options.name },
    options,
    children: new Map(),
    intensity: new RestartIntensity(options.maxRestarts, options.maxSeconds),
    stopping: false,
  };
  return { state };
}

async function handleCall(request: SupervisorRequest, _from: unknown, state: DynamicState) {
  if (state.stopping) return { noreply: true as const, state };
  switch (request.type) {
    case 'whichChildren':
      return { reply: ok(childInfos(state)), state };
    case 'countChildren':
      return { reply: ok(countChildren(state)), state };
    case 'describe': {
      const description = {
        kind: 'dynamicSupervisor',
        name: state.options.name,
        strategy: 'oneForOne',
        children: childInfos(state),
      };
      return { reply: ok(description), state };
    }
    case 'startChild':
      return { reply: await afterSuspend(() => startChild(state, request.spec)), state };
    case 'terminateChild': {
      const pid = request.child as Pid;
      return { reply: await afterSuspend(() => terminateChild(state, pid)), state };
    }
    default:
      return { reply: failed(noIds(state.self.pid, request.type)), state };
  }
}

function handleInfo(message: unknown, state: DynamicState) {
  if (state.stopping) return { noreply: true as const, state };
  if ((message as ExitMessage | null)?.type === 'EXIT') {
    const { from, reason } = message as ExitMessage;
    const child = state.children.get(from.id);
    // Exits of children the supervisor stopped, or of other linked processes, are dropped.
    if (child === undefined || child.restarting || !child.pid.equals(from)) {
      return { noreply: true as const, state };
    }
    return afterSuspend(() => childExited(state, child, reason));
  }
  if (message instanceof DynamicRestart) return afterSuspend(() => runRestart(state, message));
  state.self.system.logger.log('warn', 'supervisor.unexpected_message', {
    supervisor: state.self.pid,
    supervisorName: state.options.name,
    message,
  });
  return { noreply: true as const, state };
}

/** Stops every running child at once before the supervisor exits. */
function terminate(_reason: Reason, state: DynamicState | undefined): Promise<void> | undefined {
  if (state === undefined) return undefined;
  state.stopping = true;
  const running = [...state.children.values()].filter((child) => !child.restarting);
  for (const child of state.children.values()) child.generation++;
  return stopChildren(state, running);
}

/** The GenServer spec of a dynamic supervisor process. */
export const DynamicSupervisorServer: GenServer.Spec<DynamicState, ResolvedDynamicOptions> = {
  name: 'DynamicSupervisor',
  init,
  handleCall: handleCall as GenServer.Spec<DynamicState, ResolvedDynamicOptions>['handleCall'],
  handleInfo,
  terminate,
};
