/**
 * GenServer.call's watch on the server: present while a call waits, gone once it ends by
 * reply, timeout or the server's exit, so sequential calls leave nothing behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, GenServer, type Pid, VirtualClock, silentLogger } from '@starweave/actors';

const systems: ActorSystem[] = [];
function newSystem(options: ConstructorParameters<typeof ActorSystem>[0] = {}): ActorSystem {
  const system = new ActorSystem({ logger: silentLogger, ...options });
  systems.push(system);
  return system;
}
afterEach(async () => {
  for (const system of systems.splice(0)) await system.shutdown();
});

type Pending = { from: GenServer.From | null };

/** A server that keeps each call waiting until a `release` cast, then replies 'done' to it. */
const Holder: GenServer.Spec<Pending, null> = {
  init: () => ({ state: { from: null } }),
  handleCall: (_request, from, state) => {
    state.from = from;
    return { noreply: true, state };
  },
  handleCast: (_cast, state, self) => {
    if (state.from !== null) GenServer.reply(self, state.from, 'done');
    state.from = null;
    return { noreply: true, state };
  },
};

function watchers(system: ActorSystem, pid: Pid): number {
  return system.processInfo(pid)?.monitoredBy.length ?? -1;
}

describe('GenServer.call watch', () => {
  it('watches the server while the call waits and stops once it replies', async () => {
    const system = newSystem();
    const server = await GenServer.start(system, Holder, null);

    const reply = GenServer.call(system, server, { type: 'hold' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(watchers(system, server)).toBe(1);
    GenServer.cast(system, server, { type: 'release' });

    await expect(reply).resolves.toBe('done');
    expect(watchers(system, server)).toBe(0);
  });

  it('leaves no watch after many sequential calls', async () => {
    const system = newSystem();
    const server = await GenServer.start(system, Holder, null);

    for (let i = 0; i < 100; i++) {
      const reply = GenServer.call(system, server, { type: 'hold' });
      GenServer.cast(system, server, { type: 'release' });
      await reply;
    }

    expect(watchers(system, server)).toBe(0);
  });

  it('stops watching the server when the call times out', async () => {
    const clock = new VirtualClock();
    const system = newSystem({ clock });
    const server = await GenServer.start(system, Holder, null);

    const reply = GenServer.call(system, server, { type: 'hold' }, 100);
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(100);

    await expect(reply).rejects.toMatchObject({ code: 'ERR_CALL_TIMEOUT' });
    expect(watchers(system, server)).toBe(0);
  });

  it('fails the call once with the reason when the server exits', async () => {
    const system = newSystem();
    const server = await GenServer.start(system, Holder, null);

    const reply = GenServer.call(system, server, { type: 'hold' });
    await new Promise((resolve) => setImmediate(resolve));
    system.exit(server, 'shutdown');

    await expect(reply).rejects.toMatchObject({ code: 'ERR_CALL_EXIT' });
    expect(system.isAlive(server)).toBe(false);
  });
});
