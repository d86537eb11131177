import { describe, expect, it } from 'vitest';
import { assign, createMachine, setup } from 'xstate';
import { ActorSystem, MemoryLogger, StateMachine, VirtualClock, silentLogger } from '@starweave/actors';

// gen_statem's classic example: a door with a code lock that opens for a while and locks again.
const codeLock = setup({
  types: { context: {} as { code: string; entered: string }, input: {} as { code: string } },
  delays: { openTime: 10_000 },
}).createMachine({
  context: ({ input }) => ({ code: input.code, entered: '' }),
  initial: 'locked',
  states: {
    locked: {
      on: {
        button: [
          {
            guard: ({ context, event }) => context.entered + event.digit === context.code,
            target: 'open',
            actions: assign({ entered: '' }),
          },
          {
            guard: ({ context, event }) => context.code.startsWith(context.entered + event.digit),
            actions: assign({ entered: ({ context, event }) => context.entered + event.digit }),
          },
          { actions: assign({ entered: '' }) },
        ],
      },
    },
    open: { after: { openTime: 'locked' } },
  },
});

// A connection that reconnects with a doubling back-off and gives up after four attempts.
const connection = setup({
  types: { context: {} as { attempts: number } },
  delays: { backoff: ({ context }) => 100 * 2 ** context.attempts },
}).createMachine({
  context: { attempts: 0 },
  initial: 'connecting',
  states: {
    connecting: {
      on: {
        connected: { target: 'open', actions: assign({ attempts: 0 }) },
        failed: [
          { guard: ({ context }) => context.attempts >= 3, target: 'gaveUp' },
          { target: 'waiting', actions: assign({ attempts: ({ context }) => context.attempts + 1 }) },
        ],
      },
    },
    waiting: { after: { backoff: 'connecting' } },
    open: { on: { lost: 'waiting' } },
    gaveUp: { type: 'final' },
  },
});

describe('StateMachine', () => {
  it('opens the code lock on the right code and relocks after the open time', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({ logger: silentLogger, clock });
    const door = await StateMachine.startLink(system, codeLock, { input: { code: '123' } });
    for (const digit of ['1', '2', '3']) system.send(door, { type: 'button', digit });
    const open = await StateMachine.waitFor(system, door, 'open', 1000);
    expect(open.value).toBe('open');
    clock.advance(9_999);
    expect((await StateMachine.getSnapshot(system, door)).value).toBe('open');
    clock.advance(1);
    expect((await StateMachine.getSnapshot(system, door)).value).toBe('locked');
    await system.shutdown();
  });

  it('stays locked on a wrong code', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const door = await StateMachine.startLink(system, codeLock, { input: { code: '123' } });
    for (const digit of ['1', '3', '2']) system.send(door, { type: 'button', digit });
    const snapshot = await StateMachine.getSnapshot(system, door);
    expect(snapshot.value).toBe('locked');
    expect((snapshot.context as { entered: string }).entered).toBe('');
    await system.shutdown();
  });

  it('backs off on the system clock and doubles the delay per attempt', async () => {
    const clock = new VirtualClock();
    const system = new ActorSystem({ logger: silentLogger, clock });
    const conn = await StateMachine.startLink(system, connection);
    system.send(conn, { type: 'failed' });
    await StateMachine.waitFor(system, conn, 'waiting', 1000);
    clock.advance(199);
    expect((await StateMachine.getSnapshot(system, conn)).value).toBe('waiting');
    clock.advance(1);
    expect((await StateMachine.getSnapshot(system, conn)).value).toBe('connecting');
    system.send(conn, { type: 'failed' });
    await StateMachine.waitFor(system, conn, 'waiting', 1000);
    clock.advance(399);
    expect((await StateMachine.getSnapshot(system, conn)).value).toBe('waiting');
    clock.advance(1);
    expect((await StateMachine.getSnapshot(system, conn)).value).toBe('connecting');
    await system.shutdown();
  });

  it('ends the process normally when the machine reaches a final state', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const clock = system.clock;
    void clock;
    const pid = await StateMachine.start(system, createMachine({ initial: 'a', states: { a: { on: { go: 'b' } }, b: { type: 'final' } } }));
    const ref = system.monitor(pid);
    system.send(pid, { type: 'go' });
    const down = await system.receive((m: any) => m.type === 'DOWN' && m.ref.equals(ref), 1000);
    expect(down.reason).toBe('normal');
    await system.shutdown();
  });

  it('ends the process with the error an action throws', async () => {
    const logger = new MemoryLogger();
    const system = new ActorSystem({ logger });
    const machine = createMachine({
      initial: 'a',
      states: {
        a: {
          on: {
            boom: {
              actions: () => {
                throw new Error('action failed');
              },
            },
          },
        },
      },
    });
    const pid = await StateMachine.start(system, machine);
    const ref = system.monitor(pid);
    system.send(pid, { type: 'boom' });
    const down = await system.receive((m: any) => m.type === 'DOWN' && m.ref.equals(ref), 1000);
    expect(down.reason).toBeInstanceOf(Error);
    expect((down.reason as Error).message).toBe('action failed');
    expect(logger.find('process.crashed')).toHaveLength(1);
    await system.shutdown();
  });

  it('fails waitFor with ERR_CALL_EXIT when the machine ends first', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const pid = await StateMachine.start(system, createMachine({ initial: 'a', states: { a: { on: { go: 'b' } }, b: { type: 'final' } } }));
    const waiting = StateMachine.waitFor(system, pid, 'never', 1000);
    system.send(pid, { type: 'go' });
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CALL_EXIT' });
    await system.shutdown();
  });

  it('rejects a value that is not a machine', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    expect(() => StateMachine.startLink(system, {} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    await system.shutdown();
  });
});

describe('StateMachine timers', () => {
  it('leaves no timer behind after the process ends', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const waiting = createMachine({ initial: 'a', states: { a: { after: { 60_000: 'b' } }, b: {} } });
    const pid = await StateMachine.start(system, waiting);
    expect(system.activeTimers()).toBe(1);
    system.exit(pid, 'kill');
    expect(system.activeTimers()).toBe(0);
    await system.shutdown();
  });
});
