import {
  GenServer,
  IGNORE,
  isStarweaveError,
  MemoryLogger,
  type Pid,
  type ProcessContext,
} from '@starweave/actors';
import { ConsumerSupervisor, GenStage } from '@starweave/stages';
import { describe, expect, it } from 'vitest';
import {
  Counter,
  type CounterState,
  downOf,
  range,
  settle,
  useSystems,
  waitUntil,
} from './helpers.js';

const newSystem = useSystems();

/** Children that run until released: each one waits for a 'done' message with its event. */
function gatedChildren() {
  const running = new Map<number, Pid>();
  const finished: number[] = [];
  const start = async (ctx: ProcessContext, event: number) => {
    const pid = ctx.spawnLink(async (self) => {
      await self.receive((m: unknown) => m === 'done');
      finished.push(event);
      running.delete(event);
    });
    running.set(event, pid);
    return pid;
  };
  return { running, finished, start };
}

describe('ConsumerSupervisor', () => {
  it('starts one child per event and never more than maxDemand at once', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 20 });
    const children = gatedChildren();
    const supervisor = await ConsumerSupervisor.start(system, {
      child: { start: children.start },
      subscribeTo: [{ to: producer, maxDemand: 5, minDemand: 2 }],
    });
    await waitUntil(() => children.running.size === 5);
    await settle(system);
    expect((await ConsumerSupervisor.countChildren(system, supervisor)).active).toBe(5);
    let peak = 0;
    while (children.finished.length < 20) {
      peak = Math.max(peak, children.running.size);
      const [first] = children.running.values();
      if (first !== undefined) system.send(first, 'done');
      await settle(system);
    }
    expect(peak).toBeLessThanOrEqual(5);
    expect(children.finished.sort((a, b) => a - b)).toEqual(range(0, 20));
  });

  it('asks for more once minDemand children have ended', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 100 });
    const children = gatedChildren();
    await ConsumerSupervisor.start(system, {
      child: { start: children.start },
      subscribeTo: [{ to: producer, maxDemand: 4, minDemand: 2 }],
    });
    await waitUntil(() => children.running.size === 4);
    system.send(children.running.get(0)!, 'done');
    await settle(system);
    expect((await GenServer.getState<CounterState>(system, producer)).demands).toEqual([4]);
    system.send(children.running.get(1)!, 'done');
    await settle(system);
    expect((await GenServer.getState<CounterState>(system, producer)).demands).toEqual([4, 2]);
    expect(children.running.size).toBe(4);
  });

  it('restarts a transient child that crashed, with the same event', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 1 });
    const attempts: number[] = [];
    await ConsumerSupervisor.start(system, {
      child: {
        restart: 'transient',
        start: async (ctx, event: number) =>
          ctx.spawnLink(async () => {
            attempts.push(event);
            if (attempts.length < 3) throw new Error('flaky');
          }),
      },
      subscribeTo: [{ to: producer, cancel: 'temporary' }],
    });
    await waitUntil(() => attempts.length === 3);
    await settle(system);
    expect(attempts).toEqual([0, 0, 0]);
  });

  it('does not restart a temporary child', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 1 });
    let attempts = 0;
    await ConsumerSupervisor.start(system, {
      child: {
        start: async (ctx) =>
          ctx.spawnLink(async () => {
            attempts++;
            throw new Error('broken');
          }),
      },
      subscribeTo: [{ to: producer, cancel: 'temporary' }],
    });
    await waitUntil(() => attempts === 1);
    await settle(system);
    expect(attempts).toBe(1);
  });

  it('shuts down after more than maxRestarts restarts within maxSeconds', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 1 });
    const supervisor = await ConsumerSupervisor.start(system, {
      child: {
        restart: 'transient',
        start: async (ctx) =>
          ctx.spawnLink(async () => {
            throw new Error('always fails');
          }),
      },
      subscribeTo: [{ to: producer, cancel: 'temporary' }],
      maxRestarts: 2,
      maxSeconds: 5,
    });
    const down = await downOf(system, supervisor);
    expect(down.reason).toBe('shutdown');
  });

  it('counts failed and ignored starts as done', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const producer = await GenStage.start(system, Counter, { limit: 10 });
    await ConsumerSupervisor.start(system, {
      child: {
        start: async (_ctx, event: number) => {
          if (event % 2 === 0) throw new Error(`cannot start ${event}`);
          return IGNORE;
        },
      },
      subscribeTo: [{ to: producer, maxDemand: 2, minDemand: 1, cancel: 'temporary' }],
    });
    await waitUntil(() => logger.find('consumer_supervisor.start_failed').length === 5);
    await settle(system);
    expect((await GenServer.getState<CounterState>(system, producer)).next).toBe(10);
  });

  it('starts, lists and terminates children on request', async () => {
    const system = newSystem();
    const children = gatedChildren();
    const supervisor = await ConsumerSupervisor.start(system, { child: { start: children.start } });
    const pid = await ConsumerSupervisor.startChild(system, supervisor, 7);
    const listed = await ConsumerSupervisor.whichChildren(system, supervisor);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.pid.equals(pid)).toBe(true);
    expect(listed[0]!.event).toBe(7);
    await ConsumerSupervisor.terminateChild(system, supervisor, pid);
    expect(system.isAlive(pid)).toBe(false);
    expect(await ConsumerSupervisor.whichChildren(system, supervisor)).toEqual([]);
    const error = await ConsumerSupervisor.terminateChild(system, supervisor, pid).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_NOT_FOUND')).toBe(true);
  });

  it('fails startChild with ERR_START_FAILED when the child cannot start', async () => {
    const system = newSystem();
    const supervisor = await ConsumerSupervisor.start(system, {
      child: {
        start: async () => {
          throw new Error('no');
        },
      },
    });
    const error = await ConsumerSupervisor.startChild(system, supervisor, 1).catch((e) => e);
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
  });

  it('shuts its children down when it stops', async () => {
    const system = newSystem();
    const children = gatedChildren();
    const supervisor = await ConsumerSupervisor.start(system, { child: { start: children.start } });
    const a = await ConsumerSupervisor.startChild(system, supervisor, 1);
    const b = await ConsumerSupervisor.startChild(system, supervisor, 2);
    const downA = downOf(system, a);
    await GenStage.stop(system, supervisor, 'shutdown');
    expect((await downA).reason).toBe('shutdown');
    expect(system.isAlive(b)).toBe(false);
  });

  it('kills a child that outlives its shutdown time', async () => {
    const system = newSystem();
    const supervisor = await ConsumerSupervisor.start(system, {
      child: {
        shutdown: 20,
        start: async (ctx) =>
          ctx.spawnLink(async (self) => {
            self.trapExit(true);
            await self.receive(() => false);
          }),
      },
    });
    const child = await ConsumerSupervisor.startChild(system, supervisor, 1);
    const down = downOf(system, child);
    await GenStage.stop(system, supervisor, 'shutdown');
    expect((await down).reason).toBe('killed');
  });

  it('exits with its producer under a permanent subscription', async () => {
    const system = newSystem();
    const producer = await GenStage.start(system, Counter, { limit: 0 });
    const supervisor = await ConsumerSupervisor.start(system, {
      child: { start: gatedChildren().start },
      subscribeTo: [producer],
    });
    const down = downOf(system, supervisor);
    await GenStage.stop(system, producer, 'normal');
    expect((await down).reason).toBe('normal');
  });

  it.each([
    ['a permanent child', { child: { start: async () => IGNORE, restart: 'permanent' } }],
    ['a child without start', { child: {} }],
    ['a negative maxRestarts', { child: { start: async () => IGNORE }, maxRestarts: -1 }],
  ])('fails with ERR_INVALID_ARGUMENT for %s', (_case, options) => {
    const system = newSystem();
    let error: unknown;
    try {
      void ConsumerSupervisor.start(system, options as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
