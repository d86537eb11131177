/**
 * Selective receive in async process functions: unmatched messages stay in the mailbox in
 * order, each new receive scans from the oldest message, and a receive that is already
 * waiting looks only at messages that arrived since it began.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { P } from 'ts-pattern';
import { type Pid, type ProcessContext, VirtualClock, isPid } from '@starweave/actors';
import { hasCode, nextTurn, settle, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

interface Ping {
  type: 'ping';
  n: number;
}

function isPing(message: unknown): message is Ping {
  return (message as Ping | null)?.type === 'ping';
}

/** Spawns a process that runs `body` once its mailbox contains `messages`, and reports the result. */
function probe(
  system: ReturnType<typeof newSystem>,
  messages: unknown[],
  body: (self: ProcessContext) => Promise<unknown>,
): Pid {
  const pid = system.spawn(async (self) => {
    await self.receive((m) => m === 'go');
    const result = await body(self);
    self.send(system.pid, { type: 'result', result });
  });
  for (const message of messages) system.send(pid, message);
  system.send(pid, 'go');
  return pid;
}

async function resultOf(system: ReturnType<typeof newSystem>): Promise<any> {
  const reply = await system.receive((m: any) => m?.type === 'result', 2000);
  return reply.result;
}

describe('ProcessContext.receive', () => {
  it('returns the oldest message the selector accepts', async () => {
    const system = newSystem();
    probe(system, ['a', { type: 'ping', n: 1 }, 'b', { type: 'ping', n: 2 }], (self) =>
      self.receive(isPing),
    );

    expect(await resultOf(system)).toEqual({ type: 'ping', n: 1 });
  });

  it('leaves unmatched messages in the mailbox in their order', async () => {
    const system = newSystem();
    probe(system, ['a', 'b', { type: 'ping', n: 1 }, 'c'], async (self) => {
      await self.receive(isPing);
      return [await self.receive(), await self.receive(), await self.receive()];
    });

    expect(await resultOf(system)).toEqual(['a', 'b', 'c']);
  });

  it('scans from the oldest message on each new receive', async () => {
    const system = newSystem();
    probe(system, ['a', 'b', 'c'], async (self) => {
      const second = await self.receive((m) => m === 'b');
      const first = await self.receive((m) => m === 'a' || m === 'c');
      return [second, first];
    });

    expect(await resultOf(system)).toEqual(['b', 'a']);
  });

  it('takes any message when no selector is given', async () => {
    const system = newSystem();
    probe(system, [42], (self) => self.receive());

    expect(await resultOf(system)).toBe(42);
  });

  it('selects with a ts-pattern pattern', async () => {
    const system = newSystem();
    probe(
      system,
      [{ type: 'ping', n: 'one' }, { type: 'pong' }, { type: 'ping', n: 2 }],
      (self) => self.receive({ type: 'ping', n: P.number }),
    );

    expect(await resultOf(system)).toEqual({ type: 'ping', n: 2 });
  });

  it('narrows the result type to what the selector picks', async () => {
    const system = newSystem();
    probe(system, [{ type: 'ping', n: 3 }, { type: 'ping', n: 4 }, 'x', { type: 'ping', n: 5 }], async (self) => {
      const guarded = await self.receive(isPing, 1000);
      expectTypeOf(guarded).toEqualTypeOf<Ping>();
      // An inline guard whose parameter has no annotation compiles and narrows too.
      const inline = await self.receive((m): m is Ping => (m as Ping | null)?.type === 'ping', 1000);
      expectTypeOf(inline).toEqualTypeOf<Ping>();
      const matched = await self.receive({ type: P.string, n: P.number });
      expectTypeOf(matched).toEqualTypeOf<{ type: string; n: number }>();
      const any = await self.receive();
      expectTypeOf(any).toBeAny();
      const maybe = await self.tryReceive(isPing, 0);
      expectTypeOf(maybe).toEqualTypeOf<Ping | undefined>();
      return [guarded.n, inline.n, matched.n, any, maybe];
    });

    expect(await resultOf(system)).toEqual([3, 4, 5, 'x', undefined]);
  });

  it('waits for a matching message that arrives later', async () => {
    const system = newSystem();
    const pid = probe(system, [], (self) => self.receive(isPing));
    await settle(system);

    system.send(pid, 'noise');
    system.send(pid, { type: 'ping', n: 7 });

    expect(await resultOf(system)).toEqual({ type: 'ping', n: 7 });
    expect(system.processInfo(pid)).toBeUndefined();
  });

  it('looks only at new arrivals while it waits', async () => {
    const system = newSystem();
    // The selector accepts 'old' only after it has seen 'flip'. A waiting receive that rescanned
    // the mailbox would then take the 'old' message that was already there.
    let flipped = false;
    const pid = probe(system, ['old'], (self) =>
      self.receive((m) => {
        if (m === 'flip') flipped = true;
        return m === 'new' || (flipped && m === 'old');
      }),
    );
    await settle(system);

    system.send(pid, 'flip');
    await settle(system);
    system.send(pid, 'new');

    expect(await resultOf(system)).toBe('new');
  });

  it('fails with ERR_RECEIVE_TIMEOUT when nothing matches in time', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const pid = probe(system, ['noise'], async (self) => {
      try {
        await self.receive(isPing, 100);
      } catch (error) {
        return error;
      }
    });
    await settle(system);

    clock.advance(99);
    await settle(system);
    expect(system.isAlive(pid)).toBe(true);
    clock.advance(1);
    const error = await resultOf(system);

    expect(hasCode(error, 'ERR_RECEIVE_TIMEOUT')).toBe(true);
    expect(error.message).toContain(String(pid));
  });

  it('keeps a message that arrives after the timeout in the mailbox', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const pid = system.spawn(async (self) => {
      await self.tryReceive(isPing, 10);
      await self.receive((m) => m === 'go');
      self.send(system.pid, { type: 'result', result: await self.receive(isPing, 0) });
    });
    await settle(system);
    clock.advance(10);
    await settle(system);

    system.send(pid, { type: 'ping', n: 1 });
    system.send(pid, 'go');

    expect(await resultOf(system)).toEqual({ type: 'ping', n: 1 });
  });

  it('takes a matching message already in the mailbox with a zero timeout', async () => {
    const system = newSystem();
    probe(system, [{ type: 'ping', n: 1 }], (self) => self.receive(isPing, 0));

    expect(await resultOf(system)).toEqual({ type: 'ping', n: 1 });
  });

  it('fails at once with a zero timeout when nothing matches', async () => {
    const system = newSystem();
    probe(system, ['noise'], (self) => self.receive(isPing, 0).catch((error: unknown) => error));

    expect(hasCode(await resultOf(system), 'ERR_RECEIVE_TIMEOUT')).toBe(true);
  });

  it('waits without limit for infinity', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const pid = probe(system, [], (self) => self.receive(isPing, 'infinity'));
    await settle(system);

    clock.advance(1e9);
    await settle(system);
    expect(system.isAlive(pid)).toBe(true);
    system.send(pid, { type: 'ping', n: 9 });

    expect(await resultOf(system)).toEqual({ type: 'ping', n: 9 });
  });

  it('reads its timer from the system clock', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const pid = probe(system, [], (self) => self.tryReceive(isPing, 5000));
    await settle(system);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(system.isAlive(pid)).toBe(true);

    clock.advance(5000);

    expect(await resultOf(system)).toBeUndefined();
  });

  it('counts each received message as a reduction', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      for (let i = 0; i < 3; i++) await self.receive();
      await self.receive((m) => m === 'never');
    });
    for (let i = 0; i < 3; i++) system.send(pid, i);
    await settle(system);

    expect(system.processInfo(pid)?.reductions).toBe(3);
  });

  it('fails with ERR_INVALID_ARGUMENT when a second receive starts while one waits', async () => {
    const system = newSystem();
    probe(system, [], async (self) => {
      const first = self.receive(isPing);
      const second = self.receive(isPing).catch((error: unknown) => error);
      void first;
      return second;
    });

    const error = await resultOf(system);

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '100']) {
    it(`fails with ERR_INVALID_ARGUMENT for the timeout ${String(bad)}`, async () => {
      const system = newSystem();
      probe(system, [], async (self) => {
        try {
          await self.receive(isPing, bad as number);
        } catch (error) {
          return error;
        }
      });

      const error = await resultOf(system);

      expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect(error.message).toContain(typeof bad === 'string' ? `"${bad}"` : String(bad));
    });
  }

  it('rejects an invalid timeout instead of throwing', async () => {
    const system = newSystem();

    let result: Promise<unknown> | undefined;
    expect(() => {
      result = system.receive(undefined, -5);
    }).not.toThrow();

    const error = await result!.catch((caught: unknown) => caught);
    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('-5');
  });

  it('fails with ERR_NOT_IN_PROCESS in a callback process', async () => {
    const system = newSystem();
    const pid = system.spawn({
      handleMessage(self) {
        void self.receive().catch((error: unknown) => self.send(system.pid, { type: 'result', result: error }));
      },
    });
    system.send(pid, 'go');

    const error = await resultOf(system);

    expect(hasCode(error, 'ERR_NOT_IN_PROCESS')).toBe(true);
    expect(error.message).toContain(String(pid));
  });

  it('fails with ERR_NOT_IN_PROCESS when called after the process ended', async () => {
    const system = newSystem();
    let leaked: { receive(): Promise<unknown>; pid: Pid } | undefined;
    const pid = system.spawn(async (self) => {
      leaked = self;
    });
    await waitUntil(() => !system.isAlive(pid));

    const error = await Promise.race([
      leaked!.receive().catch((caught: unknown) => caught),
      new Promise((resolve) => setTimeout(() => resolve('still pending'), 200)),
    ]);

    expect(hasCode(error, 'ERR_NOT_IN_PROCESS')).toBe(true);
    expect((error as Error).message).toContain(String(pid));
  });

  it('fails with the error a selector throws on a message already in the mailbox', async () => {
    const system = newSystem();
    const error = new Error('selector fails');
    probe(system, ['boom'], async (self) => {
      try {
        await self.receive(() => {
          throw error;
        });
      } catch (caught) {
        return caught;
      }
    });

    expect(await resultOf(system)).toBe(error);
  });

  it('fails with the error a selector throws while it waits, and the scheduler goes on', async () => {
    const system = newSystem();
    const error = new Error('selector fails');
    const pid = probe(system, [], async (self) => {
      try {
        await self.receive((m) => {
          if (m === 'boom') throw error;
          return false;
        });
      } catch (caught) {
        return caught;
      }
    });
    await settle(system);

    system.send(pid, 'boom');
    const caught = await resultOf(system);
    const handled: unknown[] = [];
    const other = system.spawn({ handleMessage: (_self, message) => void handled.push(message) });
    system.send(other, 'still running');
    await settle(system);

    expect(caught).toBe(error);
    expect(handled).toEqual(['still running']);
  });

  it('never resumes the code of a process that was killed while it waited', async () => {
    const system = newSystem();
    let resumed = false;
    const pid = system.spawn(async (self) => {
      await self.receive(isPing);
      resumed = true;
    });
    await settle(system);

    system.exit(pid, 'kill');
    system.send(pid, { type: 'ping', n: 1 });
    await settle(system);
    await nextTurn();

    expect(resumed).toBe(false);
  });
});

