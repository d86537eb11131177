/**
 * Tests of clause lists as GenServer callbacks on real servers: first match wins, narrowing,
 * one compilation per spec, and OTP's handling of messages that no clause matches.
 */
import {
  ActorSystem,
  type From,
  GenServer,
  MemoryLogger,
  type ProcessContext,
  silentLogger,
} from '@starweave/actors';
import { callClauses, castClauses, infoClauses, P } from '@starweave/patterns';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';

const systems: ActorSystem[] = [];
afterEach(async () => {
  for (const system of systems.splice(0)) await system.shutdown();
});

function newSystem(logger = silentLogger): ActorSystem {
  const system = new ActorSystem({ logger });
  systems.push(system);
  return system;
}

type CounterProtocol = {
  calls:
    | { request: { type: 'get' }; reply: number }
    | { request: { type: 'add'; n: number }; reply: number }
    | { request: { type: 'label'; prefix: string }; reply: string };
  casts: { type: 'reset' } | { type: 'set'; value: number };
};

const Counter: GenServer.Spec<number, number, CounterProtocol> = {
  init: (start) => ({ state: start }),
  handleInfo: infoClauses([
    [
      { type: 'tick', by: P.number },
      (tick, count) => {
        expectTypeOf(tick).toEqualTypeOf<{ type: 'tick'; by: number }>();
        expectTypeOf(count).toEqualTypeOf<number>();
        return { noreply: true, state: count + tick.by };
      },
    ],
    [{ type: 'tick' }, (_tick, count) => ({ noreply: true, state: count + 1 })],
    [
      { type: 'halt', reason: P.string },
      (halt, count) => ({ stop: { shutdown: halt.reason }, state: count }),
    ],
  ]),
  handleCall: callClauses([
    [{ type: 'get' }, (_request, _from, count) => ({ reply: count, state: count })],
    [
      { type: 'add', n: P.number.gt(100) },
      (_request, _from, count) => ({ reply: -1, state: count }),
    ],
    [
      { type: 'add' },
      (request, from, count, self) => {
        expectTypeOf(request).toEqualTypeOf<{ type: 'add'; n: number }>();
        expectTypeOf(from).toEqualTypeOf<From>();
        expectTypeOf(self).toEqualTypeOf<ProcessContext>();
        return { reply: count + request.n, state: count + request.n };
      },
    ],
    [
      { type: 'label' },
      (request, _from, count) => ({ reply: `${request.prefix}${count}`, state: count }),
    ],
  ]),
  handleCast: castClauses([
    [{ type: 'reset' }, (_cast, _count) => ({ noreply: true, state: 0 })],
    [
      { type: 'set' },
      (cast, _count) => {
        expectTypeOf(cast).toEqualTypeOf<{ type: 'set'; value: number }>();
        return { noreply: true, state: cast.value };
      },
    ],
  ]),
};

async function settle(system: ActorSystem): Promise<void> {
  while (!system.isIdle()) await new Promise((resolve) => setImmediate(resolve));
}

