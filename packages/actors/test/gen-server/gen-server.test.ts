import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ActorSystem,
  GenServer,
  IGNORE,
  MemoryLogger,
  VirtualClock,
  isIgnored,
  silentLogger,
  type ProcessContext,
  type Reason,
} from '@starweave/actors';

const systems: ActorSystem[] = [];
function newSystem(options: ConstructorParameters<typeof ActorSystem>[0] = {}): ActorSystem {
  const system = new ActorSystem({ logger: silentLogger, ...options });
  systems.push(system);
  return system;
}
afterEach(async () => {
  for (const system of systems.splice(0)) await system.shutdown();
});

type CounterProtocol = {
  calls:
    | { request: { type: 'get' }; reply: number }
    | { request: { type: 'label' }; reply: string }
    | { request: { type: 'slow'; ms: number }; reply: 'done' };
  casts: { type: 'add'; n: number };
};

const Counter: GenServer.Spec<number, number, CounterProtocol> = {
  init: (start) => ({ state: start }),
  handleCall: async (request, _from, count) => {
    if (request.type === 'get') return { reply: count, state: count };
    if (request.type === 'label') return { reply: `count=${count}`, state: count };
    await new Promise((resolve) => setTimeout(resolve, request.ms));
    return { reply: 'done' as const, state: count };
  },
  handleCast: (cast, count) => ({ noreply: true, state: count + cast.n }),
};

function downOf(system: ActorSystem, pid: unknown) {
  return system.receive((m: any) => m?.type === 'DOWN' && m.pid.equals(pid), 2000);
}

describe('GenServer.startLink', () => {
  it('resolves after init has finished with the state it returned', async () => {
    const system = newSystem();
    const order: string[] = [];
    const pid = await GenServer.startLink(
      system,
      {
        init: async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push('init done');
          return { state: 1 };
        },
      },
      undefined,
    );
    order.push('start resolved');
    expect(order).toEqual(['init done', 'start resolved']);
    expect(await GenServer.getState(system, pid)).toBe(1);
  });

  it('fails with the reason when init returns stop', async () => {
    const system = newSystem();
    const error = await GenServer.startLink(system, { init: () => ({ stop: 'shutdown' as const }) }, undefined).catch((e) => e);
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.details.reason).toBe('shutdown');
  });

  it('fails with the thrown error when init throws', async () => {
    const system = newSystem();
    const boom = new Error('init broke');
    const error = await GenServer.startLink(
      system,
      {
        init: () => {
          throw boom;
        },
      },
      undefined,
    ).catch((e) => e);
    expect(error.code).toBe('ERR_START_FAILED');
    expect(error.cause).toBe(boom);
  });

  it('leaves no EXIT message for a trapping caller when init fails', async () => {
    const system = newSystem();
    const result = new Promise<unknown>((resolve) => {
      system.spawn(async (self) => {
        self.trapExit(true);
        await GenServer.startLink(self, { init: () => ({ stop: new Error('no') }) }, undefined).catch(() => {});
        resolve(await self.tryReceive((m: any) => m?.type === 'EXIT', 50));
      });
    });
    expect(await result).toBeUndefined();
  });

  it('kills a non-trapping linked caller when init fails abnormally', async () => {
    const system = newSystem();
    const caller = system.spawn(async (self) => {
      await GenServer.startLink(self, { init: () => ({ stop: new Error('no') }) }, undefined).catch(() => {});
      await self.receive();
    });
    const ref = system.monitor(caller);
    const down = await system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 1000);
    expect((down.reason as Error).message).toBe('no');
  });

  it('resolves to IGNORE when init returns ignore', async () => {
    const system = newSystem();
    const pid = await GenServer.startLink(system, { init: () => ({ ignore: true as const }) }, undefined);
    expect(pid).toBe(IGNORE);
    expect(isIgnored(pid)).toBe(true);
  });

  it('registers the name before init runs', async () => {
    const system = newSystem();
    let seen: unknown;
    await GenServer.start(
      system,
      {
        init: (_arg, self) => {
          seen = self.system.whereis('named');
          return { state: null };
        },
      },
      undefined,
      { name: 'named' },
    );
    expect(seen).toBeDefined();
  });

  it('fails with ERR_ALREADY_REGISTERED for a taken name', async () => {
    const system = newSystem();
    await GenServer.start(system, Counter, 0, { name: 'counter' });
    await expect(GenServer.start(system, Counter, 0, { name: 'counter' })).rejects.toMatchObject({
      code: 'ERR_ALREADY_REGISTERED',
    });
  });

  it('rejects a spec without init', () => {
    const system = newSystem();
    expect(() => GenServer.start(system, {} as never, undefined)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('runs handleContinue from init before the first message', async () => {
    const system = newSystem();
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: ['init'], continue: 'warm' }),
        handleContinue: (value: string, state: string[]) => ({ noreply: true, state: [...state, value] }),
        handleCall: (_r, _f, state: string[]) => ({ reply: state, state }),
      },
      undefined,
    );
    expect(await GenServer.call(system, pid, { type: 'x' })).toEqual(['init', 'warm']);
  });
});

