import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, Socket } from 'node:net';
import { ActorSystem, MemoryLogger, NDArray, type Pid } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { afterEach, describe, expect, it } from 'vitest';
import { call, defaultPythonPath, PythonWorker, WorkerPool } from '../../src/index.js';
import { fixturesPath, python, rejection, waitFor, workerOptions } from '../helpers.js';

let system: ActorSystem;
let logger: MemoryLogger;
const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  await system?.shutdown();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function newSystem(): void {
  logger = new MemoryLogger();
  system = new ActorSystem({ logger });
}

/** Returns a TCP port that was free a moment ago. */
// Ports come from below the kernel's ephemeral range (32768 and up by default): a port that
// listen(0) handed out and released can be taken again at once as the source port of an
// outgoing connection, such as the worker's own, before the ROUTER socket binds it.
function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await tryListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 29999 after 100 attempts');
}

/**
 * A TCP proxy on loopback between a worker and Node's ROUTER socket, whose connections the
 * test can cut to make libzmq reconnect.
 */
class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  /** Cuts every connection and stops accepting new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function startRemoteWorker(name: string, endpoint: string): ChildProcess {
  const child = spawn(
    python,
    [
      '-m',
      'starweave_bridge',
      '--handlers',
      'starweave_bridge.examples',
      '--zmq',
      endpoint,
      '--name',
      name,
    ],
    {
      stdio: 'ignore',
      env: { ...process.env, PYTHONPATH: `${defaultPythonPath()}:${fixturesPath}` },
    },
  );
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  return child;
}

describe('ZeroMQ transport', () => {
  it('serves calls with numpy arrays over a ROUTER socket', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(
      system,
      workerOptions({ name: 'zmq-scorer', zmq: { endpoint: 'tcp://127.0.0.1:0' } }),
    );
    const info = PythonWorker.info(system, worker);
    expect(info.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(info.endpoint).not.toMatch(/:0$/);
    expect(await call(system, worker, 'sum', [1, 2, 3])).toBe(6);
    const doubled = await call<NDArray>(
      system,
      worker,
      'double',
      new NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]),
    );
    expect([...doubled.data]).toEqual([2, 4, 6, 8]);
    const error = await rejection(call(system, worker, 'fail', 'over zmq'));
    expect(error.code).toBe('ERR_REMOTE');
    expect(error.details.errorType).toBe('ValueError');
  });

  it('shares one endpoint among the workers of a pool', async () => {
    newSystem();
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const pool = await WorkerPool.startLink(system, {
      size: 2,
      worker: workerOptions({ zmq: { endpoint } }),
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        call(system, pool, 'sleep', { seconds: 0.01 * (index % 2) }),
      ),
    );
    expect(results).toHaveLength(10);
    const workers = WorkerPool.info(system, pool).versions[0]!.workers;
    expect(workers.map((worker) => worker.endpoint)).toEqual([endpoint, endpoint]);
    for (const worker of workers) expect(worker.counters.completed).toBeGreaterThan(0);
  });

  it('restarts a killed ZeroMQ worker under its supervisor', async () => {
    newSystem();
    const spec = PythonWorker.childSpec(
      workerOptions({ name: 'zmq-restart', zmq: { endpoint: 'tcp://127.0.0.1:0' } }),
    );
    await Supervisor.startLink(system, [spec]);
    const first = system.whereis('zmq-restart')!;
    const pending = rejection(call(system, first, 'sleep', { seconds: 5 }));
    process.kill(PythonWorker.info(system, first).osPid!, 'SIGKILL');
    const error = await pending;
    expect(error.code).toBe('ERR_NOCONNECTION');
    expect(error.details.signal).toBe('SIGKILL');
    await waitFor(
      () => {
        const now = system.whereis('zmq-restart');
        return now !== undefined && !now.equals(first);
      },
      15_000,
      'the restarted worker',
    );
    // The new process is registered before its worker has sent its hello; the call waits for it.
    expect(await call(system, 'zmq-restart', 'echo', 'again', { timeoutMs: 15_000 })).toBe('again');
  });

  it('keeps and resumes a remote worker across cuts', async () => {
    newSystem();
    const routerPort = await freePort();
    const proxy = new TcpProxy(await freePort(), routerPort);
    await proxy.listen();
    cleanups.push(() => proxy.cut());
    const remote = startRemoteWorker('remote-1', `tcp://127.0.0.1:${proxy.port}`);
    const spec = PythonWorker.childSpec({
      name: 'remote-1',
      handlers: [],
      zmq: { endpoint: `tcp://127.0.0.1:${routerPort}`, spawn: false },
      handshakeTimeoutMs: 20_000,
      heartbeatMs: 100,
      heartbeatTimeoutMs: 800,
    });
    await Supervisor.startLink(system, [spec], { maxRestarts: 5, maxSeconds: 30 });
    const first: Pid = system.whereis('remote-1')!;
    expect(PythonWorker.info(system, first).osPid).toBe(remote.pid);
    expect(await call(system, first, 'echo', 'hello')).toBe('hello');

    // A short cut: the request waits while libzmq reconnects, and the worker is kept.
    await proxy.cut();
    // libzmq's reconnect can take seconds on a loaded machine; the request must wait it out.
    const during = call(system, first, 'echo', 'during the cut', { timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await proxy.listen();
    expect(await during).toBe('during the cut');
    expect(system.whereis('remote-1')).toEqual(first);

    // A long cut: heartbeats go unanswered, the session ends, and the restarted process
    // resumes with the same worker once the network is back.
    await proxy.cut();
    await waitFor(() => logger.find('bridge.worker_hung').length === 1, 10_000, 'the hung report');
    await proxy.listen();
    expect(await call(system, 'remote-1', 'echo', 'resumed', { timeoutMs: 15_000 })).toBe(
      'resumed',
    );
    expect(system.whereis('remote-1')).not.toEqual(first);
    expect(logger.find('bridge.worker_resumed')).toHaveLength(1);
    expect(remote.exitCode).toBe(null);
  });
});
