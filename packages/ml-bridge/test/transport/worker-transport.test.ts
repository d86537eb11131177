import { fileURLToPath } from 'node:url';
import { isStarweaveError, MemoryLogger, NDArray, type StarweaveError } from '@starweave/actors';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  type WorkerFrame,
  WorkerTransport,
  type WorkerTransportOptions,
} from '../../src/transport/index.js';

const python = process.env.STARWEAVE_PYTHON ?? '/usr/bin/python3';
const fakePath = fileURLToPath(new URL('./fixtures/fake', import.meta.url));
const running: WorkerTransport[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.close(500)));
});

async function start(options: Partial<WorkerTransportOptions> = {}): Promise<WorkerTransport> {
  const worker = await WorkerTransport.start({
    python,
    handlers: ['starweave_bridge.examples'],
    args: ['--heartbeat-ms', '0'],
    handshakeTimeoutMs: 20_000,
    ...options,
  });
  running.push(worker);
  return worker;
}

function nextFrame(
  worker: WorkerTransport,
  predicate: (frame: WorkerFrame) => boolean,
): Promise<WorkerFrame> {
  return new Promise((resolve) => {
    const listener = (frame: WorkerFrame) => {
      if (!predicate(frame)) return;
      worker.off('frame', listener);
      resolve(frame);
    };
    worker.on('frame', listener);
  });
}

async function startError(options: Partial<WorkerTransportOptions>): Promise<StarweaveError> {
  try {
    const worker = await start(options);
    throw new Error(`expected the start to fail, but worker ${worker.hello?.worker} started`);
  } catch (error) {
    if (!isStarweaveError(error)) throw error;
    return error;
  }
}

