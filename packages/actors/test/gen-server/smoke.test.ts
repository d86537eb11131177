import { describe, expect, it, expectTypeOf } from 'vitest';
import { ActorSystem, GenServer, silentLogger, isStarweaveError } from '@starweave/actors';

type CounterProtocol = {
  calls: { request: { type: 'get' }; reply: number } | { request: { type: 'name' }; reply: string };
  casts: { type: 'add'; n: number };
};
const Counter: GenServer.Spec<number, number, CounterProtocol> = {
  init: (start) => ({ state: start }),
  handleCall: (request, _from, count) =>
    request.type === 'get' ? { reply: count, state: count } : { reply: 'counter', state: count },
  handleCast: (cast, count) => ({ noreply: true, state: count + cast.n }),
};

describe('GenServer smoke', () => {
  it('calls and casts', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const counter = await GenServer.startLink(system, Counter, 10);
    GenServer.cast(system, counter, { type: 'add', n: 5 });
    const count = await GenServer.call(system, counter, { type: 'get' });
    expectTypeOf(count).toEqualTypeOf<number>();
    const name = await GenServer.call(system, counter, { type: 'name' });
    expectTypeOf(name).toEqualTypeOf<string>();
    expect(count).toBe(15);
    // @ts-expect-error: not a request of this protocol
    await GenServer.call(system, counter, { type: 'nope' }).catch(() => {});
    const t0 = performance.now();
    for (let i = 0; i < 100000; i++) await GenServer.call(system, counter, { type: 'get' });
    const dt = performance.now() - t0;
    console.log('calls/s', Math.round(100000 / dt * 1000));
    await GenServer.stop(system, counter);
    await expect(GenServer.call(system, counter, { type: 'get' })).rejects.toMatchObject({ code: 'ERR_NOPROC' });
    await system.shutdown();
  });
});
