/**
 * Application: applications started in order, each a root supervisor started from a module
 * with its configuration. They stop in reverse order on request, or on SIGTERM and SIGINT,
 * within a time bound, and end with an exit code that the main script passes to process.exit.
 */
import {
  ActorSystem,
  describe,
  invalidArgument,
  type LogLevel,
  type Pid,
  type Reason,
  type Ref,
} from '@starweave/actors';
import {
  type ApplicationModule,
  type MasterHooks,
  masterBody,
  StopApplication,
} from './application-master.js';

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

interface AppRecord {
  readonly module: ApplicationModule;
  readonly config: unknown;
  readonly name: string;
  root: Pid | undefined;
  master: Pid | undefined;
  phase: 'starting' | 'running' | 'stopping' | 'stopped';
  /** Settles the pending start or stop of this application. */
  settle: ((outcome: 'ok' | 'failed') => void) | null;
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

/** Starts and stops a group of applications; see {@link RunningApplications}. */
class ApplicationController implements RunningApplications {
  readonly exitCode: Promise<number>;
  status: ApplicationStatus = 'running';
  failure: { application: string; reason: Reason } | undefined = undefined;
  private resolveExit!: (code: number) => void;
  private timedOut = false;
  private stopping: Promise<number> | null = null;
  /** The start in progress, which a stop waits for so that it stops that application too. */
  private starting: Promise<'ok' | 'failed'> = Promise.resolve('ok');
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  private keepAliveTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly system: ActorSystem,
    private readonly apps: AppRecord[],
    private readonly stopTimeoutMs: number,
  ) {
    this.exitCode = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  run(): Promise<number> {
    return this.exitCode;
  }

  whereis(name: string): Pid | undefined {
    const app = this.apps.find((candidate) => candidate.name === name);
    return app?.phase === 'running' ? app.root : undefined;
  }

  private log(level: LogLevel, event: string, fields: Record<string, unknown>): void {
    this.system.logger.log(level, event, fields);
    if (this.system.telemetry.listenerCount(event) > 0) this.system.telemetry.emit(event, fields);
  }

  /** Starts the applications in order; on a failure, stops those already started. */
  async startAll(): Promise<void> {
    for (const app of this.apps) {
      // A signal may have asked for a stop meanwhile; the rest then never start.
      if (this.stopping !== null) {
        app.phase = 'stopped';
        continue;
      }
      this.starting = this.startOne(app);
      const outcome = await this.starting;
      if (outcome === 'failed') {
        await this.stop();
        return;
      }
    }
  }

  private startOne(app: AppRecord): Promise<'ok' | 'failed'> {
    return new Promise((resolve) => {
      app.settle = resolve;
      const hooks: MasterHooks = {
        started: (root) => {
          app.root = root;
          app.phase = 'running';
          this.log('info', 'application.started', { application: app.name, pid: root });
          this.settle(app, 'ok');
        },
        startFailed: (reason) => this.startFailed(app, reason),
        exited: (reason) => this.exited(app, reason),
        stopped: (reason) => {
          app.phase = 'stopped';
          this.log('info', 'application.stopped', { application: app.name, reason });
          this.settle(app, 'ok');
        },
      };
      app.master = this.system.spawn(masterBody(app.module, app.config, hooks));
      // A master ended from outside (such as by system.shutdown) reports through its DOWN.
      this.system.monitor(app.master, (down) => {
        if (app.phase === 'starting') this.startFailed(app, down.reason);
        else if (app.phase !== 'stopped') this.exited(app, down.reason);
      });
    });
  }

  private settle(app: AppRecord, outcome: 'ok' | 'failed'): void {
    const settle = app.settle;
    app.settle = null;
    settle?.(outcome);
  }

  private startFailed(app: AppRecord, reason: Reason): void {
    if (app.phase !== 'starting') return;
    app.phase = 'stopped';
    this.failure ??= { application: app.name, reason };
    this.log('error', 'application.start_failed', { application: app.name, reason });
    this.settle(app, 'failed');
  }

  /** Handles a root supervisor that exited by itself: its application gave up, so all stop. */
  private exited(app: AppRecord, reason: Reason): void {
    if (app.phase === 'stopped') return;
    const wasStopping = app.phase === 'stopping';
    app.phase = 'stopped';
    if (!wasStopping) {
      this.failure ??= { application: app.name, reason };
      this.log('error', 'application.exited', { application: app.name, pid: app.root, reason });
      void this.stop();
    }
    this.settle(app, 'ok');
  }

  stop(): Promise<number> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<number> {
    this.status = 'stopping';
    this.removeSignalHandlers();
    await this.starting;
    const deadline = this.system.clock.now() + this.stopTimeoutMs;
    for (let i = this.apps.length - 1; i >= 0; i--) {
      const app = this.apps[i]!;
      if (app.phase !== 'running') continue;
      await this.stopOne(app, Math.max(0, deadline - this.system.clock.now()));
    }
    this.status = 'stopped';
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    const code = this.failure !== undefined || this.timedOut ? 1 : 0;
    this.resolveExit(code);
    return code;
  }

  private stopOne(app: AppRecord, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: Ref | null = null;
      app.phase = 'stopping';
      app.settle = () => {
        if (timer !== null && !this.system.isStopped) this.system.cancelTimer(timer);
        resolve();
      };
      // A master already gone (such as during the system's shutdown) has nothing left to stop.
      if (this.system.isStopped || !this.system.isAlive(app.master!)) {
        this.exited(app, 'shutdown');
        return;
      }
      timer = this.system.trackTimer(() => {
        this.timedOut = true;
        this.log('error', 'application.stop_timeout', { application: app.name, timeoutMs });
        if (app.root !== undefined) this.system.exit(app.root, 'kill');
        if (app.master !== undefined) this.system.exit(app.master, 'kill');
      }, timeoutMs);
      this.system.send(app.master!, new StopApplication());
    });
  }

  /** Keeps the event loop alive until the applications have stopped. */
  keepEventLoopAlive(): void {
    // The longest delay Node accepts; the timer only keeps the loop open.
    this.keepAliveTimer = setInterval(() => {}, 2 ** 31 - 1);
  }

  /** Stops the applications on the first of `signals`. */
  installSignalHandlers(signals: readonly NodeJS.Signals[]): void {
    for (const signal of signals) {
      const handler = () => {
        this.log('info', 'application.signal_received', { signal });
        void this.stop();
      };
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  private removeSignalHandlers(): void {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.signalHandlers.clear();
  }
}

/**
 * Starts applications in order, each from its module and configuration, and resolves once
 * all have started or one failed (the others are then stopped in reverse order and
 * `exitCode` resolves to 1). Never calls process.exit: a main script awaits `run()`.
 *
 * @example
 * ```ts
 * import { ActorSystem, GenServer, silentLogger } from '@starweave/actors';
 * import { Application, Supervisor } from '@starweave/supervision';
 *
 * const Clock: GenServer.Spec<null, void> = { init: () => ({ state: null }) };
 * const ClockApp = {
 *   name: 'clock',
 *   start: (ctx: any, config: { workers: number }) =>
 *     Supervisor.startLink(
 *       ctx,
 *       Array.from({ length: config.workers }, (_, i) => ({
 *         id: `clock-${i}`,
 *         start: (sup: any) => GenServer.startLink(sup, Clock, undefined),
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
  if (options === null || typeof options !== 'object')
    invalidArgument('options', 'an options object', options);
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  if (typeof stopTimeoutMs !== 'number' || !Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0) {
    invalidArgument(
      'options.stopTimeoutMs',
      'a non-negative number of milliseconds',
      stopTimeoutMs,
    );
  }
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(signals))
    invalidArgument('options.signals', 'an array of signal names', signals);

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
