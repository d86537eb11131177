/**
 * Test hooks of the system: a settable clock, the send interceptor and the idle query. The
 * seeded run-queue order is tested with the scheduler.
 */
import { describe, expect, it } from 'vitest';
import {
  type ActorSystem,
  type InterceptDecision,
  type Pid,
  VirtualClock,
} from '@starweave/actors';
import { hasCode, nextTurn, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function collector(system: ActorSystem): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = system.spawn({ handleMessage: (_self, message) => void got.push(message) });
  return { pid, got };
}

describe('ActorSystem clock option', () => {
  it('drives sendAfter and receive timeouts from a VirtualClock only', async () => {
    const clock = new VirtualClock(1000);
    const system = newSystem({ clock });
    const { pid, got } = collector(system);
    system.sendAfter(pid, 'tick', 50);
    const waiting = system.tryReceive((m) => m === 'never', 50);

    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(got).toEqual([]);
    clock.advance(50);
    await settle(system);

    expect(got).toEqual(['tick']);
    expect(await waiting).toBeUndefined();
    expect(system.clock.now()).toBe(1050);
  });
});

describe('ActorSystem.setSendInterceptor', () => {
  it('sees the sender, the destination and the message of every send', async () => {
    const system = newSystem();
    const seen: Array<{ from: string; to: string; message: unknown }> = [];
    system.setSendInterceptor(({ from, to, message }) => {
      seen.push({ from: String(from), to: String(to), message });
      return 'deliver';
    });
    const { pid, got } = collector(system);
    const sender = system.spawn(async (self) => {
      self.send(pid, 'from a process');
    });

    system.send(pid, 'from outside');
    await settle(system);

    expect(got).toEqual(['from outside', 'from a process']);
    expect(seen).toEqual([
      { from: String(system.pid), to: String(pid), message: 'from outside' },
      { from: String(sender), to: String(pid), message: 'from a process' },
    ]);
  });

  it('drops a message for drop', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    system.setSendInterceptor(({ message }) => (message === 'lost' ? 'drop' : 'deliver'));

    system.send(pid, 'lost');
    system.send(pid, 'kept');
    await settle(system);

    expect(got).toEqual(['kept']);
  });

  it('delivers a message later on the system clock for { delayMs }', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const { pid, got } = collector(system);
    system.setSendInterceptor(({ message }) => (message === 'slow' ? { delayMs: 100 } : 'deliver'));

    system.send(pid, 'slow');
    system.send(pid, 'fast');
    await settle(system);
    expect(got).toEqual(['fast']);
    clock.advance(100);
    await settle(system);

    expect(got).toEqual(['fast', 'slow']);
  });

  it('drops a delayed message whose destination ended meanwhile', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const { pid } = collector(system);
    system.setSendInterceptor(() => ({ delayMs: 100 }));
    system.send(pid, 'slow');

    system.exit(pid, 'kill');

    expect(() => clock.advance(100)).not.toThrow();
  });

  it('delivers n copies in all for { duplicate: n }', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    system.setSendInterceptor(() => ({ duplicate: 3 }));

    system.send(pid, 'echo');
    await settle(system);

    expect(got).toEqual(['echo', 'echo', 'echo']);
  });

  it('stops intercepting when set to null', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);
    system.setSendInterceptor(() => 'drop');

    system.setSendInterceptor(null);
    system.send(pid, 'hello');
    await settle(system);

    expect(got).toEqual(['hello']);
  });

  it('fails with ERR_INVALID_ARGUMENT naming an interceptor that is not a function', () => {
    const system = newSystem();

    const error = thrownBy(() => system.setSendInterceptor('drop' as never));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"drop"');
  });

  const badDecisions: Array<[string, unknown]> = [
    ['an unknown word', 'lose'],
    ['a negative delay', { delayMs: -5 }],
    ['a delay that is not a number', { delayMs: 'soon' }],
    ['zero copies', { duplicate: 0 }],
    ['a fraction of copies', { duplicate: 1.5 }],
  ];
  for (const [label, decision] of badDecisions) {
    it(`fails with ERR_INVALID_ARGUMENT for a decision with ${label}`, () => {
      const system = newSystem();
      const { pid } = collector(system);
      system.setSendInterceptor(() => decision as InterceptDecision);

      const error = thrownBy(() => system.send(pid, 'x'));

      expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(decision).slice(0, 12));
      expect(system.activeTimers()).toBe(0);
    });
  }
});

describe('ActorSystem.isIdle', () => {
  it('is true for a new system', () => {
    const system = newSystem();

    expect(system.isIdle()).toBe(true);
  });

  it('is false until a spawned function waits in receive', async () => {
    const system = newSystem();
    system.spawn(async (self) => {
      await self.receive();
    });

    expect(system.isIdle()).toBe(false);
    await waitUntil(() => system.isIdle());

    expect(system.isIdle()).toBe(true);
  });

  it('is false while messages wait to be handled', async () => {
    const system = newSystem();
    const { pid, got } = collector(system);

    system.send(pid, 'work');
    expect(system.isIdle()).toBe(false);
    await settle(system);

    expect(got).toEqual(['work']);
    expect(system.isIdle()).toBe(true);
  });

  it('is false while an async process awaits something other than receive', async () => {
    const system = newSystem();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    system.spawn(async (self) => {
      await gate;
      await self.receive();
    });
    for (let i = 0; i < 3; i++) await nextTurn();

    expect(system.isIdle()).toBe(false);
    release();
    await waitUntil(() => system.isIdle());
  });

  it('is true while a callback process is suspended on a promise', async () => {
    const system = newSystem();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pid = system.spawn({ handleMessage: () => gate });
    system.send(pid, 'go');
    await waitUntil(() => system.processInfo(pid)?.status === 'suspended');

    // A suspended process waits for its promise as a receive waits for a message.
    expect(system.isIdle()).toBe(true);
    system.send(pid, 'queued');
    expect(system.isIdle()).toBe(true);
    release();
    await waitUntil(() => system.processInfo(pid)?.mailboxLength === 0);
    expect(system.isIdle()).toBe(true);
  });

  it('is false while a resumed process has queued messages to run', async () => {
    const system = newSystem();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: string[] = [];
    const pid = system.spawn({
      handleMessage: (_self, message: string) => {
        handled.push(message);
        return message === 'go' ? gate : undefined;
      },
    });
    system.send(pid, 'go');
    await waitUntil(() => system.processInfo(pid)?.status === 'suspended');
    system.send(pid, 'next');
    release();
    await gate;
    expect(system.isIdle()).toBe(false);
    await waitUntil(() => system.isIdle());
    expect(handled).toEqual(['go', 'next']);
  });

  it('is true with many idle callback processes and one waiting function', async () => {
    const system = newSystem();
    for (let i = 0; i < 1000; i++) system.spawn({ handleMessage() {} });
    const waiter = system.spawn(async (self) => {
      await self.receive();
    });
    await waitUntil(() => system.processInfo(waiter)?.status === 'waiting');

    expect(system.isIdle()).toBe(true);
    system.exit(waiter, 'kill');
    expect(system.isIdle()).toBe(true);
  });

  it('ignores pending timers', () => {
    const system = newSystem({ clock: new VirtualClock() });
    const { pid } = collector(system);

    system.sendAfter(pid, 'later', 1000);

    expect(system.activeTimers()).toBe(1);
    expect(system.isIdle()).toBe(true);
  });
});
