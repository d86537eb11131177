/**
 * The transport to one Python worker process: it starts `<python> -m starweave_bridge`, sends
 * frames on file descriptor 3, reads them from descriptor 4, turns stdout and stderr into log
 * lines, and runs the handshake. Supervision, calls and batching are built on top of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { delimiter } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  Codec,
  isStarweaveError,
  type Logger,
  StarweaveError,
  silentLogger,
} from '@starweave/actors';
import { encodeFrameHeader, FrameDecoder } from './frame-decoder.js';
import {
  checkHello,
  checkWorkerFrame,
  DEFAULT_MAX_FRAME_BYTES,
  type NodeFrame,
  PROTOCOL_VERSION,
  type WorkerFrame,
  type WorkerHello,
} from './frames.js';
import { readLines } from './line-reader.js';
import { defaultPythonPath } from './python-path.js';

/** Options of {@link WorkerTransport.start}. */
export interface WorkerTransportOptions {
  /** Python modules whose `@handler` functions the worker offers. */
  handlers: readonly string[];
  /** The interpreter. Default: `STARWEAVE_PYTHON` from the environment, else `python3`. */
  python?: string;
  /** The folder that contains `starweave_bridge`. Default: {@link defaultPythonPath}. */
  pythonPath?: string;
  /** The worker name in its `hello`. Default: `python-<pid>`, chosen by the worker. */
  name?: string;
  /** The largest frame body in bytes; the handshake takes the smaller of both sides. */
  maxFrameBytes?: number;
  /** How long the worker may take to import its handlers and send `hello`. Default 30000. */
  handshakeTimeoutMs?: number;
  /** More command-line arguments for the worker, such as `['--threads', '8']`. */
  args?: readonly string[];
  /** Extra environment variables for the worker. */
  env?: Record<string, string>;
  /** The logger of stdout and stderr lines, `log` frames and channel errors. Default: silent. */
  logger?: Logger;
}

/** The exit status or signal of a worker process. */
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
  /** A bad frame from the worker; ERR_DECODE means the framing is lost and the worker killed. */
  channelError: [StarweaveError];
  /** The worker process ended and its output has been read. */
  exit: [WorkerExit];
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
const KILL_AFTER_GRACE_MS = 2_000;
const STOP_AFTER_FAILED_START_MS = 1_000;
const STDERR_TAIL_LINES = 20;
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * A running Python worker and its frame channel. Start one with {@link WorkerTransport.start};
 * it resolves after the handshake.
 *
 * @example
 * ```ts
 * import { WorkerTransport } from '@starweave/ml-bridge';
 * const worker = await WorkerTransport.start({ handlers: ['starweave_bridge.examples'] });
 * worker.on('frame', (frame) => console.log(frame)); // { type: 'response', id: 1, result: 3 }
 * worker.send({ type: 'request', id: 1, handler: 'sum', payload: [1, 2], deadline: null });
 * ```
 */
export class WorkerTransport extends EventEmitter<WorkerTransportEvents> {
  /** The worker's `hello`: its name, pid and handlers. */
  hello: WorkerHello | undefined;
  /** The frame size limit agreed in the handshake. */
  maxFrameBytes: number;
  /** Resolves when the process has ended and its output has been read. */
  readonly exited: Promise<WorkerExit>;

  private readonly child: ChildProcess;
  private readonly input: Writable;
  private readonly logger: Logger;
  private codec: Codec;
  private readonly decoder: FrameDecoder;
  private readonly stderrTail: string[] = [];
  private exitInfo: WorkerExit | undefined;
  private onHandshakeFrame: ((frame: WorkerFrame) => void) | undefined;

