/**
 * The controller of applications started together: it starts their masters in order, stops
 * them in reverse order within the time bound, installs the signal handlers, and settles the
 * exit code.
 */
import type { ActorSystem, LogLevel, Pid, Reason, Ref } from '@starweave/actors';
import type { ApplicationStatus, RunningApplications } from './application.js';
import {
  type ApplicationModule,
  type MasterHooks,
  masterBody,
  StopApplication,
} from './application-master.js';

/** One application of the group, and where it is in its life. */
export interface AppRecord {
  readonly module: ApplicationModule;
  readonly config: unknown;
  readonly name: string;
  root: Pid | undefined;
  master: Pid | undefined;
  phase: 'starting' | 'running' | 'stopping' | 'stopped';
  /** Settles the pending start or stop of this application. */
  settle: ((outcome: 'ok' | 'failed') => void) | null;
}

/** Starts and stops a group of applications; see {@link RunningApplications}. */
export class ApplicationController implements RunningApplications {
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
    // The maximum delay Node accepts; the timer only keeps the loop open.
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
