/**
 * The dynamic supervisor process: a GenServer that traps exits and supervises children started
 * on demand, keyed by pid, restarting them one for one and stopping them all at once when it
 * exits, as Elixir's DynamicSupervisor does.
 */
import {
  type ExitMessage,
  type GenServer,
  type Pid,
  type ProcessContext,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { afterSuspend } from './after-suspend.js';
import {
  childExited,
  DynamicRestart,
  type DynamicState,
  runRestart,
  startChild,
  stopChildren,
  terminateChild,
} from './dynamic-children.js';
import type { ResolvedDynamicOptions } from './dynamic-supervisor-options.js';
import {
  type ChildCounts,
  type ChildInfo,
  failed,
  ok,
  type SupervisorRequest,
} from './protocol.js';
import { RestartIntensity } from './restart-intensity.js';

/**
 * Returns the error for id-based requests, which a dynamic supervisor rejects, as OTP's
 * simple_one_for_one does.
 */
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
