/**
 * The ZeroMQ ROUTER socket that workers connect to with `--zmq ENDPOINT`: one per endpoint in a
 * Node process, shared by every worker there and addressed by each worker's identity (its
 * `--name`). It queues sends itself, because zeromq.js allows one pending send per socket, and
 * keeps the messages of a worker whose connection is down until libzmq has reconnected it.
 */

import { Codec, type Logger, StarweaveError, silentLogger } from '@starweave/actors';
import type { Router } from 'zeromq';
import type { WorkerHello } from './frames.js';

/** How long messages for a disconnected worker wait before the next send attempt. */
const RETRY_HELD_MS = 50;

/** Receives the messages of one worker identity. */
export type RouteListener = (message: Buffer) => void;

/** One worker's place on a router: its identity, its listener and its held messages. */
export class ZmqRoute {
  /** Messages that could not be routed because the worker was not connected, oldest first. */
  held: Buffer[] = [];
  closed = false;
  retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly router: ZmqRouter,
    readonly identity: string,
    readonly listener: RouteListener,
  ) {}

  /** Queues one message to the worker. */
  send(message: Buffer): void {
    if (this.closed) return;
    this.router.enqueue(this, message);
  }

  /** Removes the route: later messages from its identity are dropped or kept as a hello. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.router.unregister(this);
  }
}

/** A handshake that a remote worker completed with an earlier transport. */
export interface RememberedSession {
  hello: WorkerHello;
  maxFrameBytes: number;
}

const helloCodec = new Codec();

function isHello(message: Buffer): boolean {
  try {
    const frame = helloCodec.decode(message.subarray(4)) as { type?: unknown } | null;
    return frame !== null && typeof frame === 'object' && frame.type === 'hello';
  } catch {
    return false;
  }
}

interface Outgoing {
  route: ZmqRoute;
  message: Buffer;
}

/**
 * A bound ROUTER socket. Get one with {@link ZmqRouter.acquire} and give it back with
 * {@link ZmqRouter.release}; the socket closes when its last user releases it.
 */
export class ZmqRouter {
  private static readonly open = new Map<string, Promise<ZmqRouter>>();

  /** The bound endpoint, with the port the system chose for `:0` or `:*`. */
  readonly endpoint: string;
  private readonly routes = new Map<string, ZmqRoute>();
  // The hello of an identity with no route, kept so that a worker which sent its hello before its
  // transport registered (or while that transport restarted) is not lost.
  private readonly unclaimed = new Map<string, Buffer>();
  // The last completed handshake of each endpoint and identity, so a later transport can resume
  // a session with a remote worker that still runs and sends no new hello. It outlives the
  // socket, which closes when its last transport ends, as during a restart.
  private static readonly sessions = new Map<string, RememberedSession>();
  private readonly warned = new Set<string>();
  private queue: Outgoing[] = [];
  private queueHead = 0;
  private pumping = false;
  private users = 0;
  private closed = false;

  private constructor(
    private readonly socket: Router,
    private readonly requested: string,
    private readonly logger: Logger,
  ) {
    this.endpoint = socket.lastEndpoint ?? requested;
    void this.receiveLoop();
  }

  /**
   * Binds a ROUTER socket at `endpoint` (`tcp://HOST:PORT`, port 0 for any free port, or
   * `ipc://PATH`), or returns the one this process already bound there. Fails with
   * ERR_NOCONNECTION when the bind fails.
   */
  static acquire(endpoint: string, logger: Logger = silentLogger): Promise<ZmqRouter> {
    let pending = ZmqRouter.open.get(endpoint);
    if (pending === undefined) {
      pending = ZmqRouter.bind(endpoint, logger);
      ZmqRouter.open.set(endpoint, pending);
      pending.catch(() => ZmqRouter.open.delete(endpoint));
    }
    return pending.then((router) => {
      router.users++;
      return router;
    });
  }

  private static async bind(endpoint: string, logger: Logger): Promise<ZmqRouter> {
    const zmq = await import('zeromq');
    const socket = new zmq.Router({
      // Fails a send to an identity that is not connected, so it can be held and retried.
      mandatory: true,
      // A restarted worker reconnects with the same identity and takes over its old slot.
      handover: true,
      sendHighWaterMark: 0,
      receiveHighWaterMark: 0,
      linger: 0,
    });
    try {
      await socket.bind(endpoint.replace(/^(tcp:\/\/[^/]*):0$/, '$1:*'));
    } catch (error) {
      socket.close();
      throw new StarweaveError(
        'ERR_NOCONNECTION',
        `cannot bind the ZeroMQ ROUTER socket at ${endpoint}: ${(error as Error).message}. ` +
          'Pick a free port or another ipc path.',
        { cause: error, details: { endpoint } },
      );
    }
    const router = new ZmqRouter(socket, endpoint, logger);
    logger.log('info', 'bridge.zmq_bound', { endpoint: router.endpoint });
    return router;
  }

