/**
 * Application: applications started in order, each a root supervisor started from a module
 * with its configuration. They stop in reverse order on request, or on SIGTERM and SIGINT,
 * within a time bound, and end with an exit code that the main script passes to process.exit.
 */
import { ActorSystem, describe, invalidArgument, type Pid, type Reason } from '@starweave/actors';
import { ApplicationController, type AppRecord } from './application-controller.js';
import type { ApplicationModule } from './application-master.js';

/** An application to start: a module, or a module with its configuration. */
export type ApplicationEntry<C = any> =
  | ApplicationModule<C>
  | { module: ApplicationModule<C>; config: C };

/** Options of `Application.start`. */
export interface ApplicationOptions {
  /**
   * Stops the applications gracefully on the first of `signals` (default SIGTERM and SIGINT);
   * a second signal then takes Node's default action. Default false.
   */
  handleSignals?: boolean;
  /** The signals that stop the applications. Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /**
   * Keeps Node's event loop alive while the applications run, as a listening socket would, so
   * that a main script awaiting `run()` waits for a stop even when every process is idle.
   * Default true.
   */
  keepAlive?: boolean;
  /**
   * Time for the whole stop, on the system clock: applications still running then are killed
   * and the exit code is 1. Default 30,000 ms.
   */
  stopTimeoutMs?: number;
}

/** The stage the applications are in. */
export type ApplicationStatus = 'running' | 'stopping' | 'stopped';

/** Applications started together, as `Application.start` returns them. */
export interface RunningApplications {
  /**
   * Resolves once every application has stopped: 0 after a stop (requested or by signal) that
   * completed in time, 1 when a start failed, a root supervisor exited by itself (it gave up),
   * or the stop ran out of time. The reason is logged.
   */
  readonly exitCode: Promise<number>;
  /** Returns {@link RunningApplications.exitCode}, for `process.exit(await app.run())`. */
  run(): Promise<number>;
  /** Stops the applications in reverse start order and resolves with the exit code. */
  stop(): Promise<number>;
  readonly status: ApplicationStatus;
  /** The application and reason that made the exit code 1, once the applications ended. */
  readonly failure: { readonly application: string; readonly reason: Reason } | undefined;
  /** Returns the pid of an application's root supervisor while it runs. */
  whereis(name: string): Pid | undefined;
}

function normalizeEntry(
  entry: unknown,
  index: number,
): { module: ApplicationModule; config: unknown } {
  const where = `apps[${index}]`;
  const candidate =
    entry !== null && typeof entry === 'object' && 'module' in entry
      ? (entry as { module: unknown; config?: unknown })
      : { module: entry, config: undefined };
  const module = candidate.module as ApplicationModule | null;
  if (module === null || typeof module !== 'object' || typeof module.start !== 'function') {
    return invalidArgument(
      where,
      'an application module { name, start(ctx, config), stop? } or { module, config }',
      entry,
    );
  }
  if (typeof module.name !== 'string' || module.name.length === 0) {
    invalidArgument(`${where}.name`, 'a non-empty string', module.name);
  }
  if (module.stop !== undefined && typeof module.stop !== 'function') {
    invalidArgument(`${where}.stop`, 'a function or undefined', module.stop);
  }
  return { module, config: candidate.config };
}

/**
 * Starts applications in order, each from its module and configuration, and resolves once
 * all have started or one failed (the others are then stopped in reverse order and
 * `exitCode` resolves to 1). Never calls process.exit: a main script awaits `run()`.
 *
 * @example
 * ```ts
 * import { ActorSystem, GenServer, type ProcessContext, silentLogger } from '@starweave/actors';
 * import { Application, type ApplicationModule, Supervisor } from '@starweave/supervision';
 *
 * const Clock: GenServer.Spec<null, void> = { init: () => ({ state: null }) };
 * const ClockApp: ApplicationModule<{ workers: number }> = {
 *   name: 'clock',
 *   start: (ctx, config) =>
 *     Supervisor.startLink(
 *       ctx,
 *       Array.from({ length: config.workers }, (_, i) => ({
 *         id: `clock-${i}`,
 *         start: (sup: ProcessContext) => GenServer.startLink(sup, Clock, undefined),
 *       })),
 *     ),
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const app = await Application.start(system, [{ module: ClockApp, config: { workers: 2 } }]);
 * console.assert(app.status === 'running');
 * console.assert((await app.stop()) === 0);
 * await system.shutdown();
 * ```
 */
export async function start(
  system: ActorSystem,
  apps: readonly ApplicationEntry[],
  options: ApplicationOptions = {},
): Promise<RunningApplications> {
  if (!(system instanceof ActorSystem)) invalidArgument('system', 'an ActorSystem', system);
  if (!Array.isArray(apps) || apps.length === 0) {
    invalidArgument('apps', 'a non-empty array of application modules', apps);
  }
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  if (typeof stopTimeoutMs !== 'number' || !Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0) {
    invalidArgument(
      'options.stopTimeoutMs',
      'a non-negative number of milliseconds',
      stopTimeoutMs,
    );
  }
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(signals)) {
    invalidArgument('options.signals', 'an array of signal names', signals);
  }

  const records: AppRecord[] = [];
  const names = new Set<string>();
  apps.forEach((entry, index) => {
    const { module, config } = normalizeEntry(entry, index);
    if (names.has(module.name)) {
      invalidArgument(
        `apps[${index}].name`,
        'a name no other application uses',
        module.name,
        `Rename one of the applications called ${describe(module.name)}.`,
      );
    }
    names.add(module.name);
    records.push({
      module,
      config,
      name: module.name,
      root: undefined,
      master: undefined,
      phase: 'starting',
      settle: null,
    });
  });

  const controller = new ApplicationController(system, records, stopTimeoutMs);
  if (options.handleSignals === true) controller.installSignalHandlers(signals);
  if (options.keepAlive !== false) controller.keepEventLoopAlive();
  await controller.startAll();
  return controller;
}

export type { ApplicationModule } from './application-master.js';