describe('GenServer.call', () => {
  it('returns the reply with its type narrowed by the request', async () => {
    const system = newSystem();
    const counter = await GenServer.startLink(system, Counter, 3);
    const count = await GenServer.call(system, counter, { type: 'get' });
    const label = await GenServer.call(system, counter, { type: 'label' });
    expectTypeOf(count).toEqualTypeOf<number>();
    expectTypeOf(label).toEqualTypeOf<string>();
    expect(count).toBe(3);
    expect(label).toBe('count=3');
  });

  it('does not compile a request outside the protocol', async () => {
    const system = newSystem();
    const counter = await GenServer.startLink(system, Counter, 3);
    // @ts-expect-error: 'reset' is not a call of CounterProtocol
    const wrong = () => GenServer.call(system, counter, { type: 'reset' });
    expectTypeOf(wrong).toBeFunction();
    // @ts-expect-error: a cast of CounterProtocol needs n
    const wrongCast = () => GenServer.cast(system, counter, { type: 'add' });
    expectTypeOf(wrongCast).toBeFunction();
  });

  it('fails at once with ERR_NOPROC for a dead server', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    await GenServer.stop(system, counter);
    const started = performance.now();
    await expect(GenServer.call(system, counter, { type: 'get' })).rejects.toMatchObject({ code: 'ERR_NOPROC' });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('fails at once with ERR_NOPROC for an unknown name', async () => {
    const system = newSystem();
    await expect(GenServer.call(system, 'nobody', { type: 'get' })).rejects.toMatchObject({ code: 'ERR_NOPROC' });
  });

  it('fails with the server exit reason when the server dies during the call', async () => {
    const system = newSystem();
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        handleCall: () => {
          throw new Error('handler crashed');
        },
      },
      undefined,
    );
    const error = await GenServer.call(system, pid, { type: 'x' }).catch((e) => e);
    expect(error.code).toBe('ERR_CALL_EXIT');
    expect((error.details.reason as Error).message).toBe('handler crashed');
  });

  it('fails with ERR_CALL_TIMEOUT and discards the late reply', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    const outcome = new Promise<{ error: any; stray: unknown }>((resolve) => {
      system.spawn(async (self) => {
        const error = await GenServer.call(self, counter, { type: 'slow', ms: 100 }, 20).catch((e) => e);
        // The reply comes about 80 ms after the timeout; it must not land in the mailbox.
        const stray = await self.tryReceive(undefined, 200);
        resolve({ error, stray });
      });
    });
    const { error, stray } = await outcome;
    expect(error.code).toBe('ERR_CALL_TIMEOUT');
    expect(stray).toBeUndefined();
  });

  it('times out on virtual time', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const silent = await GenServer.start(
      system,
      { init: () => ({ state: null }), handleCall: (_r, _f, state) => ({ noreply: true as const, state }) },
      undefined,
    );
    const pending = GenServer.call(system, silent, { type: 'x' }, 5000);
    let settled = false;
    pending.catch(() => {
      settled = true;
    });
    clock.advance(4999);
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CALL_TIMEOUT' });
  });

  it('fails with ERR_CALLING_SELF instead of deadlocking', async () => {
    const system = newSystem();
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        handleCall: async (request: { type: string }, _from, state, self: ProcessContext) => {
          if (request.type === 'outer') {
            const error = await GenServer.call(self, self.pid, { type: 'inner' }).catch((e) => e);
            return { reply: error.code, state };
          }
          return { reply: 'inner', state };
        },
      },
      undefined,
    );
    expect(await GenServer.call(system, pid, { type: 'outer' })).toBe('ERR_CALLING_SELF');
  });

  it('rejects an invalid timeout', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    expect(() => GenServer.call(system, counter, { type: 'get' }, -1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('accepts infinity as a timeout', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 9);
    expect(await GenServer.call(system, counter, { type: 'get' }, 'infinity')).toBe(9);
  });

  it('crashes the server with ERR_BAD_CALL when it defines no handleCall', async () => {
    const system = newSystem();
    const pid = await GenServer.start(system, { init: () => ({ state: null }) }, undefined);
    const error = await GenServer.call(system, pid, { type: 'x' }).catch((e) => e);
    expect(error.code).toBe('ERR_CALL_EXIT');
    expect(error.details.reason.code).toBe('ERR_BAD_CALL');
  });
});

