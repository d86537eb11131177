/**
 * The transport to one Python worker: it starts `<python> -m starweave_bridge`, carries frames
 * on file descriptors 3 and 4 or over ZeroMQ, turns stdout and stderr into log lines, and runs
 * the handshake. Supervision, calls and batching are built on top of it.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import {
  Codec,
  isStarweaveError,
  type Logger,
  StarweaveError,
  silentLogger,
} from '@starweave/actors';
import { type ChannelListener, type FrameChannel, PipeChannel } from './channel.js';
import {
  checkHello,
  checkWorkerFrame,
  DEFAULT_MAX_FRAME_BYTES,
  type NodeFrame,
  PROTOCOL_VERSION,
  type WorkerFrame,
  type WorkerHello,
} from './frames.js';
import { describeInterpreterProblem, probeInterpreter } from './interpreter-check.js';
import { readLines } from './line-reader.js';
import { defaultPython } from './python-path.js';
import { spawnWorker } from './spawn-worker.js';
import { checkOptions, type WorkerTransportOptions } from './transport-options.js';
import { ZmqChannel } from './zmq-channel.js';
import { ZmqRouter } from './zmq-router.js';

export type { WorkerTransportOptions, ZmqTransportOptions } from './transport-options.js';

/** The end of a worker process: its exit status or signal, both null for a remote worker. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Events of a {@link WorkerTransport}. */
export interface WorkerTransportEvents {
  /** A frame from the worker after the handshake. */
  frame: [WorkerFrame];
  /** One line the worker wrote to stdout. */
  stdout: [string];
  /** One line the worker wrote to stderr. */
  stderr: [string];
  /** A bad frame from the worker; a fatal ERR_DECODE on pipes means the worker was killed. */
  channelError: [StarweaveError];
  /** The worker process ended (its output has been read), or a remote session ended. */
  exit: [WorkerExit];
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
const KILL_AFTER_GRACE_MS = 2_000;
const STOP_AFTER_FAILED_START_MS = 1_000;
const STDERR_TAIL_LINES = 20;

let zmqNames = 0;

/**
 * A running Python worker and its frame channel. Start one with {@link WorkerTransport.start};
 * it resolves after the handshake.
 *
 * @example
 * ```ts
 * import { WorkerTransport } from '@starweave/ml-bridge';
 * const worker = await WorkerTransport.start({ handlers: ['starweave_bridge.examples'] });
 * const answer = new Promise((resolve) => worker.once('frame', resolve));
 * worker.send({ type: 'request', id: 1, handler: 'sum', payload: [1, 2], deadline: null });
 * console.log(await answer); // { type: 'response', id: 1, result: 3 }
 * await worker.close();
 * ```
 */
export class WorkerTransport extends EventEmitter<WorkerTransportEvents> {
  /** The worker's `hello`: its name, pid and handlers. */
  hello: WorkerHello | undefined;
  /** The frame size limit agreed in the handshake. */
  maxFrameBytes: number;
  /** Resolves when the process has ended and its output has been read. */
  readonly exited: Promise<WorkerExit>;

  private readonly options: WorkerTransportOptions;
  private readonly logger: Logger;
  private readonly python: string;
  private codec: Codec;
  private child: ChildProcess | undefined;
  private channel!: FrameChannel;
  private router: ZmqRouter | undefined;
  private identity: string | undefined;
  private readonly stderrTail: string[] = [];
  private exitInfo: WorkerExit | undefined;
  private resolveExited!: (exit: WorkerExit) => void;
  private spawnError: Error | undefined;
  private onHandshakeFrame: ((frame: WorkerFrame) => void) | undefined;