  private constructor(options: WorkerTransportOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.codec = new Codec({ maxBytes: this.maxFrameBytes });
    this.decoder = new FrameDecoder({
      maxFrameBytes: this.maxFrameBytes,
      onFrame: (body) => this.receive(body),
      onError: (error) => this.reportChannelError(error),
    });

    this.child = spawnWorker(options, this.maxFrameBytes);
    this.input = this.child.stdio[3] as Writable;
    const output = this.child.stdio[4] as Readable;
    // A write after the worker died fails with EPIPE; the exit event reports the death.
    this.input.on('error', () => {});
    output.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    readLines(this.child.stdout!, (line) => this.onOutputLine('stdout', line));
    readLines(this.child.stderr!, (line) => this.onOutputLine('stderr', line));

    this.exited = new Promise((resolve) => {
      this.child.on('exit', () => this.input.destroy());
      this.child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.logger.log(code === 0 ? 'info' : 'warn', 'bridge.worker_exited', {
          worker: this.hello?.worker,
          osPid: this.child.pid,
          code,
          signal,
        });
        this.emit('exit', this.exitInfo);
        resolve(this.exitInfo);
      });
    });
  }

  /**
   * Starts a worker and runs the handshake. Fails with ERR_PROTOCOL when the worker speaks
   * another protocol version. Fails with ERR_START_FAILED when the interpreter cannot start, a
   * handler module fails to import, or the worker exits or sends no hello within
   * `handshakeTimeoutMs`.
   */
  static async start(options: WorkerTransportOptions): Promise<WorkerTransport> {
    checkOptions(options);
    const transport = new WorkerTransport(options);
    try {
      await transport.handshake(options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    } catch (error) {
      await transport.stop(STOP_AFTER_FAILED_START_MS);
      throw error;
    }
    return transport;
  }

  /** The worker's operating-system process id. */
  get osPid(): number | undefined {
    return this.child.pid;
  }

  /** True while the process runs. */
  get isRunning(): boolean {
    return this.exitInfo === undefined && this.child.exitCode === null && !this.child.killed;
  }

  /**
   * Sends one frame. Fails with ERR_ENCODE or ERR_FRAME_TOO_LARGE before writing anything, and
   * with ERR_NOCONNECTION once the worker has exited. Returns false when the pipe's buffer is
   * full; wait for {@link WorkerTransport.drained} before sending more.
   */
  send(frame: NodeFrame): boolean {
    if (!this.isRunning || this.input.destroyed) {
      throw new StarweaveError(
        'ERR_NOCONNECTION',
        `cannot send a ${frame.type} frame: worker ${this.describeWorker()} is not running.`,
      );
    }
    const body = this.codec.encode(frame);
    this.input.write(encodeFrameHeader(body.length));
    return this.input.write(body);
  }

  /** Resolves when the pipe to the worker can take more frames. */
  drained(): Promise<void> {
    if (!this.input.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.input.off('drain', done);
        this.input.off('close', done);
        resolve();
      };
      this.input.on('drain', done);
      this.input.on('close', done);
    });
  }

  /**
   * Stops the worker: sends `shutdown` with `graceMs` for requests in flight, then kills it if
   * it has not exited `graceMs` plus 2 seconds later. Resolves with how it ended.
   */
  async close(graceMs = 5000): Promise<WorkerExit> {
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

  /**
   * Closes the worker's input, which a worker reads as end of file and exits on. Kills it if it
   * still runs `waitMs` later.
   */
  private async stop(waitMs: number): Promise<WorkerExit> {
    this.input.end();
    const timer = setTimeout(() => this.kill(), waitMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the worker process at once (SIGKILL by default). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exitInfo === undefined && this.child.exitCode === null) this.child.kill(signal);
  }

  private handshake(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: StarweaveError) => {
        clearTimeout(timer);
        this.onHandshakeFrame = undefined;
        this.child.off('error', onSpawnError);
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
        const how = exit.signal ? `signal ${exit.signal}` : `status ${exit.code}`;
        finish(this.startError(`exited with ${how} before the handshake`));
      };
      this.child.once('error', onSpawnError);
      this.once('exit', onExit);
      this.onHandshakeFrame = (frame) => {
        try {
          finish(this.completeHandshake(frame));
        } catch (error) {
          finish(error as StarweaveError);
        }
      };
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
      this.sendRaw({
        type: 'error',
        id: null,
        code: 'ERR_PROTOCOL',
        errorType: 'ProtocolError',
        message: refusal,
        traceback: null,
      });
      throw error;
    }
    const agreed = Math.min(this.maxFrameBytes, hello.maxFrameBytes);
    this.sendRaw({ type: 'hello', protocol: PROTOCOL_VERSION, maxFrameBytes: agreed });
    this.hello = hello;
    this.maxFrameBytes = agreed;
    this.codec = new Codec({ maxBytes: agreed });
    this.decoder.setMaxFrameBytes(agreed);
    this.logger.log('info', 'bridge.worker_started', {
      worker: hello.worker,
      osPid: hello.pid,
      handlers: hello.handlers.map((handler) => handler.name),
      maxFrameBytes: agreed,
    });
    return undefined;
  }

  private sendRaw(frame: NodeFrame): void {
    const body = this.codec.encode(frame);
    this.input.write(encodeFrameHeader(body.length));
    this.input.write(body);
  }

  private receive(body: Uint8Array): void {
    let frame: WorkerFrame;
    try {
      frame = checkWorkerFrame(this.codec.decode(body));
    } catch (error) {
      if (!isStarweaveError(error)) throw error;
      if (error.code === 'ERR_PROTOCOL') {
        this.reportChannelError(error);
        return;
      }
      this.reportChannelError(
        new StarweaveError('ERR_DECODE', `invalid frame from the worker: ${error.message}`, {
          cause: error,
        }),
      );
      return;
    }
    if (this.onHandshakeFrame) {
      this.onHandshakeFrame(frame);
      return;
    }
    if (frame.type === 'log') this.logRemote(frame);
    this.emit('frame', frame);
  }

  private reportChannelError(error: StarweaveError): void {
    const fatal = error.code === 'ERR_DECODE';
    this.logger.log(fatal ? 'error' : 'warn', 'bridge.channel_error', {
      worker: this.hello?.worker,
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
    this.logger.log(level, `bridge.${stream}`, { worker: this.describeWorker(), line });
    this.emit(stream, line);
  }

  private describeWorker(): string {
    return this.hello?.worker ?? `pid ${this.child.pid ?? 'unknown'}`;
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
      `Python worker ${this.describeWorker()} ${problem}.${tail}`,
      { cause, details: { ...details, stderr } },
    );
  }
}