describe('GenServer.reply', () => {
  it('delivers a deferred reply through from', async () => {
    const system = newSystem();
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        handleCall: (_request, from, state, self) => {
          self.sendAfter(self.pid, { type: 'answer', from }, 10);
          return { noreply: true as const, state };
        },
        handleInfo: (message: any, state, self) => {
          GenServer.reply(self, message.from, 'later');
          return { noreply: true as const, state };
        },
      },
      undefined,
    );
    expect(await GenServer.call(system, pid, { type: 'ask' })).toBe('later');
  });

  it('returns false and logs for a stale from', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    let saved: any;
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        handleCall: (_request, from, state) => {
          saved = from;
          return { noreply: true as const, state };
        },
      },
      undefined,
    );
    await GenServer.call(system, pid, { type: 'ask' }, 10).catch(() => {});
    expect(GenServer.reply(system, saved, 'too late')).toBe(false);
    expect(logger.find('gen_server.stale_reply')).toHaveLength(1);
  });
});

describe('GenServer callbacks', () => {
  it('applies casts in order', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    for (let i = 1; i <= 100; i++) GenServer.cast(system, counter, { type: 'add', n: i });
    expect(await GenServer.call(system, counter, { type: 'get' })).toBe(5050);
  });

  it('ignores a cast to an unknown name', () => {
    const system = newSystem();
    expect(() => GenServer.cast(system, 'nobody', { type: 'add', n: 1 } as never)).not.toThrow();
  });

  it('delivers the inactivity timeout to handleInfo when no message arrives', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const seen: unknown[] = [];
    await GenServer.start(
      system,
      {
        init: () => ({ state: null, timeoutMs: 1000 }),
        handleInfo: (message, state) => {
          seen.push(message);
          return { noreply: true as const, state };
        },
      },
      undefined,
    );
    clock.advance(999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ type: 'timeout' }]);
  });

  it('cancels the inactivity timeout when a message arrives', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const seen: unknown[] = [];
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null, timeoutMs: 1000 }),
        handleInfo: (message, state) => {
          seen.push(message);
          return { noreply: true as const, state };
        },
      },
      undefined,
    );
    clock.advance(500);
    system.send(pid, 'poke');
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(2000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['poke']);
  });

  it('logs and drops an unexpected message when handleInfo is missing', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const counter = await GenServer.start(system, Counter, 1);
    system.send(counter, { type: 'stray' });
    expect(await GenServer.call(system, counter, { type: 'get' })).toBe(1);
    expect(logger.find('gen_server.unexpected_message')).toHaveLength(1);
  });

  it('ends the server with ERR_BAD_RETURN for an invalid callback result', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const pid = await GenServer.start(
      system,
      { init: () => ({ state: null }), handleCast: () => 42 as never },
      undefined,
      { name: 'broken' },
    );
    const ref = system.monitor(pid);
    GenServer.cast(system, pid, { type: 'x' });
    const down = await system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 1000);
    expect((down.reason as any).code).toBe('ERR_BAD_RETURN');
    const report = logger.find('gen_server.terminated')[0];
    expect(report?.fields.name).toBe('broken');
  });

  it('replies before stopping when handleCall returns stop with a reply', async () => {
    const system = newSystem();
    const pid = await GenServer.start(
      system,
      { init: () => ({ state: null }), handleCall: (_r, _f, state) => ({ stop: 'normal' as const, reply: 'bye', state }) },
      undefined,
    );
    system.monitor(pid);
    expect(await GenServer.call(system, pid, { type: 'quit' })).toBe('bye');
    expect((await downOf(system, pid)).reason).toBe('normal');
  });

  it('hides state from introspection through formatStatus', async () => {
    const system = newSystem();
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: { user: 'ana', password: 'secret' } }),
        formatStatus: (status) => ({ ...status, state: { user: status.state.user } }),
      },
      undefined,
    );
    const status = await GenServer.getStatus(system, pid);
    expect(status.state).toEqual({ user: 'ana' });
  });
});