  /**
   * Registers the listener of one worker identity. Fails with ERR_ALREADY_STARTED when a live
   * route has that identity. A message kept for the identity before it registered (its hello)
   * reaches the listener on the next tick.
   */
  register(identity: string, listener: RouteListener): ZmqRoute {
    if (this.routes.has(identity)) {
      throw new StarweaveError(
        'ERR_ALREADY_STARTED',
        `a worker with the identity ${JSON.stringify(identity)} is already connected at ` +
          `${this.endpoint}; give each worker its own name.`,
        { details: { identity, endpoint: this.endpoint } },
      );
    }
    const route = new ZmqRoute(this, identity, listener);
    this.routes.set(identity, route);
    const kept = this.unclaimed.get(identity);
    if (kept !== undefined) {
      this.unclaimed.delete(identity);
      setImmediate(() => {
        if (!route.closed) listener(kept);
      });
    }
    return route;
  }

  /**
   * Keeps `message` as if it had arrived for `identity` while no route listened, so the next
   * route of that identity receives it. A transport uses it to hand on a hello that starts a
   * new session of a remote worker.
   */
  keepUnclaimed(identity: string, message: Buffer): void {
    this.unclaimed.set(identity, message);
  }

  /** Stores the handshake of `identity`, for {@link ZmqRouter.rememberedSession}. */
  rememberSession(identity: string, session: RememberedSession): void {
    ZmqRouter.sessions.set(`${this.requested} ${identity}`, session);
  }

  /** Returns the last handshake of `identity` on this router, if any. */
  rememberedSession(identity: string): RememberedSession | undefined {
    return ZmqRouter.sessions.get(`${this.requested} ${identity}`);
  }

  /** @internal Removes a route; called by {@link ZmqRoute.close}. */
  unregister(route: ZmqRoute): void {
    if (this.routes.get(route.identity) === route) this.routes.delete(route.identity);
  }

  /** @internal Queues a message for a route and starts the send loop. */
  enqueue(route: ZmqRoute, message: Buffer): void {
    if (route.held.length > 0) {
      // Later messages wait behind the held ones, so a worker receives them in order.
      route.held.push(message);
      return;
    }
    this.queue.push({ route, message });
    if (!this.pumping) void this.pump();
  }

  /** Returns the router to the pool; the last user closes the socket. */
  async release(): Promise<void> {
    this.users--;
    if (this.users > 0 || this.closed) return;
    this.closed = true;
    ZmqRouter.open.delete(this.requested);
    for (const route of [...this.routes.values()]) route.close();
    this.socket.close();
    this.logger.log('info', 'bridge.zmq_closed', { endpoint: this.endpoint });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queueHead < this.queue.length && !this.closed) {
        const item = this.queue[this.queueHead]!;
        this.queue[this.queueHead] = undefined as unknown as Outgoing;
        this.queueHead++;
        if (item.route.closed) continue;
        if (item.route.held.length > 0) {
          item.route.held.push(item.message);
          continue;
        }
        try {
          await this.socket.send([item.route.identity, item.message]);
        } catch (error) {
          this.onSendError(item, error as Error & { code?: string });
        }
      }
    } finally {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
      this.pumping = false;
    }
  }

  private onSendError(item: Outgoing, error: Error & { code?: string }): void {
    if (this.closed) return;
    if (error.code === 'EHOSTUNREACH') {
      // The worker is not connected (yet, or while libzmq reconnects it): hold and retry.
      item.route.held.push(item.message);
      this.scheduleRetry(item.route);
      return;
    }
    this.logger.log('error', 'bridge.zmq_send_failed', {
      endpoint: this.endpoint,
      identity: item.route.identity,
      code: error.code,
      message: error.message,
    });
  }

  private scheduleRetry(route: ZmqRoute): void {
    if (route.retryTimer !== undefined) return;
    route.retryTimer = setTimeout(() => {
      route.retryTimer = undefined;
      if (route.closed) return;
      const held = route.held;
      route.held = [];
      for (const message of held) this.enqueue(route, message);
    }, RETRY_HELD_MS);
    route.retryTimer.unref();
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const [identity, message] of this.socket) {
        if (identity === undefined || message === undefined) continue;
        this.dispatch(identity.toString('utf8'), message);
      }
    } catch (error) {
      if (!this.closed) {
        this.logger.log('error', 'bridge.zmq_receive_failed', {
          endpoint: this.endpoint,
          message: (error as Error).message,
        });
      }
    }
  }

  private dispatch(identity: string, message: Buffer): void {
    const route = this.routes.get(identity);
    if (route !== undefined) {
      route.listener(message);
      return;
    }
    if (isHello(message)) {
      this.unclaimed.set(identity, message);
      return;
    }
    if (!this.warned.has(identity)) {
      this.warned.add(identity);
      this.logger.log('warn', 'bridge.zmq_unknown_peer', {
        endpoint: this.endpoint,
        identity,
      });
    }
  }
}
