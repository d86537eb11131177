/**
 * crashOnNextMessage: the next message to a process is dropped and the process ends at once
 * with the injected reason, trapping or not.
 */

import {
  GenServer,
  isStarweaveError,
  MemoryLogger,
  type Pid,
  type ServerPid,
} from '@starweave/actors';
import { assertDown, crashOnNextMessage, faults } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

function collector(
  t: ReturnType<typeof newTestSystem>,
  trapExit = false,
): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = t.system.spawn(
    { handleMessage: (_self, message) => void got.push(message) },
    { trapExit },
  );
  return { pid, got };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('crashOnNextMessage', () => {
  it('ends the process on its next message and drops that message', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const injection = crashOnNextMessage(t.system, pid);
    const down = assertDown(
      t.system,
      pid,
      (reason) => reason instanceof Error && /\{ type: 'job' \}/.test(reason.message),
    );

    t.system.send(pid, { type: 'job' });
    await down;

    expect(got).toEqual([]);
    expect(injection.fired).toBe(true);
    expect(injection.message).toEqual({ type: 'job' });
  });

  it('ends a process that traps exits too', async () => {
    const t = newTestSystem();
    const { pid } = collector(t, true);
    crashOnNextMessage(t.system, pid, { reason: 'timeout' });
    const down = assertDown(t.system, pid, 'timeout');

    t.system.send(pid, { type: 'job' });

    await down;
  });

  it('logs a crash report naming the message for an Error reason', async () => {
    const logger = new MemoryLogger();
    const t = newTestSystem({ logger });
    const { pid } = collector(t);
    const reason = new Error('injected');
    crashOnNextMessage(t.system, pid, { reason });

    t.system.send(pid, { type: 'job', id: 3 });
    await t.runUntilIdle();

    const [report] = logger.find('process.crashed');
    expect(report?.fields.reason).toBe(reason);
    expect(report?.fields.lastMessage).toEqual({ type: 'job', id: 3 });
  });

  it('waits for a message that matches its pattern', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const injection = crashOnNextMessage(t.system, pid, { match: { type: 'poison' } });

    t.system.send(pid, { type: 'fine' });
    await t.runUntilIdle();
    expect(t.system.isAlive(pid)).toBe(true);
    expect(injection.fired).toBe(false);

    t.system.send(pid, { type: 'poison' });
    t.system.send(pid, { type: 'after' });
    await t.runUntilIdle();
    expect(t.system.isAlive(pid)).toBe(false);
    expect(got).toEqual([{ type: 'fine' }]);
  });

  it('fires once only', async () => {
    const t = newTestSystem();
    const first = collector(t);
    crashOnNextMessage(t.system, first.pid);
    t.system.send(first.pid, 'one');
    const second = collector(t);

    t.system.send(second.pid, 'two');
    await t.runUntilIdle();

    expect(second.got).toEqual(['two']);
  });

  it('fails a GenServer call in flight with ERR_CALL_EXIT', async () => {
    const t = newTestSystem();
    const server: ServerPid = await GenServer.start(
      t.system,
      { init: () => ({ state: 1 }), handleCall: (_request, _from, n) => ({ reply: n, state: n }) },
      undefined,
    );
    crashOnNextMessage(t.system, server);

    const error = await rejectionOf(t.waitFor(GenServer.call(t.system, server, { type: 'get' })));

    expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
    expect(t.now()).toBe(0);
  });

  it('does nothing once cancelled', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    const injection = crashOnNextMessage(t.system, pid);

    injection.cancel();
    t.system.send(pid, 'kept');
    await t.runUntilIdle();

    expect(got).toEqual(['kept']);
    expect(injection.fired).toBe(false);
  });

  it('is withdrawn by faults.clear', async () => {
    const t = newTestSystem();
    const { pid, got } = collector(t);
    crashOnNextMessage(t.system, pid);

    faults.clear(t.system);
    t.system.send(pid, 'kept');
    await t.runUntilIdle();

    expect(got).toEqual(['kept']);
  });

  it('labels the send in the trace', async () => {
    const t = newTestSystem();
    const { pid } = collector(t);
    crashOnNextMessage(t.system, pid);

    t.system.send(pid, { type: 'job' });
    await t.runUntilIdle();

    expect(t.trace!.format()).toContain(`[crash injected in ${pid}]`);
  });

  it('fails with ERR_INVALID_ARGUMENT when a predicate names several processes', () => {
    const t = newTestSystem();
    collector(t);
    collector(t);

    const error = thrown(() => crashOnNextMessage(t.system, () => true));

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('matched 2 processes');
  });

  it('fails with ERR_NOPROC for a dead process', () => {
    const t = newTestSystem();
    const { pid } = collector(t);
    t.system.exit(pid, 'kill');

    expect(
      isStarweaveError(
        thrown(() => crashOnNextMessage(t.system, pid)),
        'ERR_NOPROC',
      ),
    ).toBe(true);
  });
});