describe('infoClauses', () => {
  it('runs the first matching clause', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    system.send(counter, { type: 'tick', by: 5 });
    system.send(counter, { type: 'tick' });
    system.send(counter, { type: 'tick', by: 'not a number' });
    expect(await GenServer.call(system, counter, { type: 'get' })).toBe(7);
  });

  it('logs gen_server.unexpected_message and keeps the state', async () => {
    const logger = new MemoryLogger();
    const system = newSystem(logger);
    const counter = await GenServer.start(system, Counter, 3, { name: 'counter' });
    system.send(counter, { type: 'unknown', value: 1 });
    expect(await GenServer.call(system, counter, { type: 'get' })).toBe(3);
    const logged = logger.entries.filter(
      (entry) => entry.event === 'gen_server.unexpected_message',
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]!.level).toBe('warn');
    expect(logged[0]!.fields.message).toEqual({ type: 'unknown', value: 1 });
    expect(logged[0]!.fields.name).toBe('counter');
    expect(system.isAlive(counter)).toBe(true);
  });

  it('logs the name given in the options', async () => {
    const logger = new MemoryLogger();
    const system = newSystem(logger);
    const Named: GenServer.Spec<null, void> = {
      init: () => ({ state: null }),
      handleInfo: infoClauses([[{ type: 'x' }, (_m, state) => ({ noreply: true, state })]], {
        name: 'cache',
      }),
    };
    const pid = await GenServer.start(system, Named, undefined);
    system.send(pid, 42);
    await settle(system);
    const logged = logger.entries.find((entry) => entry.event === 'gen_server.unexpected_message');
    expect(logged?.fields.name).toBe('cache');
    expect(logged?.fields.message).toBe(42);
  });

  it('passes a stop result through', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    const down = system.receive((m: any) => m?.type === 'DOWN', 3000);
    system.monitor(counter);
    system.send(counter, { type: 'halt', reason: 'done' });
    expect(((await down) as { reason: unknown }).reason).toEqual({ shutdown: 'done' });
  });

  it('reads the clause list only when built', async () => {
    let reads = 0;
    const list = [
      [{ type: 'a' }, (_m: unknown, state: number) => ({ noreply: true, state: state + 1 })],
    ];
    const counted = new Proxy(list, {
      get(target, property, receiver) {
        if (typeof property === 'string' && /^\d+$/.test(property)) reads += 1;
        return Reflect.get(target, property, receiver);
      },
    });
    const Server: GenServer.Spec<number, void> = {
      init: () => ({ state: 0 }),
      handleInfo: infoClauses(counted as never),
    };
    const readsAtBuild = reads;
    const system = newSystem();
    const pid = await GenServer.start(system, Server, undefined);
    for (let i = 0; i < 50; i += 1) system.send(pid, { type: 'a' });
    expect(await GenServer.getState(system, pid)).toBe(50);
    expect(readsAtBuild).toBeGreaterThan(0);
    expect(reads).toBe(readsAtBuild);
  });

  it('rejects a clause that is not a pattern and handler pair', () => {
    expect(() => infoClauses([[{ type: 'a' }] as never])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('callClauses', () => {
  it('replies from the first matching clause', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 10);
    expect(await GenServer.call(system, counter, { type: 'add', n: 500 })).toBe(-1);
    expect(await GenServer.call(system, counter, { type: 'add', n: 5 })).toBe(15);
    expect(await GenServer.call(system, counter, { type: 'label', prefix: '#' })).toBe('#15');
  });

  it('crashes with ERR_BAD_CALL on an unmatched call', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    const failure = GenServer.call(system, counter, { type: 'nope' } as never).catch((e) => e);
    const error = await failure;
    expect(error.code).toBe('ERR_CALL_EXIT');
    const reason = error.details?.reason ?? error.cause;
    expect(reason.code).toBe('ERR_BAD_CALL');
    expect(system.isAlive(counter)).toBe(false);
  });

  it('rejects a pattern outside the protocol', () => {
    const Spec: GenServer.Spec<number, void, CounterProtocol> = {
      init: () => ({ state: 0 }),
      handleCall: callClauses([
        [{ type: 'get' }, (_request, _from, state) => ({ reply: state, state })],
        // @ts-expect-error: no request of the protocol has type 'nope'
        [{ type: 'nope' }, (_request, _from, state) => ({ reply: state, state })],
      ]),
    };
    expect(typeof Spec.handleCall).toBe('function');
  });

  it('rejects a reply outside the protocol', () => {
    const Spec: GenServer.Spec<number, void, CounterProtocol> = {
      init: () => ({ state: 0 }),
      handleCall: callClauses([
        // @ts-expect-error: the protocol's replies are numbers and strings
        [{ type: 'get' }, (_request, _from, state) => ({ reply: true, state })],
      ]),
    };
    expect(typeof Spec.handleCall).toBe('function');
  });

  it('narrows a request to one protocol member', () => {
    callClauses<CounterProtocol['calls']['request'], number, number, readonly [{ type: 'get' }]>([
      [
        { type: 'get' },
        (request, _from, state) => {
          expectTypeOf(request).toEqualTypeOf<{ type: 'get' }>();
          // @ts-expect-error: a get request has no n
          request.n;
          return { reply: state, state };
        },
      ],
    ]);
  });
});

describe('castClauses', () => {
  it('runs the first matching clause', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 10);
    GenServer.cast(system, counter, { type: 'set', value: 4 });
    expect(await GenServer.call(system, counter, { type: 'get' })).toBe(4);
    GenServer.cast(system, counter, { type: 'reset' });
    expect(await GenServer.call(system, counter, { type: 'get' })).toBe(0);
  });

  it('crashes with ERR_BAD_CALL on an unmatched cast', async () => {
    const system = newSystem();
    const counter = await GenServer.start(system, Counter, 0);
    const ref = system.monitor(counter);
    const down = system.receive((m: any) => m?.type === 'DOWN' && m.ref.equals(ref), 3000);
    GenServer.cast(system, counter, { type: 'nope' } as never);
    const reason = ((await down) as { reason: { code: string; message: string } }).reason;
    expect(reason.code).toBe('ERR_BAD_CALL');
    expect(reason.message).toContain('"nope"');
  });
});
