/**
 * The application master: one process per running application that traps exits, starts the
 * application's root supervisor linked to itself, reports when that supervisor exits, and
 * stops it with a `'shutdown'` exit signal on request, as OTP's application master does.
 */
import {
  describe,
  type ExitMessage,
  isIgnored,
  Pid,
  type ProcessContext,
  type ProcessFunction,
  type Reason,
  StarweaveError,
} from '@starweave/actors';
import { startFailureReason } from './start-child.js';

/**
 * An application: a name, a start function that starts its root supervisor linked to `ctx`
 * with the configuration, and an optional stop function called after the supervisor stopped.
 */
export interface ApplicationModule<C = any, S = any> {
  /** The application's name, unique among the applications started together. */
  readonly name: string;
  /** Starts the root supervisor linked to `ctx`; may also return a state for `stop`. */
  start(ctx: ProcessContext, config: C): Promise<Pid | { pid: Pid; state: S }>;
  /** Cleans up after the root supervisor has stopped; gets the state `start` returned. */
  stop?(state: S): void | Promise<void>;
}

/** The callbacks through which the master reports to the application controller. */
export interface MasterHooks {
  started(root: Pid): void;
  startFailed(reason: Reason): void;
  /** The root supervisor exited without being asked to. */
  exited(reason: Reason): void;
  /** The root supervisor stopped on request and `stop` has run. */
  stopped(reason: Reason): void;
}

/** Asks a master to stop its application. */
export class StopApplication {}

function isExitOf(message: unknown, pid: Pid): message is ExitMessage {
  const exit = message as ExitMessage | null;
  return exit?.type === 'EXIT' && exit.from instanceof Pid && exit.from.equals(pid);
}

/** Returns the root pid and state that `start` resolved to, or throws for anything else. */
function started(result: unknown, name: string): { root: Pid; state: unknown } {
  if (result instanceof Pid && !isIgnored(result)) return { root: result, state: undefined };
  if (result !== null && typeof result === 'object' && 'pid' in result) {
    const { pid, state } = result as { pid: unknown; state?: unknown };
    if (pid instanceof Pid && !isIgnored(pid)) return { root: pid, state };
  }
  throw new StarweaveError(
    'ERR_BAD_RETURN',
    `application ${describe(name)} start resolved to ${describe(result)}; expected the root supervisor's pid or { pid, state }.`,
    { details: { application: name, value: result } },
  );
}

/** Returns the body of the master process of `module` started with `config`. */
export function masterBody(
  module: ApplicationModule,
  config: unknown,
  hooks: MasterHooks,
): ProcessFunction {
  return async (self) => {
    self.trapExit(true);
    let root: Pid;
    let state: unknown;
    try {
      ({ root, state } = started(await module.start(self, config), module.name));
    } catch (error) {
      hooks.startFailed(startFailureReason(error));
      // Ends processes the start left linked to the master, as a failed start should.
      self.exit('shutdown');
      return;
    }
    self.link(root);
    hooks.started(root);

    const message = await self.receive(
      (m: unknown): boolean => m instanceof StopApplication || isExitOf(m, root),
    );
    if (!(message instanceof StopApplication)) {
      hooks.exited((message as ExitMessage).reason);
      return;
    }

    self.exit(root, 'shutdown');
    const exit = (await self.receive((m: unknown): boolean => isExitOf(m, root))) as ExitMessage;
    try {
      await module.stop?.(state);
    } catch (error) {
      self.system.logger.log('error', 'application.stop_failed', {
        application: module.name,
        reason: startFailureReason(error),
      });
    }
    hooks.stopped(exit.reason);
  };
}
