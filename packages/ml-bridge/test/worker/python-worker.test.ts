import { ActorSystem, MemoryLogger, NDArray } from '@starweave/actors';
import { afterEach, describe, expect, it } from 'vitest';
import { call, PythonWorker, type RequestCompleted } from '../../src/index.js';
import { python, rejection, waitFor, workerOptions } from '../helpers.js';

let system: ActorSystem;
let logger: MemoryLogger;

function newSystem(): ActorSystem {
  logger = new MemoryLogger();
  system = new ActorSystem({ logger });
  return system;
}

afterEach(async () => {
  await system?.shutdown();
});

describe('PythonWorker.startLink', () => {
  it('starts a worker that answers calls', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions({ name: 'adder' }));
    expect(system.whereis('adder')).toEqual(worker);
    expect(await call(system, 'adder', 'sum', [1, 2, 3.5])).toBe(6.5);
    const info = PythonWorker.info(system, worker);
    expect(info.name).toBe('adder');
    expect(info.status).toBe('running');
    expect(info.handlers.map((handler) => handler.name)).toContain('reciprocal_batch');
    expect(info.counters.completed).toBe(1);
  });

  it('serves the iris model with numpy arrays both ways', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, {
      python,
      handlers: ['starweave_bridge.examples.iris'],
      handshakeTimeoutMs: 20_000,
    });
    const classes = await call<string[]>(system, worker, 'iris_classes', null);
    expect(classes).toEqual(['setosa', 'versicolor', 'virginica']);

    const rows = [
      new Float64Array([5.1, 3.5, 1.4, 0.2]),
      new Float64Array([6.0, 2.7, 4.2, 1.3]),
      new Float32Array([6.7, 3.0, 5.2, 2.3]),
    ];
    const results = await Promise.all(
      rows.map((row) => call<Float64Array>(system, worker, 'iris_predict_proba', row)),
    );
    const predicted = results.map((probabilities) => {
      expect(probabilities).toBeInstanceOf(Float64Array);
      expect(probabilities.length).toBe(3);
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
      return classes[probabilities.indexOf(Math.max(...probabilities))];
    });
    expect(predicted).toEqual(['setosa', 'versicolor', 'virginica']);
    // The three calls were made in one tick, so they went out as one batch frame.
    expect(PythonWorker.info(system, worker).counters.batches).toBe(1);
  });

  it('emits request telemetry', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions({ name: 'timed' }));
    const events: RequestCompleted[] = [];
    system.telemetry.on('bridge.request_completed', (event) => events.push(event));
    await call(system, worker, 'echo', 1);
    await rejection(call(system, worker, 'fail', 'x'));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ worker: 'timed', handler: 'echo', code: undefined });
    expect(events[0]!.durationMs).toBeGreaterThan(0);
    expect(events[1]).toMatchObject({ handler: 'fail', code: 'ERR_REMOTE' });
  });

  it('returns numpy matrices as NDArray', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions());
    const matrix = new NDArray(new Int32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    const doubled = await call<NDArray>(system, worker, 'double', matrix);
    expect(doubled).toBeInstanceOf(NDArray);
    expect(doubled.shape).toEqual([3, 2]);
    expect(doubled.dtype).toBe('int32');
    expect(doubled.get(2, 1)).toBe(12);
  });

  it('logs print and stderr lines of a handler with the worker name', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions({ name: 'talker' }));
    await call(system, worker, 'print', { lines: ['one', 'two'] });
    expect(await call(system, worker, 'write_stderr', ['careful: low memory'])).toBe(1);
    await waitFor(() =>
      logger.find('bridge.stderr').some((e) => e.fields.line === 'careful: low memory'),
    );
    const stdout = logger.find('bridge.stdout').map((entry) => entry.fields.line);
    expect(stdout).toEqual(expect.arrayContaining(['one', 'two', 'stdout from write_stderr']));
    const stderr = logger
      .find('bridge.stderr')
      .find((e) => e.fields.line === 'careful: low memory');
    expect(stderr?.fields.worker).toBe('talker');
    // The frames were not disturbed: the worker still answers.
    expect(await call(system, worker, 'echo', 'still here')).toBe('still here');
  });

  it('fails with ERR_START_FAILED naming a missing interpreter', async () => {
    newSystem();
    const error = await rejection(
      PythonWorker.startLink(system, workerOptions({ python: '/nonexistent/python3' })),
    );
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.message).toContain('/nonexistent/python3 was not found');
    expect(error.message).toContain('STARWEAVE_PYTHON');
  });
});