describe('WorkerTransport.start', () => {
  it('completes the handshake and lists the handlers', async () => {
    const worker = await start({ name: 'scorer' });
    expect(worker.hello?.worker).toBe('scorer');
    expect(worker.hello?.protocol).toBe(PROTOCOL_VERSION);
    const names = worker.hello?.handlers.map((handler) => handler.name);
    expect(names).toContain('echo');
    expect(worker.hello?.handlers.find((h) => h.name === 'square_batch')?.batch).toBe(true);
    expect(worker.osPid).toBe(worker.hello?.pid);
  });

  it('agrees on the smaller frame limit', async () => {
    const worker = await start({ maxFrameBytes: 4096 });
    expect(worker.maxFrameBytes).toBe(4096);
    const payload = 'x'.repeat(10_000);
    expect(() =>
      worker.send({ type: 'request', id: 1, handler: 'echo', payload, deadline: null }),
    ).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
  });

  it('fails with ERR_START_FAILED when a handler module is missing', async () => {
    const error = await startError({ handlers: ['starweave_bridge.no_such_module'] });
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.message).toContain('no_such_module');
    expect(error.details?.errorType).toBe('ModuleNotFoundError');
  });

  it('fails with ERR_START_FAILED when the interpreter is missing', async () => {
    const error = await startError({ python: '/nonexistent/python3' });
    expect(error.code).toBe('ERR_START_FAILED');
  });

  it('fails with ERR_START_FAILED when no hello comes in time', async () => {
    const started = Date.now();
    const error = await startError({
      pythonPath: fakePath,
      env: { FAKE_MODE: 'silent' },
      handshakeTimeoutMs: 500,
    });
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.message).toContain('no hello within 500 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails with ERR_PROTOCOL on another protocol version and tells the worker', async () => {
    const lines: string[] = [];
    const logger = new MemoryLogger();
    const error = await startError({
      pythonPath: fakePath,
      env: { FAKE_MODE: 'protocol' },
      logger,
    });
    expect(error.code).toBe('ERR_PROTOCOL');
    expect(error.message).toContain('version 99');
    for (const entry of logger.find('bridge.stderr')) lines.push(String(entry.fields.line));
    expect(lines.some((line) => line.includes('node replied error ERR_PROTOCOL'))).toBe(true);
  });

  it('rejects invalid options with ERR_INVALID_ARGUMENT', async () => {
    await expect(WorkerTransport.start({ handlers: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(WorkerTransport.start({ handlers: ['--evil'] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});

describe('WorkerTransport frames', () => {
  it('sends a request and receives its response', async () => {
    const worker = await start();
    const answer = nextFrame(worker, (frame) => frame.type === 'response');
    worker.send({ type: 'request', id: 7, handler: 'sum', payload: [0.5, 2], deadline: null });
    expect(await answer).toEqual({ type: 'response', id: 7, result: 2.5 });
  });

  it('carries numpy arrays as NDArray both ways', async () => {
    const worker = await start();
    const answer = nextFrame(worker, (frame) => frame.type === 'response');
    const matrix = new NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    worker.send({ type: 'request', id: 1, handler: 'double', payload: matrix, deadline: null });
    const result = ((await answer) as { result: NDArray }).result;
    expect(result).toBeInstanceOf(NDArray);
    expect(result.shape).toEqual([2, 3]);
    expect([...result.data]).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('reports print output as stdout lines', async () => {
    const logger = new MemoryLogger();
    const worker = await start({ logger });
    const line = new Promise<string>((resolve) => worker.once('stdout', resolve));
    worker.send({
      type: 'request',
      id: 1,
      handler: 'print',
      payload: { lines: ['hello from python'] },
      deadline: null,
    });
    expect(await line).toBe('hello from python');
    expect(logger.find('bridge.stdout')[0]?.fields.line).toBe('hello from python');
  });

  it('logs worker stderr events with their level', async () => {
    const logger = new MemoryLogger();
    const worker = await start({ logger });
    const failed = new Promise<string>((resolve) => {
      worker.on('stderr', (line) => {
        if (line.includes('bridge.request_failed')) resolve(line);
      });
    });
    worker.send({ type: 'request', id: 1, handler: 'fail', payload: 'bad', deadline: null });
    await failed;
    const entry = logger
      .find('bridge.stderr')
      .find((e) => String(e.fields.line).includes('bridge.request_failed'));
    expect(entry?.level).toBe('warn');
  });

  it('logs log frames under their event name', async () => {
    const logger = new MemoryLogger();
    const worker = await start({ logger });
    const answer = nextFrame(worker, (frame) => frame.type === 'response');
    worker.send({ type: 'request', id: 1, handler: 'square_batch', payload: 3, deadline: null });
    expect(await answer).toMatchObject({ result: 9 });
    const entry = logger.find('examples.batch')[0];
    expect(entry?.fields.size).toBe(1);
    expect(entry?.level).toBe('info');
  });

  it('reports the exit status of a crashed worker', async () => {
    const worker = await start();
    worker.send({
      type: 'request',
      id: 1,
      handler: 'crash',
      payload: { status: 13 },
      deadline: null,
    });
    expect(await worker.exited).toEqual({ code: 13, signal: null });
    expect(() => worker.send({ type: 'cancel', id: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_NOCONNECTION' }),
    );
  });

  it('closes the worker with a shutdown frame and exit status 0', async () => {
    const worker = await start();
    const shutdown = nextFrame(worker, (frame) => frame.type === 'shutdown');
    expect(await worker.close(1000)).toEqual({ code: 0, signal: null });
    expect(await shutdown).toEqual({ type: 'shutdown', cancelled: [] });
  });

  it('skips an oversized frame from the worker and goes on', async () => {
    const worker = await start({
      pythonPath: fakePath,
      env: { FAKE_MODE: 'oversized' },
      maxFrameBytes: 1000,
    });
    const problem = new Promise<StarweaveError>((resolve) => worker.once('channelError', resolve));
    expect((await problem).code).toBe('ERR_FRAME_TOO_LARGE');
    const answer = nextFrame(worker, (frame) => frame.type === 'response');
    worker.send({ type: 'request', id: 2, handler: 'echo', payload: 'after', deadline: null });
    expect(await answer).toEqual({ type: 'response', id: 2, result: 'after' });
  });

  it('kills the worker when its frames are garbage', async () => {
    const worker = await start({ pythonPath: fakePath, env: { FAKE_MODE: 'garbage' } });
    const problem = new Promise<StarweaveError>((resolve) => worker.once('channelError', resolve));
    expect((await problem).code).toBe('ERR_DECODE');
    expect((await worker.exited).signal).toBe('SIGKILL');
  });
});