  private constructor(options: WorkerTransportOptions) {
    super();
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.python = options.python ?? defaultPython();
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.codec = new Codec({ maxBytes: this.maxFrameBytes });
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve;
    });
  }

  /**
   * Starts a worker and runs the handshake. Fails with ERR_PROTOCOL when the worker speaks
   * another protocol version. Fails with ERR_START_FAILED when the interpreter cannot start
   * or is unfit (too old, or missing msgpack or numpy), a handler module fails to import, or
   * the worker exits or sends no hello within `handshakeTimeoutMs`.
   */
  static async start(options: WorkerTransportOptions): Promise<WorkerTransport> {
    checkOptions(options);
    const transport = new WorkerTransport(options);
    const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const handshake = transport.open().then(() => transport.handshake(timeoutMs));
    try {
      await handshake;
    } catch (error) {
      await transport.stop(STOP_AFTER_FAILED_START_MS);
      throw await transport.explainStartFailure(error);
    }
    return transport;
  }

  /** The worker's operating-system process id (on its own machine for a remote worker). */
  get osPid(): number | undefined {
    return this.child?.pid ?? this.hello?.pid;
  }

  /** True for a worker that Node did not start and cannot kill. */
  get isRemote(): boolean {
    return this.child === undefined;
  }

  /** The worker's name: its hello's `worker`, else its ZeroMQ identity or process id. */
  get workerName(): string {
    return this.hello?.worker ?? this.identity ?? `pid ${this.child?.pid ?? 'unknown'}`;
  }

  /** The bound ZeroMQ endpoint, for a worker that uses ZeroMQ. */
  get endpoint(): string | undefined {
    return this.router?.endpoint;
  }

  /** True while the process runs (for a remote worker, while its session lasts). */
  get isRunning(): boolean {
    if (this.exitInfo !== undefined) return false;
    return this.child === undefined || (this.child.exitCode === null && !this.child.killed);
  }

  /**
   * Sends one frame. Fails with ERR_ENCODE or ERR_FRAME_TOO_LARGE before writing anything, and
   * with ERR_NOCONNECTION once the worker has exited. Returns false when the pipe's buffer is
   * full; wait for {@link WorkerTransport.drained} before sending more.
   */
  send(frame: NodeFrame): boolean {
    if (!this.isRunning) {
      throw new StarweaveError(
        'ERR_NOCONNECTION',
        `cannot send a ${frame.type} frame: worker ${this.workerName} is not running.`,
        { details: { worker: this.workerName } },
      );
    }
    return this.channel.write(this.codec.encode(frame));
  }

  /** Resolves when the channel to the worker can take more frames. */
  drained(): Promise<void> {
    return this.channel.drained();
  }

  /**
   * Stops the worker: sends `shutdown` with `graceMs` for requests in flight, then kills it if
   * it has not exited `graceMs` plus 2 seconds later. Resolves with how it ended. A remote
   * worker keeps running: its session ends, and a later transport with the same name resumes.
   */
  async close(graceMs = 5000): Promise<WorkerExit> {
    if (this.child === undefined) {
      this.finishExit({ code: null, signal: null });
      return this.exited;
    }
    if (this.isRunning && this.hello !== undefined) {
      try {
        this.send({ type: 'shutdown', graceMs });
      } catch (error) {
        if (!isStarweaveError(error, 'ERR_NOCONNECTION')) throw error;
      }
    } else {
      this.kill();
    }
    const timer = setTimeout(() => this.kill(), graceMs + KILL_AFTER_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the worker process at once (SIGKILL by default); ends a remote worker's session. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child === undefined) {
      this.finishExit({ code: null, signal: null });
      return;
    }
    if (this.exitInfo === undefined && this.child.exitCode === null) this.child.kill(signal);
  }

  // ---- start ----

  private async open(): Promise<void> {
    const listener: ChannelListener = {
      onFrame: (body) => this.receive(body),
      onError: (error, fatal) => this.reportChannelError(error, fatal),
    };
    const zmq = this.options.zmq;
    if (zmq !== undefined) {
      this.router = await ZmqRouter.acquire(zmq.endpoint, this.logger);
      this.identity = this.options.name ?? `python-zmq-${process.pid}-${++zmqNames}`;
      try {
        this.channel = new ZmqChannel(this.router, this.identity, this.maxFrameBytes, listener);
      } catch (error) {
        await this.router.release();
        this.router = undefined;
        throw error;
      }
      if (zmq.spawn === false) return;
    }

    const child = spawnWorker(
      this.options,
      this.python,
      this.maxFrameBytes,
      this.identity,
      this.router,
    );
    this.child = child;
    child.on('error', (error) => {
      this.spawnError = error;
    });
    if (this.router === undefined) {
      const pipes = new PipeChannel(
        child.stdio[3] as Writable,
        child.stdio[4] as Readable,
        this.maxFrameBytes,
        listener,
      );
      this.channel = pipes;
      child.on('exit', () => pipes.destroy());
    }
    readLines(child.stdout!, (line) => this.onOutputLine('stdout', line));
    readLines(child.stderr!, (line) => this.onOutputLine('stderr', line));
    child.on('close', (code, signal) => this.finishExit({ code, signal }));
  }

  private finishExit(exit: WorkerExit): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = exit;
    this.channel?.end();
    if (this.router !== undefined) void this.router.release();
    const clean = exit.code === 0 || (this.child === undefined && exit.signal === null);
    this.logger.log(clean ? 'info' : 'warn', 'bridge.worker_exited', {
      worker: this.workerName,
      osPid: this.osPid,
      code: exit.code,
      signal: exit.signal,
    });
    this.emit('exit', exit);
    this.resolveExited(exit);
  }

  /**
   * Closes the worker's input, which a pipe worker reads as end of file and exits on. Kills it
   * if it still runs `waitMs` later.
   */
  private async stop(waitMs: number): Promise<WorkerExit> {
    if (this.child === undefined) {
      this.finishExit({ code: null, signal: null });
      return this.exited;
    }
    // A ZeroMQ worker gets no end of file, so it is killed at once.
    if (this.router !== undefined) this.kill();
    else this.channel?.end();
    const timer = setTimeout(() => this.kill(), waitMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private handshake(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: StarweaveError) => {
        clearTimeout(timer);
        this.onHandshakeFrame = undefined;
        this.child?.off('error', onSpawnError);
        this.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        finish(this.startError(`sent no hello within ${timeoutMs} ms`));
      }, timeoutMs);
      const onSpawnError = (error: Error) => {
        finish(this.startError(`could not start: ${error.message}`, error));
      };
      const onExit = (exit: WorkerExit) => {
        if (this.spawnError !== undefined) {
          finish(this.startError(`could not start: ${this.spawnError.message}`, this.spawnError));
          return;
        }
        const how = exit.signal ? `signal ${exit.signal}` : `status ${exit.code}`;
        finish(this.startError(`exited with ${how} before the handshake`));
      };
      this.child?.once('error', onSpawnError);
      this.once('exit', onExit);

      const remembered = this.resumableSession();
      this.onHandshakeFrame = (frame) => {
        try {
          if (remembered !== undefined && frame.type !== 'hello') {
            this.resume(remembered);
            finish();
            this.emit('frame', frame);
            return;
          }
          finish(this.completeHandshake(frame));
        } catch (error) {
          finish(error as StarweaveError);
        }
      };
      if (remembered !== undefined) {
        // A remote worker that still runs replies at once; a fresh one sends its hello instead.
        this.channel.write(this.codec.encode({ type: 'heartbeat', seq: 0 }));
      }
    });
  }

  private resumableSession() {
    if (this.child !== undefined || this.router === undefined || this.identity === undefined) {
      return undefined;
    }
    return this.router.rememberedSession(this.identity);
  }

  private resume(session: { hello: WorkerHello; maxFrameBytes: number }): void {
    this.hello = session.hello;
    this.agree(session.maxFrameBytes);
    this.logger.log('info', 'bridge.worker_resumed', {
      worker: session.hello.worker,
      osPid: session.hello.pid,
      endpoint: this.endpoint,
    });
  }

  private completeHandshake(frame: WorkerFrame): undefined {
    if (frame.type === 'error') {
      throw this.startError(`failed to start: ${frame.message}`, undefined, {
        remoteCode: frame.code,
        errorType: frame.errorType,
        traceback: frame.traceback,
      });
    }
    let hello: WorkerHello;
    try {
      hello = checkHello(frame);
    } catch (error) {
      const refusal = (error as StarweaveError).message;
      this.channel.write(
        this.codec.encode({
          type: 'error',
          id: null,
          code: 'ERR_PROTOCOL',
          errorType: 'ProtocolError',
          message: refusal,
          traceback: null,
        }),
      );
      throw error;
    }
    const agreed = Math.min(this.maxFrameBytes, hello.maxFrameBytes);
    this.channel.write(
      this.codec.encode({ type: 'hello', protocol: PROTOCOL_VERSION, maxFrameBytes: agreed }),
    );
    this.hello = hello;
    this.agree(agreed);
    if (this.router !== undefined && this.identity !== undefined) {
      this.router.rememberSession(this.identity, { hello, maxFrameBytes: agreed });
    }
    this.logger.log('info', 'bridge.worker_started', {
      worker: hello.worker,
      osPid: hello.pid,
      handlers: hello.handlers.map((handler) => handler.name),
      maxFrameBytes: agreed,
      endpoint: this.endpoint,
    });
    return undefined;
  }

  private agree(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
    this.codec = new Codec({ maxBytes: maxFrameBytes });
    this.channel.setMaxFrameBytes(maxFrameBytes);
  }

  private async explainStartFailure(error: unknown): Promise<unknown> {
    if (!isStarweaveError(error, 'ERR_START_FAILED') || this.child === undefined) return error;
    if (this.hello !== undefined || error.details?.remoteCode !== undefined) return error;
    const notFound = (this.spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    const problem = notFound
      ? `the Python interpreter ${this.python} was not found. Pass the python option or set ` +
        'STARWEAVE_PYTHON to an interpreter such as /usr/bin/python3.'
      : describeInterpreterProblem(this.python, await probeInterpreter(this.python));
    if (problem === undefined) return error;
    return new StarweaveError('ERR_START_FAILED', `${error.message}\n${problem}`, {
      cause: error.cause,
      details: { ...error.details, python: this.python, problem },
    });
  }

  // ---- frames ----

  private receive(body: Uint8Array): void {
    let frame: WorkerFrame;
    try {
      frame = checkWorkerFrame(this.codec.decode(body));
    } catch (error) {
      if (!isStarweaveError(error)) throw error;
      if (error.code === 'ERR_PROTOCOL') {
        this.reportChannelError(error, false);
        return;
      }
      const invalid = new StarweaveError(
        'ERR_DECODE',
        `invalid frame from the worker: ${error.message}`,
        { cause: error },
      );
      this.reportChannelError(invalid, !this.channel.keepsFraming);
      return;
    }
    if (this.onHandshakeFrame) {
      this.onHandshakeFrame(frame);
      return;
    }
    if (frame.type === 'hello' && this.child === undefined && this.router !== undefined) {
      this.startNewSession(body);
      return;
    }
    if (frame.type === 'log') this.logRemote(frame);
    this.emit('frame', frame);
  }

  /**
   * Ends this session when a remote worker sends a hello again, because the worker has
   * restarted and lost its requests. The hello waits on the router for the next transport of
   * that name.
   */
  private startNewSession(body: Uint8Array): void {
    const message = Buffer.allocUnsafe(4 + body.length);
    message.writeUInt32BE(body.length, 0);
    message.set(body, 4);
    this.router!.keepUnclaimed(this.identity!, message);
    this.logger.log('warn', 'bridge.worker_restarted_remotely', {
      worker: this.workerName,
      endpoint: this.endpoint,
    });
    this.finishExit({ code: null, signal: null });
  }

  private reportChannelError(error: StarweaveError, fatal: boolean): void {
    this.logger.log(fatal ? 'error' : 'warn', 'bridge.channel_error', {
      worker: this.workerName,
      code: error.code,
      message: error.message,
    });
    if (fatal) {
      // The byte stream can no longer be split into frames, so the worker is of no further use.
      this.kill();
    }
    if (this.listenerCount('channelError') > 0) this.emit('channelError', error);
  }

  private logRemote(frame: Extract<WorkerFrame, { type: 'log' }>): void {
    const level = frame.level === 'warning' ? 'warn' : frame.level;
    const known = level === 'debug' || level === 'info' || level === 'warn' || level === 'error';
    this.logger.log(known ? level : 'info', frame.event, {
      ...frame.fields,
      worker: this.hello?.worker,
      logger: frame.logger,
      message: frame.message,
    });
  }

  private onOutputLine(stream: 'stdout' | 'stderr', line: string): void {
    if (stream === 'stderr') {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    }
    // The worker's own stderr lines start with their level, as `WARNING bridge.request_failed`.
    const level = /^(ERROR|CRITICAL)\b/.test(line)
      ? 'error'
      : /^WARNING\b/.test(line)
        ? 'warn'
        : 'info';
    this.logger.log(level, `bridge.${stream}`, { worker: this.workerName, line });
    this.emit(stream, line);
  }

  private startError(
    problem: string,
    cause?: unknown,
    details: Record<string, unknown> = {},
  ): StarweaveError {
    const stderr = this.stderrTail.join('\n');
    const tail = stderr ? `\nLast stderr lines:\n${stderr}` : '';
    return new StarweaveError(
      'ERR_START_FAILED',
      `Python worker ${this.workerName} ${problem}.${tail}`,
      { cause, details: { ...details, worker: this.workerName, stderr } },
    );
  }
}
