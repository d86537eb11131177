/**
 * TaskSupervisor, as Elixir's Task.Supervisor: async tasks linked to their caller and awaited
 * for their result, unlinked tasks whose crash only fails the await, fire-and-forget children,
 * and tasks that are temporary unless asked otherwise. Handles are the actors package's tasks.
 */

import {
  GenServer,
  isStarweaveError,
  type Pid,
  type ProcessContext,
  Task,
} from '@starweave/actors';
import { TaskSupervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { settle, useSystems, waitUntil } from './helpers.js';

const makeSystem = useSystems();

describe('TaskSupervisor.async', () => {
  it('runs the function under the supervisor and Task.await returns its result', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const task = await TaskSupervisor.async(system, sup, async () => 6 * 7);
    expect(await Task.await(system, task)).toBe(42);
    // Tasks are temporary: once done, the supervisor removes them.
    await settle(system);
    expect(await TaskSupervisor.children(system, sup)).toEqual([]);
  });

  it('runs the task as a child of the supervisor while it works', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const task = await TaskSupervisor.async(system, sup, () => new Promise(() => {}));
    expect(await TaskSupervisor.children(system, sup)).toEqual([task.pid]);
    expect(system.processInfo(task.pid)?.links.some((pid) => pid.equals(sup))).toBe(true);
  });

  it('ends a non-trapping caller when the task crashes', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const failure = new Error('task failed');
    const owner = system.spawn(async (self: ProcessContext) => {
      await TaskSupervisor.async(self, sup, () => {
        throw failure;
      });
      await self.receive();
    });
    const ownerReason = await new Promise((resolve) =>
      system.monitor(owner, (down) => resolve(down.reason)),
    );
    expect(ownerReason).toBe(failure);
    expect(system.isAlive(sup)).toBe(true);
  });

  it('ends the task when its caller ends first', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let taskPid: Pid | undefined;
    const owner = system.spawn(async (self: ProcessContext) => {
      const task = await TaskSupervisor.async(self, sup, () => new Promise(() => {}));
      taskPid = task.pid;
      self.exit(new Error('owner failed'));
    });
    await waitUntil(() => taskPid !== undefined && !system.isAlive(owner));
    await waitUntil(() => !system.isAlive(taskPid!));
  });

  it('awaits several tasks with Task.awaitMany, in order', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const tasks = [];
    for (const n of [3, 1, 2]) tasks.push(await TaskSupervisor.async(system, sup, () => n * 10));
    expect(await Task.awaitMany(system, tasks)).toEqual([30, 10, 20]);
  });
});

describe('TaskSupervisor.asyncNolink', () => {
  it('fails Task.await with ERR_CALL_EXIT on a crash', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const reason = new Error('bad input');
    const task = await TaskSupervisor.asyncNolink(system, sup, () => {
      throw reason;
    });
    const failure = await Task.await(system, task).catch((error: unknown) => error);
    expect(isStarweaveError(failure, 'ERR_CALL_EXIT')).toBe(true);
    expect((failure as Error).cause).toBe(reason);
  });

  it('lets a GenServer owner await its task inside a callback', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const Owner: GenServer.Spec<null, void> = {
      init: () => ({ state: null }),
      async handleCall(_request, _from, state, self) {
        const task = await TaskSupervisor.asyncNolink(self, sup, () => 'done');
        return { reply: await Task.await(self, task), state };
      },
    };
    const owner = await GenServer.startLink(system, Owner, undefined);
    expect(await GenServer.call(system, owner, { type: 'run' })).toBe('done');
  });
});

describe('Task.await and Task.yield on supervised tasks', () => {
  it('fail with ERR_CALL_TIMEOUT, after which yield can still get the result', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let finish!: (value: string) => void;
    const task = await TaskSupervisor.async(
      system,
      sup,
      () => new Promise<string>((resolve) => (finish = resolve)),
    );

    await expect(Task.await(system, task, 10)).rejects.toMatchObject({ code: 'ERR_CALL_TIMEOUT' });
    finish('late');
    expect(await Task.yield(system, task, 1000)).toEqual({ ok: true, value: 'late' });
  });

  it('fail with ERR_INVALID_ARGUMENT when a process other than the owner awaits', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const task = await TaskSupervisor.async(system, sup, () => 1);
    let failure: unknown;
    system.spawn(async (self: ProcessContext) => {
      failure = await Task.await(self, task).catch((error: unknown) => error);
    });
    await waitUntil(() => failure !== undefined);
    expect(failure).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await Task.await(system, task)).toBe(1);
  });
});

describe('TaskSupervisor.startChild', () => {
  it('runs the function with no link to the caller', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let ran = false;
    const pid = await TaskSupervisor.startChild(system, sup, () => {
      ran = true;
    });
    await waitUntil(() => ran);
    expect(system.processInfo(system.pid)?.links.some((link) => link.equals(pid))).toBe(false);
  });

  it('runs a transient task again after it crashes', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let runs = 0;
    await TaskSupervisor.startChild(
      system,
      sup,
      () => {
        runs++;
        if (runs < 3) throw new Error(`run ${runs} failed`);
      },
      { restart: 'transient' },
    );
    await waitUntil(() => runs === 3);
    await settle(system);
    expect(await TaskSupervisor.children(system, sup)).toEqual([]);
  });

  it('stops a running task by its pid and counts it against maxChildren', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system, { maxChildren: 1 });
    const pid = await TaskSupervisor.startChild(system, sup, () => new Promise(() => {}));
    await expect(TaskSupervisor.startChild(system, sup, () => 0)).rejects.toMatchObject({
      code: 'ERR_OVERLOADED',
    });
    await TaskSupervisor.terminateChild(system, sup, pid);
    expect(system.isAlive(pid)).toBe(false);
  });
});
