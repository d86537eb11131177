/**
 * The supervisor process: a GenServer that traps exits, starts its children in order, handles
 * their exits and the child management requests, and stops its children in reverse order when
 * it exits. OTP's supervisor is built on gen_server the same way.
 */
import type { ExitMessage, GenServer, ProcessContext, Reason } from '@starweave/actors';
import { afterSuspend } from './after-suspend.js';
import {
  childSpecById,
  countChildren,
  deleteChildById,
  describeSupervisor,
  restartChildById,
  startNewChild,
  terminateChildById,
} from './child-management.js';
import type { ResolvedChildSpec } from './child-spec.js';
import { newRecord } from './child-table.js';
import { ok, type SupervisorRequest } from './protocol.js';
import { childExited, RestartRequest, runRestartRequest } from './restarts.js';
import type { ResolvedSupervisorOptions } from './supervisor-options.js';
import {
  childInfo,
  createState,
  type SupervisorState,
  startRecord,
  stopAll,
} from './supervisor-state.js';

/** The start argument of a supervisor process. */
export interface SupervisorArg {
  readonly specs: readonly ResolvedChildSpec[];
  readonly options: ResolvedSupervisorOptions;
}

/**
 * The exit reason of a supervisor whose child failed to start during its own start, as OTP's
 * `{shutdown, {failed_to_start_child, Id, Reason}}`.
 */
export interface FailedToStartChild {
  readonly failedToStartChild: string;
  readonly reason: Reason;
}

/** Returns the failure inside a `{ shutdown: FailedToStartChild }` exit reason, if it is one. */
export function failedToStartChild(reason: unknown): FailedToStartChild | undefined {
  if (reason === null || typeof reason !== 'object' || !('shutdown' in reason)) return undefined;
  const inner = (reason as { shutdown: unknown }).shutdown;
  if (inner === null || typeof inner !== 'object' || !('failedToStartChild' in inner)) {
    return undefined;
  }
  return inner as FailedToStartChild;
}

function isExit(message: unknown): message is ExitMessage {
  return (message as ExitMessage | null)?.type === 'EXIT';
}

/**
 * Starts the children in order. When one fails, the children already started are stopped in
 * reverse order and the supervisor exits with `{ shutdown: { failedToStartChild, reason } }`.
 */
async function init(arg: SupervisorArg, self: ProcessContext) {
  self.trapExit(true);
  const state = createState(self, arg.options);
  for (const spec of arg.specs) {
    const record = newRecord(spec);
    state.children.add(record);
    const outcome = await startRecord(state, record, false);
    if ('error' in outcome) {
      state.children.remove(record);
      await stopAll(state);
      const failure: FailedToStartChild = { failedToStartChild: spec.id, reason: outcome.error };
      return { stop: { shutdown: failure } };
    }
    if ('ignored' in outcome && spec.restart === 'temporary') state.children.remove(record);
  }
  return { state };
}

async function handleCall(request: SupervisorRequest, _from: unknown, state: SupervisorState) {
  // A stopping supervisor does not reply, so the caller sees it exit, as with OTP.
  if (state.stopping) return { noreply: true as const, state };
  switch (request.type) {
    case 'whichChildren':
      return { reply: ok(state.children.list.map(childInfo)), state };
    case 'countChildren':
      return { reply: ok(countChildren(state)), state };
    case 'describe':
      return { reply: ok(describeSupervisor(state)), state };
    case 'startChild':
      return { reply: await afterSuspend(() => startNewChild(state, request.spec)), state };
    case 'terminateChild': {
      const id = String(request.child);
      return { reply: await afterSuspend(() => terminateChildById(state, id)), state };
    }
    case 'restartChild':
      return { reply: await afterSuspend(() => restartChildById(state, request.id)), state };
    case 'deleteChild':
      return { reply: deleteChildById(state, request.id), state };
    case 'getChildSpec':
      return { reply: childSpecById(state, request.id), state };
  }
}

function handleInfo(message: unknown, state: SupervisorState) {
  if (state.stopping) return { noreply: true as const, state };
  if (isExit(message)) {
    // An exit of a process that is no longer a child (one the supervisor stopped) is dropped.
    const record = state.children.findByPid(message.from);
    if (record === undefined) return { noreply: true as const, state };
    return afterSuspend(() => childExited(state, record, message.reason));
  }
  if (message instanceof RestartRequest) {
    return afterSuspend(() => runRestartRequest(state, message));
  }
  state.self.system.logger.log('warn', 'supervisor.unexpected_message', {
    supervisor: state.self.pid,
    supervisorName: state.options.name,
    message,
  });
  return { noreply: true as const, state };
}

/** Stops the children in reverse start order before the supervisor exits. */
function terminate(_reason: Reason, state: SupervisorState | undefined): Promise<void> | undefined {
  if (state === undefined) return undefined;
  state.stopping = true;
  return stopAll(state);
}

/** The GenServer spec of a supervisor process. */
export const SupervisorServer: GenServer.Spec<SupervisorState, SupervisorArg> = {
  name: 'Supervisor',
  init,
  handleCall: handleCall as GenServer.Spec<SupervisorState, SupervisorArg>['handleCall'],
  handleInfo,
  terminate,
};