describe('call errors', () => {
  it('fails with ERR_REMOTE carrying the Python exception', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions());
    const error = await rejection(call(system, worker, 'fail', 'bad input'));
    expect(error.code).toBe('ERR_REMOTE');
    expect(error.details.errorType).toBe('ValueError');
    expect(error.details.remoteMessage).toBe('bad input');
    expect(error.details.traceback).toContain('raise ValueError');
    expect(error.message).toContain('ValueError: bad input');
    const entry = logger.find('bridge.request_failed').find((e) => e.fields.handler === 'fail');
    expect(entry?.fields.code).toBe('ERR_REMOTE');
  });

  it('fails with ERR_NOT_FOUND for an unknown handler', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions());
    const error = await rejection(call(system, worker, 'no_such_handler', 1));
    expect(error.code).toBe('ERR_NOT_FOUND');
    expect(error.message).toContain('echo');
    expect(logger.find('bridge.request_failed')[0]?.fields.handler).toBe('no_such_handler');
    expect(await call(system, worker, 'echo', 1)).toBe(1);
  });

  it('fails with ERR_ENCODE for a result that cannot be encoded', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions());
    const error = await rejection(call(system, worker, 'unencodable', null));
    expect(error.code).toBe('ERR_ENCODE');
    expect(error.message).toContain("['callback']");
    expect(logger.find('bridge.request_failed')[0]?.fields.code).toBe('ERR_ENCODE');
    expect(await call(system, worker, 'echo', 'ok')).toBe('ok');
  });

  it('fails only the caller whose frame is over the size limit', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(
      system,
      workerOptions({ maxFrameBytes: 64 * 1024 }),
    );
    const small = call(system, worker, 'echo', 'small');
    const large = rejection(call(system, worker, 'echo', new Uint8Array(100 * 1024)));
    expect(await small).toBe('small');
    const error = await large;
    expect(error.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(logger.find('bridge.request_failed')[0]?.fields.code).toBe('ERR_FRAME_TOO_LARGE');

    const tooBig = await rejection(call(system, worker, 'big', { bytes: 100 * 1024 }));
    expect(tooBig.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(await call(system, worker, 'echo', 'after')).toBe('after');
  });

  it('fails with ERR_NOPROC for a name that is not registered', async () => {
    newSystem();
    const error = await rejection(call(system, 'nobody', 'echo', 1));
    expect(error.code).toBe('ERR_NOPROC');
  });

  it('fails with ERR_INVALID_ARGUMENT for a process that is no worker', async () => {
    newSystem();
    const pid = system.spawn({ handleMessage() {} });
    const error = await rejection(call(system, pid, 'echo', 1));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('PythonWorker.stop', () => {
  it('finishes requests in flight and refuses new ones', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions());
    const slow = call(system, worker, 'sleep', { seconds: 0.3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = PythonWorker.stop(system, worker);
    await waitFor(() => PythonWorker.info(system, worker).status === 'draining');
    const refused = await rejection(call(system, worker, 'echo', 1));
    expect(refused.code).toBe('ERR_NOCONNECTION');
    expect(await slow).toBe(0.3);
    await stopped;
    expect(system.isAlive(worker)).toBe(false);
    expect(logger.find('bridge.worker_exited')[0]?.fields.code).toBe(0);
  });

  it('kills the Python process when the system shuts down', async () => {
    newSystem();
    const worker = await PythonWorker.startLink(system, workerOptions());
    const osPid = PythonWorker.info(system, worker).osPid!;
    const pending = rejection(call(system, worker, 'sleep', { seconds: 5 }));
    await system.shutdown();
    expect((await pending).code).toBe('ERR_NOCONNECTION');
    await waitFor(() => !processExists(osPid), 5000, 'the Python process to end');
  });
});

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