describe('GenServer terminate', () => {
  function tracked(events: Array<[string, Reason]>) {
    return {
      init: () => ({ state: null }),
      handleCall: (request: { type: string }, _from: unknown, state: null) => {
        if (request.type === 'throw') throw new Error('call threw');
        return { stop: 'shutdown' as const, reply: 'ok', state };
      },
      handleCast: (_cast: unknown, state: null) => ({ stop: { shutdown: 'by cast' }, state }),
      terminate: (reason: Reason) => {
        events.push(['terminate', reason]);
      },
    };
  }

  it('runs when a callback returns stop', async () => {
    const system = newSystem();
    const events: Array<[string, Reason]> = [];
    const pid = await GenServer.start(system, tracked(events), undefined);
    GenServer.cast(system, pid, { type: 'x' });
    system.monitor(pid);
    await downOf(system, pid);
    expect(events).toEqual([['terminate', { shutdown: 'by cast' }]]);
  });

  it('runs with the error when a callback throws', async () => {
    const system = newSystem();
    const events: Array<[string, Reason]> = [];
    const pid = await GenServer.start(system, tracked(events), undefined);
    await GenServer.call(system, pid, { type: 'throw' }).catch(() => {});
    expect(events).toHaveLength(1);
    expect((events[0]![1] as Error).message).toBe('call threw');
  });

  it('runs on an exit signal from the parent when the server traps exits', async () => {
    const system = newSystem();
    const events: Array<[string, Reason]> = [];
    const spec = {
      ...tracked(events),
      init: (_arg: undefined, self: ProcessContext) => {
        self.trapExit(true);
        return { state: null };
      },
    };
    const parent = system.spawn(async (self) => {
      const pid = await GenServer.startLink(self, spec, undefined);
      self.send(system.pid, { type: 'child', pid });
      await self.receive();
    });
    const { pid } = await system.receive((m: any) => m?.type === 'child', 1000);
    system.monitor(pid);
    system.exit(parent, 'shutdown');
    const down = await downOf(system, pid);
    expect(down.reason).toBe('shutdown');
    expect(events).toEqual([['terminate', 'shutdown']]);
  });

  it('does not run on a parent exit signal when the server does not trap exits', async () => {
    const system = newSystem();
    const events: Array<[string, Reason]> = [];
    const parent = system.spawn(async (self) => {
      const pid = await GenServer.startLink(self, tracked(events), undefined);
      self.send(system.pid, { type: 'child', pid });
      await self.receive();
    });
    const { pid } = await system.receive((m: any) => m?.type === 'child', 1000);
    system.monitor(pid);
    system.exit(parent, 'shutdown');
    expect((await downOf(system, pid)).reason).toBe('shutdown');
    expect(events).toEqual([]);
  });

  it('does not run on kill', async () => {
    const system = newSystem();
    const events: Array<[string, Reason]> = [];
    const spec = {
      ...tracked(events),
      init: (_arg: undefined, self: ProcessContext) => {
        self.trapExit(true);
        return { state: null };
      },
    };
    const pid = await GenServer.start(system, spec, undefined);
    system.monitor(pid);
    system.exit(pid, 'kill');
    expect((await downOf(system, pid)).reason).toBe('killed');
    expect(events).toEqual([]);
  });

  it('ends with the error terminate throws and logs a report', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        terminate: () => {
          throw new Error('terminate threw');
        },
      },
      undefined,
    );
    system.monitor(pid);
    await GenServer.stop(system, pid, 'normal');
    const down = await downOf(system, pid);
    expect((down.reason as Error).message).toBe('terminate threw');
    expect(logger.find('gen_server.terminated')).toHaveLength(1);
  });
});

