import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem, MemoryLogger, type Pid } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { call, PythonWorker, type PythonWorkerOptions } from '../../src/index.js';
import { python, rejection, waitFor, workerOptions } from '../helpers.js';

let system: ActorSystem;
let logger: MemoryLogger;
const scratch = mkdtempSync(join(tmpdir(), 'ml-bridge-failures-'));

afterEach(async () => {
  await system?.shutdown();
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Starts a supervisor with one worker named `scorer`; returns the supervisor and worker pids. */
async function supervised(
  options: Partial<PythonWorkerOptions> = {},
): Promise<{ sup: Pid; worker: Pid }> {
  logger = new MemoryLogger();
  system = new ActorSystem({ logger });
  const spec = PythonWorker.childSpec(workerOptions({ name: 'scorer', ...options }));
  const sup = await Supervisor.startLink(system, [spec], { maxRestarts: 5, maxSeconds: 10 });
  return { sup, worker: system.whereis('scorer')! };
}

/** Waits until the supervisor has restarted `old` and returns the new worker's pid. */
async function restarted(old: Pid): Promise<Pid> {
  await waitFor(
    () => {
      const now = system.whereis('scorer');
      return now !== undefined && !now.equals(old);
    },
    15_000,
    'the supervisor to restart the worker',
  );
  return system.whereis('scorer')!;
}

describe('deadlines', () => {
  it('fails a handler that sleeps past its deadline with ERR_DEADLINE', async () => {
    const { worker } = await supervised();
    const started = Date.now();
    const error = await rejection(
      call(system, worker, 'sleep', { seconds: 5 }, { timeoutMs: 200 }),
    );
    expect(error.code).toBe('ERR_DEADLINE');
    expect(Date.now() - started).toBeLessThan(2000);
    const logged = logger.find('bridge.request_failed')[0];
    expect(logged?.fields.handler).toBe('sleep');
    expect(logged?.fields.code).toBe('ERR_DEADLINE');
    // The worker is healthy: no restart, and it answers.
    expect(await call(system, worker, 'echo', 'next')).toBe('next');
    expect(system.whereis('scorer')).toEqual(worker);
  });

  it('discards the late result of a handler that ignores its deadline', async () => {
    const { worker } = await supervised();
    const error = await rejection(
      call(system, worker, 'busy', { seconds: 0.4 }, { timeoutMs: 100 }),
    );
    expect(error.code).toBe('ERR_DEADLINE');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await call(system, worker, 'echo', 'after')).toBe('after');
    expect(PythonWorker.info(system, worker).counters.completed).toBe(1);
  });
});

describe('worker crashes', () => {
  it('fails a batch whose worker exits in the middle, then restarts it', async () => {
    const { worker } = await supervised();
    const calls = [0.1, 0, 0, 0].map((seconds) =>
      rejection(call(system, worker, 'exit_batch', seconds)),
    );
    const errors = await Promise.all(calls);
    for (const error of errors) {
      expect(error.code).toBe('ERR_NOCONNECTION');
      expect(error.message).toContain('"scorer" exited with status 1');
      expect(error.details.code).toBe(1);
    }
    expect(logger.find('bridge.worker_lost')[0]?.fields.failedRequests).toBe(4);
    const next = await restarted(worker);
    expect(await call(system, next, 'echo', 'back')).toBe('back');
  });

  it('kills a worker that writes garbage to the frame channel', async () => {
    const { worker } = await supervised();
    const error = await rejection(call(system, worker, 'garbage', null));
    expect(error.code).toBe('ERR_NOCONNECTION');
    expect(error.details.signal).toBe('SIGKILL');
    expect(error.message).toContain('not a frame');
    expect(logger.find('bridge.channel_error')[0]?.fields.code).toBe('ERR_DECODE');
    const next = await restarted(worker);
    expect(await call(system, next, 'echo', 'clean')).toBe('clean');
  });

  it('fails every request once under SIGKILL and restarts the worker', async () => {
    const { worker } = await supervised({ maxInFlight: 16, maxQueued: 1000 });
    const osPid = PythonWorker.info(system, worker).osPid!;
    let settled = 0;
    const outcomes = Array.from({ length: 300 }, (_, index) =>
      call(system, worker, 'sleep', { seconds: 0.01 + (index % 5) * 0.001 }).then(
        (value) => {
          settled++;
          return { ok: true as const, value };
        },
        (error) => {
          settled++;
          return { ok: false as const, error };
        },
      ),
    );
    await waitFor(() => PythonWorker.info(system, worker).counters.completed >= 20);
    process.kill(osPid, 'SIGKILL');
    const results = await Promise.all(outcomes);

    expect(settled).toBe(300);
    const failed = results.filter((result) => !result.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const result of failed) {
      expect(result.error.code).toBe('ERR_NOCONNECTION');
      expect(result.error.details.signal).toBe('SIGKILL');
    }
    const completed = results.filter((result) => result.ok);
    for (const result of completed) expect(typeof result.value).toBe('number');
    expect(logger.find('bridge.worker_lost')[0]?.fields.signal).toBe('SIGKILL');
    const next = await restarted(worker);
    expect(await call(system, next, 'echo', 'recovered')).toBe('recovered');
  });

  it('kills a worker that stops answering heartbeats', async () => {
    const { worker } = await supervised({ heartbeatMs: 100, heartbeatTimeoutMs: 300 });
    const error = await rejection(call(system, worker, 'hold_gil', null, { timeoutMs: 10_000 }));
    expect(error.code).toBe('ERR_NOCONNECTION');
    expect(error.message).toContain('heartbeat unanswered');
    expect(logger.find('bridge.worker_hung')).toHaveLength(1);
    const next = await restarted(worker);
    expect(await call(system, next, 'echo', 'awake')).toBe('awake');
  });
});

describe('interpreter checks', () => {
  it('fails with ERR_START_FAILED for a Python that is too old', async () => {
    logger = new MemoryLogger();
    system = new ActorSystem({ logger });
    const old = join(scratch, 'python3.6');
    // Answers the version probe like Python 3.6 and fails on the worker's syntax as it would.
    writeFileSync(
      old,
      [
        '#!/bin/sh',
        'if [ "$1" = "-c" ]; then echo 3.6.15; exit 0; fi',
        'echo "SyntaxError: invalid syntax" >&2',
        'exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(old, 0o755);
    const error = await rejection(PythonWorker.startLink(system, workerOptions({ python: old })));
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.message).toContain('Python 3.6.15');
    expect(error.message).toContain('needs Python 3.10 or later');
    expect(error.message).toContain('SyntaxError');
  });

  it('fails with ERR_START_FAILED for a Python without msgpack', async () => {
    logger = new MemoryLogger();
    system = new ActorSystem({ logger });
    const bare = join(scratch, 'python-no-site');
    // -S leaves out site-packages, where Debian installs msgpack and numpy.
    writeFileSync(bare, `#!/bin/sh\nexec ${python} -S "$@"\n`);
    chmodSync(bare, 0o755);
    const error = await rejection(PythonWorker.startLink(system, workerOptions({ python: bare })));
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.message).toContain('cannot import msgpack');
    expect(error.details.stderr).toContain("No module named 'msgpack'");
  });

  it('fails the supervisor start when its worker cannot start', async () => {
    logger = new MemoryLogger();
    system = new ActorSystem({ logger });
    const spec = PythonWorker.childSpec(workerOptions({ python: '/nonexistent/python3' }));
    const error = await rejection(Supervisor.startLink(system, [spec]));
    expect(error.code).toBe('ERR_START_FAILED');
  });
});