function spawnWorker(options: WorkerTransportOptions, maxFrameBytes: number): ChildProcess {
  const python = options.python ?? process.env.STARWEAVE_PYTHON ?? 'python3';
  const pythonPath = options.pythonPath ?? defaultPythonPath();
  const inherited = process.env.PYTHONPATH;
  const args = [
    '-m',
    'starweave_bridge',
    '--handlers',
    options.handlers.join(','),
    '--max-frame-bytes',
    String(maxFrameBytes),
    ...(options.name === undefined ? [] : ['--name', options.name]),
    ...(options.args ?? []),
  ];
  return spawn(python, args, {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      PYTHONPATH: inherited ? `${pythonPath}${delimiter}${inherited}` : pythonPath,
      PYTHONUNBUFFERED: '1',
    },
  });
}

function checkOptions(options: WorkerTransportOptions): void {
  const { handlers } = options;
  if (!Array.isArray(handlers) || handlers.length === 0) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      'invalid handlers: expected a non-empty array of Python module names, such as ' +
        "['starweave_bridge.examples'].",
    );
  }
  for (const name of handlers) {
    if (typeof name !== 'string' || !MODULE_NAME.test(name)) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid handler module ${JSON.stringify(name)}: expected a dotted Python module name.`,
      );
    }
  }
  const max = options.maxFrameBytes;
  if (max !== undefined && (!Number.isSafeInteger(max) || max <= 0)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid maxFrameBytes: expected a positive integer, received ${String(max)}.`,
    );
  }
  const timeout = options.handshakeTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid handshakeTimeoutMs: expected a positive number, received ${String(timeout)}.`,
    );
  }
}