describe('GenServer.stop', () => {
  it('waits until the server has exited with the given reason', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    system.monitor(counter);
    await GenServer.stop(system, counter, 'shutdown');
    expect(system.isAlive(counter)).toBe(false);
    expect((await downOf(system, counter)).reason).toBe('shutdown');
  });

  it('fails with ERR_NOPROC for a dead server', async () => {
    const system = newSystem();
    await expect(GenServer.stop(system, 'nobody')).rejects.toMatchObject({ code: 'ERR_NOPROC' });
  });

  it('leaves other processes running when one server crashes', async () => {
    const system = newSystem();
    const a = await GenServer.start(system, Counter, 1);
    const b = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        handleCast: () => {
          throw new Error('b crashed');
        },
      },
      undefined,
    );
    GenServer.cast(system, b, { type: 'x' });
    system.monitor(b);
    await downOf(system, b);
    expect(await GenServer.call(system, a, { type: 'get' })).toBe(1);
  });
});

describe('GenServer.call by name', () => {
  it('compiles untyped by name and typed with an explicit protocol', async () => {
    const system = newSystem();
    await GenServer.start(system, Counter, 4, { name: 'named-counter' });
    const untyped = await GenServer.call(system, 'named-counter', { type: 'get' });
    expect(untyped).toBe(4);
    const typed = await GenServer.call<CounterProtocol, { type: 'label' }>(system, 'named-counter', { type: 'label' });
    expectTypeOf(typed).toEqualTypeOf<string>();
    GenServer.cast<CounterProtocol>(system, 'named-counter', { type: 'add', n: 1 });
    expect(await GenServer.call(system, 'named-counter', { type: 'get' })).toBe(5);
  });
});

describe('GenServer async terminate', () => {
  it('handles no other message while an async terminate runs', async () => {
    const system = newSystem();
    const handled: string[] = [];
    const pid = await GenServer.start(
      system,
      {
        init: () => ({ state: null }),
        handleCast: (cast: { type: string }, state) => {
          if (cast.type === 'stop') return { stop: 'normal' as const, state };
          handled.push(cast.type);
          return { noreply: true as const, state };
        },
        terminate: () => new Promise((resolve) => setTimeout(resolve, 30)),
      },
      undefined,
    );
    system.monitor(pid);
    GenServer.cast(system, pid, { type: 'stop' });
    GenServer.cast(system, pid, { type: 'late' });
    await downOf(system, pid);
    expect(handled).toEqual([]);
  });
});

describe('callback process suspension', () => {
  it('runs no handler while an earlier handler promise is pending', async () => {
    const system = newSystem();
    const log: string[] = [];
    const pid = system.spawn({
      handleMessage(self, message: string) {
        log.push(`start ${message}`);
        if (message === 'first') {
          self.send(self.pid, 'second');
          return new Promise<void>((resolve) =>
            setTimeout(() => {
              log.push('end first');
              resolve();
            }, 20),
          );
        }
        log.push(`end ${message}`);
        return undefined;
      },
    });
    system.send(pid, 'first');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(log).toEqual(['start first', 'end first', 'start second', 'end second']);
  });
});
