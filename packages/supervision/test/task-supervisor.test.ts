/**
 * TaskSupervisor, as Elixir's Task.Supervisor: async tasks linked to their caller and awaited
 * for their result, unlinked tasks whose crash only fails the await, fire-and-forget children,
 * and tasks that are temporary unless asked otherwise.
 */
import { describe, expect, it } from 'vitest';
import { type Pid, type ProcessContext, isStarweaveError } from '@starweave/actors';
import { TaskSupervisor } from '@starweave/supervision';
import { settle, useSystems, waitUntil } from './helpers.js';

const makeSystem = useSystems();

describe('TaskSupervisor.async', () => {
  it('runs the function under the supervisor and await returns its result', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const task = await TaskSupervisor.async(system, sup, async () => 6 * 7);
    expect(await TaskSupervisor.await(system, task)).toBe(42);
    // Tasks are temporary: once done, the supervisor forgets them.
    await settle(system);
    expect(await TaskSupervisor.children(system, sup)).toEqual([]);
  });

  it('links the task to its caller, so a crash ends a caller that does not trap exits', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let started: Pid | undefined;
    const owner = system.spawn(async (self: ProcessContext) => {
      const task = await TaskSupervisor.async(self, sup, () => {
        throw new Error('task failed');
      });
      started = task.pid;
      await self.receive();
    });
    await waitUntil(() => started !== undefined && !system.isAlive(owner));
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

  it('awaits several tasks with awaitMany, in order', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const tasks = [];
    for (const n of [3, 1, 2]) tasks.push(await TaskSupervisor.async(system, sup, () => n * 10));
    expect(await TaskSupervisor.awaitMany(system, tasks)).toEqual([30, 10, 20]);
  });
});

describe('TaskSupervisor.asyncNolink', () => {
  it('fails await with ERR_CALL_EXIT and the reason when the task crashes, sparing the caller', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const reason = new Error('bad input');
    const task = await TaskSupervisor.asyncNolink(system, sup, () => {
      throw reason;
    });
    const failure = await TaskSupervisor.await(system, task).catch((error: unknown) => error);
    expect(isStarweaveError(failure, 'ERR_CALL_EXIT')).toBe(true);
    expect((failure as Error).cause).toBe(reason);
  });

  it('delivers the reply to a callback owner as a task_reply message', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const seen: unknown[] = [];
    const owner = system.spawn({
      handleMessage(self, message: { type: string; ref?: unknown; value?: unknown }) {
        if (message.type === 'go') void TaskSupervisor.asyncNolink(self, sup, () => 'done');
        else seen.push(message.type === 'task_reply' ? message.value : message.type);
      },
    });
    system.send(owner, { type: 'go' });
    await waitUntil(() => seen.length >= 2);
    expect(seen).toEqual(['done', 'DOWN']);
  });
});

describe('TaskSupervisor.await and yield', () => {
  it('fails with ERR_CALL_TIMEOUT, after which yield can still get the result', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let finish!: (value: string) => void;
    const task = await TaskSupervisor.async(system, sup, () => new Promise<string>((resolve) => (finish = resolve)));

    await expect(TaskSupervisor.await(system, task, 10)).rejects.toMatchObject({ code: 'ERR_CALL_TIMEOUT' });
    expect(await TaskSupervisor.yield(system, task, 0)).toBeUndefined();
    finish('late');
    expect(await TaskSupervisor.yield(system, task, 1000)).toEqual({ ok: 'late' });
  });

  it('yields { exit: reason } for a task that crashed', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const reason = new Error('nope');
    const task = await TaskSupervisor.asyncNolink(system, sup, () => {
      throw reason;
    });
    expect(await TaskSupervisor.yield(system, task, 1000)).toEqual({ exit: reason });
  });

  it('fails with ERR_INVALID_ARGUMENT when a process other than the owner awaits', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    const task = await TaskSupervisor.async(system, sup, () => 1);
    let failure: unknown;
    system.spawn(async (self: ProcessContext) => {
      failure = await TaskSupervisor.await(self, task).catch((error: unknown) => error);
    });
    await waitUntil(() => failure !== undefined);
    expect(failure).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await TaskSupervisor.await(system, task)).toBe(1);
  });
});

describe('TaskSupervisor.startChild', () => {
  it('runs the function with no reply and no link to the caller', async () => {
    const system = makeSystem();
    const sup = await TaskSupervisor.startLink(system);
    let ran = false;
    await TaskSupervisor.startChild(system, sup, () => {
      ran = true;
    });
    await waitUntil(() => ran);
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

  it('stops a running task by its pid', async () => {
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