describe('selective receive under load', () => {
  it('calls a waiting selector about once per new message with 100k unmatched messages', async () => {
    const system = newSystem();
    let calls = 0;
    const selector = (message: unknown): boolean => {
      calls++;
      return (message as { tag?: string } | null)?.tag === 'reply';
    };
    const pid = system.spawn(async (self) => {
      const reply = await self.receive(selector);
      self.send(system.pid, { type: 'result', result: reply });
    });
    await settle(system);
    const start = performance.now();

    for (let i = 0; i < 100_000; i++) {
      system.send(pid, { tag: 'noise', i });
      // Lets the scheduler run now and then, so the waiting receive scans in many small steps.
      if (i % 1000 === 0) await nextTurn();
    }
    system.send(pid, { tag: 'reply' });
    const result = await resultOf(system);
    const elapsed = performance.now() - start;

    expect(result).toEqual({ tag: 'reply' });
    expect(calls).toBeLessThanOrEqual(100_001 + 10);
    expect(elapsed).toBeLessThan(2000);
  });

  it('takes 100k messages behind an unmatched one without quadratic cost', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      await self.receive((m) => m === 'go');
      const start = performance.now();
      let sum = 0;
      for (let i = 0; i < 100_000; i++) sum += (await self.receive((m) => m !== 'skipped')) as number;
      self.send(system.pid, { type: 'result', result: { sum, elapsed: performance.now() - start } });
    });
    system.send(pid, 'skipped');
    for (let i = 0; i < 100_000; i++) system.send(pid, 1);
    system.send(pid, 'go');

    const { sum, elapsed } = await resultOf(system);

    expect(sum).toBe(100_000);
    expect(elapsed).toBeLessThan(1000);
    expect(system.processInfo(pid)).toBeUndefined();
  });

  it('scans 100k unmatched messages once in a new receive', async () => {
    const system = newSystem();
    let calls = 0;
    const pid = system.spawn(async (self) => {
      await self.receive((m) => m === 'go');
      const reply = await self.receive((m: unknown) => {
        calls++;
        return (m as { tag?: string } | null)?.tag === 'reply';
      });
      self.send(system.pid, { type: 'result', result: reply, left: system.processInfo(self.pid)?.mailboxLength });
    });
    for (let i = 0; i < 100_000; i++) system.send(pid, { tag: 'noise', i });
    system.send(pid, { tag: 'reply' });
    const start = performance.now();
    system.send(pid, 'go');

    const reply = await system.receive((m: any) => m?.type === 'result', 2000);

    expect(reply.result).toEqual({ tag: 'reply' });
    expect(reply.left).toBe(100_000);
    expect(calls).toBe(100_001);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(isPid(pid)).toBe(true);
  });
});
