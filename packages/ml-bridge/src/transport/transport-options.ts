/**
 * Options of a worker transport and their checks: the handler modules, the interpreter, the
 * frame limit, the handshake timeout and the ZeroMQ endpoint.
 */
import { type Logger, StarweaveError } from '@starweave/actors';

/** The ZeroMQ options of a worker whose frames travel over ZeroMQ. */
export interface ZmqTransportOptions {
  /**
   * The address at which Node binds its ROUTER socket: `tcp://HOST:PORT` (port 0 picks a free one) or
   * `ipc://PATH`. Workers in one Node process may share an endpoint.
   */
  endpoint: string;
  /**
   * False for a worker started elsewhere (on another machine) that connects to `endpoint`
   * by itself with `--zmq` and `--name` equal to this transport's `name`. Default true: Node
   * starts the worker with `--zmq <bound endpoint>`.
   */
  spawn?: boolean;
}

/** Options of {@link WorkerTransport.start}. */
export interface WorkerTransportOptions {
  /** Python modules whose `@handler` functions the worker offers. */
  handlers: readonly string[];
  /**
   * The interpreter. Default: `STARWEAVE_PYTHON` from the environment, else `/usr/bin/python3`
   * when it exists, else `python3` from `PATH`.
   */
  python?: string;
  /** The folder that contains `starweave_bridge`. Default: {@link defaultPythonPath}. */
  pythonPath?: string;
  /** More folders for `PYTHONPATH`, after `pythonPath`, where handler modules live. */
  handlerPaths?: readonly string[];
  /**
   * The worker name in its `hello`, and its ZeroMQ identity. Default: `python-<pid>`, chosen
   * by the worker; over ZeroMQ a name unique in this Node process.
   */
  name?: string;
  /** The largest frame body in bytes; the handshake takes the smaller of both sides. */
  maxFrameBytes?: number;
  /** How long the worker may take to import its handlers and send `hello`. Default 30000. */
  handshakeTimeoutMs?: number;
  /** More command-line arguments for the worker, such as `['--threads', '8']`. */
  args?: readonly string[];
  /** Extra environment variables for the worker. */
  env?: Record<string, string>;
  /** A command that wraps the interpreter, such as `['taskset', '-c', '0']`. */
  commandPrefix?: readonly string[];
  /** Carries frames over ZeroMQ instead of file descriptors 3 and 4. */
  zmq?: ZmqTransportOptions;
  /** The logger of stdout and stderr lines, `log` frames and channel errors. Default: silent. */
  logger?: Logger;
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Checks transport options; fails with ERR_INVALID_ARGUMENT naming the bad one. */
export function checkOptions(options: WorkerTransportOptions): void {
  const { handlers } = options;
  const remote = options.zmq?.spawn === false;
  if (!remote && (!Array.isArray(handlers) || handlers.length === 0)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      'invalid handlers: expected a non-empty array of Python module names, such as ' +
        "['starweave_bridge.examples'].",
    );
  }
  for (const name of handlers ?? []) {
    if (typeof name !== 'string' || !MODULE_NAME.test(name)) {
      throw new StarweaveError(
        'ERR_INVALID_ARGUMENT',
        `invalid handler module ${JSON.stringify(name)}: expected a dotted Python module name.`,
      );
    }
  }
  if (remote && options.name === undefined) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      'invalid name: a remote ZeroMQ worker (zmq.spawn false) needs the name it connects ' +
        'with, as given to its --name.',
    );
  }
  const zmq = options.zmq;
  if (
    zmq !== undefined &&
    (typeof zmq.endpoint !== 'string' || !/^(tcp|ipc):\/\//.test(zmq.endpoint))
  ) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid zmq.endpoint ${JSON.stringify(zmq.endpoint)}: expected tcp://HOST:PORT or ` +
        'ipc://PATH.',
    );
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
