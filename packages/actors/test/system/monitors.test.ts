/**
 * Monitors: one-way watches that deliver exactly one DOWN message, with 'noproc' at once for
 * a process that is already dead.
 */
import { describe, expect, it } from 'vitest';
import {
  type ActorSystem,
  type DownMessage,
  MemoryLogger,
  type Pid,
  type Ref,
  isRef,
} from '@starweave/actors';
import { hasCode, nextTurn, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function idle(system: ActorSystem): Pid {
  return system.spawn({ handleMessage() {} });
}

function isDown(message: unknown): message is DownMessage {
  return (message as DownMessage | null)?.type === 'DOWN';
}

describe('ProcessContext.monitor', () => {
  it('delivers one DOWN message with the ref, the pid and the reason', async () => {
    const system = newSystem();
    const target = idle(system);
    const watcher = system.spawn(async (self) => {
      const ref = self.monitor(target);
      self.send(system.pid, { type: 'monitoring', ref });
      const down = await self.receive(isDown);
      const again = await self.tryReceive(isDown, 50);
      self.send(system.pid, { type: 'seen', ref, down, again });
    });
    await system.receive((m: any) => m?.type === 'monitoring', 1000);

    system.exit(target, 'shutdown');
    const seen = await system.receive((m: any) => m?.type === 'seen', 1000);

    expect(seen.down.ref.equals(seen.ref)).toBe(true);
    expect(seen.down.pid.equals(target)).toBe(true);
    expect(seen.down.reason).toBe('shutdown');
    expect(seen.again).toBeUndefined();
    expect(system.isAlive(watcher)).toBe(false);
  });

  it('is one-way: the watched process is not affected when the watcher ends', async () => {
    const system = newSystem();
    const target = system.spawn({ handleMessage() {} }, { trapExit: true });
    const watcher = system.spawn(async (self) => {
      self.monitor(target);
      throw new Error('watcher fails');
    });

    await waitUntil(() => !system.isAlive(watcher));
    await settle(system);

    expect(system.isAlive(target)).toBe(true);
    expect(system.processInfo(target)?.mailboxLength).toBe(0);
    expect(system.processInfo(target)?.monitoredBy).toEqual([]);
  });

  it('is one-way: the watcher does not end when the watched process crashes', async () => {
    const system = newSystem();
    const target = idle(system);
    const watcher = system.spawn(async (self) => {
      self.monitor(target);
      await self.receive((m: any) => m === 'never');
    });
    await settle(system);

    system.exit(target, new Error('target fails'));
    await settle(system);

    expect(system.isAlive(watcher)).toBe(true);
    expect(system.processInfo(watcher)?.mailboxLength).toBe(1);
  });

  it('delivers DOWN with noproc at once for a process that is already dead', async () => {
    const system = newSystem();
    const dead = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(dead));
    system.spawn(async (self) => {
      const ref = self.monitor(dead);
      // A zero timeout only looks at what is in the mailbox already.
      const down = await self.tryReceive(isDown, 0);
      self.send(system.pid, { type: 'seen', ref, down });
    });

    const seen = await system.receive((m: any) => m?.type === 'seen', 1000);

    expect(seen.down).toBeDefined();
    expect(seen.down.ref.equals(seen.ref)).toBe(true);
    expect(seen.down.pid.equals(dead)).toBe(true);
    expect(seen.down.reason).toBe('noproc');
  });

  it('delivers DOWN with noproc at once for a name that is not registered', async () => {
    const system = newSystem();
    system.spawn(async (self) => {
      self.monitor('nobody');
      const down = await self.tryReceive(isDown, 0);
      self.send(system.pid, { type: 'seen', down });
    });

    const seen = await system.receive((m: any) => m?.type === 'seen', 1000);

    expect(seen.down?.reason).toBe('noproc');
  });

  it('watches the process registered under a name', async () => {
    const system = newSystem();
    const target = system.spawn({ handleMessage() {} }, { name: 'cache' });
    const ref = system.monitor('cache');

    system.exit(target, 'shutdown');
    const down: DownMessage = await system.receive(isDown, 1000);

    expect(down.ref.equals(ref)).toBe(true);
    expect(down.pid.equals(target)).toBe(true);
  });

  it('keeps the process it found when the name moves to another process', async () => {
    const system = newSystem();
    const first = system.spawn({ handleMessage() {} }, { name: 'cache' });
    const ref = system.monitor('cache');
    system.unregister('cache');
    const second = system.spawn({ handleMessage() {} }, { name: 'cache' });

    system.exit(second, 'shutdown');
    await settle(system);
    expect(await system.tryReceive(isDown, 0)).toBeUndefined();

    system.exit(first, 'shutdown');
    const down: DownMessage = await system.receive(isDown, 1000);
    expect(down.ref.equals(ref)).toBe(true);
  });

  it('gives each monitor on the same process its own ref and DOWN message', async () => {
    const system = newSystem();
    const target = idle(system);
    const first = system.monitor(target);
    const second = system.monitor(target);

    system.exit(target, 'shutdown');
    const downs = [await system.receive(isDown, 1000), await system.receive(isDown, 1000)];

    expect(first.equals(second)).toBe(false);
    expect(downs.map((down) => down.ref.id).sort()).toEqual([first.id, second.id].sort());
  });

  it('drops the monitors a process holds when it ends', async () => {
    const system = newSystem();
    const target = idle(system);
    const watcher = system.spawn(async (self) => {
      self.monitor(target);
    });

    await waitUntil(() => !system.isAlive(watcher));

    expect(system.processInfo(target)?.monitoredBy).toEqual([]);
  });
});

describe('spawnMonitor', () => {
  it('returns the pid and a ref whose DOWN arrives when the child ends', async () => {
    const system = newSystem();
    const [pid, ref] = system.spawnMonitor(async () => {
      throw new Error('child fails');
    });

    const down: DownMessage = await system.receive(isDown, 1000);

    expect(isRef(ref)).toBe(true);
    expect(down.ref.equals(ref)).toBe(true);
    expect(down.pid.equals(pid)).toBe(true);
    expect(down.reason).toBeInstanceOf(Error);
  });

  it('monitors from inside a process without linking', async () => {
    const system = newSystem();
    const parent = system.spawn(async (self) => {
      const [child, ref] = self.spawnMonitor(async () => {
        throw new Error('child fails');
      });
      const down = await self.receive(isDown, 1000);
      self.send(system.pid, { type: 'seen', same: down.ref.equals(ref) && down.pid.equals(child) });
      await self.receive();
    });

    const seen = await system.receive((m: any) => m?.type === 'seen', 1000);

    expect(seen.same).toBe(true);
    expect(system.isAlive(parent)).toBe(true);
  });
});

describe('ActorSystem.monitor with a callback', () => {
  it('calls the callback once with the DOWN message instead of filling the mailbox', async () => {
    const system = newSystem();
    const target = idle(system);
    const downs: DownMessage[] = [];
    const ref = system.monitor(target, (down) => downs.push(down));

    system.exit(target, 'shutdown');
    system.exit(target, 'kill');
    await settle(system);

    expect(downs).toHaveLength(1);
    expect(downs[0]!.ref.equals(ref)).toBe(true);
    expect(downs[0]!.reason).toBe('shutdown');
    expect(system.processInfo(system.pid)?.mailboxLength).toBe(0);
  });

  it('calls the callback with noproc for a dead process', async () => {
    const system = newSystem();
    const dead = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(dead));
    const downs: DownMessage[] = [];

    system.monitor(dead, (down) => downs.push(down));

    expect(downs.map((down) => down.reason)).toEqual(['noproc']);
  });

  it('logs a callback that throws and keeps the system running', async () => {
    const logger = new MemoryLogger();
    const system = newSystem({ logger });
    const target = idle(system);
    const other = idle(system);
    const seen: string[] = [];
    system.monitor(target, () => {
      throw new Error('callback fails');
    });
    system.monitor(target, () => seen.push('second callback'));

    system.exit(target, 'shutdown');
    await settle(system);

    expect(seen).toEqual(['second callback']);
    expect(logger.find('system.monitor_callback_failed')).toHaveLength(1);
    expect(system.isAlive(other)).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT naming a callback that is not a function', () => {
    const system = newSystem();
    const target = idle(system);

    const error = thrownBy(() => system.monitor(target, 'notify' as never));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"notify"');
  });
});

describe('demonitor', () => {
  it('stops the DOWN message and returns true for an active monitor', async () => {
    const system = newSystem();
    const target = idle(system);
    const ref = system.monitor(target);

    expect(system.demonitor(ref)).toBe(true);
    system.exit(target, 'shutdown');
    await settle(system);

    expect(await system.tryReceive(isDown, 0)).toBeUndefined();
  });

  it('returns false for a monitor that already fired or was removed', async () => {
    const system = newSystem();
    const target = idle(system);
    const ref = system.monitor(target);
    system.exit(target, 'shutdown');

    expect(system.demonitor(ref)).toBe(false);
    const other = system.monitor(idle(system));
    system.demonitor(other);
    expect(system.demonitor(other)).toBe(false);
  });

  it('leaves a DOWN message already in the mailbox without flush', async () => {
    const system = newSystem();
    const target = idle(system);
    const ref = system.monitor(target);
    system.exit(target, 'shutdown');

    system.demonitor(ref);

    const down: DownMessage | undefined = await system.tryReceive(isDown, 0);
    expect(down?.ref.equals(ref)).toBe(true);
  });

  it('removes a DOWN message already in the mailbox with flush', async () => {
    const system = newSystem();
    const target = idle(system);
    const other = idle(system);
    const ref = system.monitor(target);
    const otherRef = system.monitor(other);
    system.exit(target, 'shutdown');
    system.exit(other, 'shutdown');

    system.demonitor(ref, { flush: true });

    const down: DownMessage | undefined = await system.tryReceive(isDown, 0);
    expect(down?.ref.equals(otherRef)).toBe(true);
    expect(await system.tryReceive(isDown, 0)).toBeUndefined();
  });

  it('does not remove a monitor that another process holds', async () => {
    const system = newSystem();
    const target = idle(system);
    let foreign: Ref | undefined;
    const owner = system.spawn(async (self) => {
      foreign = self.monitor(target);
      const down = await self.receive(isDown);
      self.send(system.pid, { type: 'owner-saw', reason: down.reason });
    });
    await waitUntil(() => foreign !== undefined);
    system.spawn(async (self) => {
      self.send(system.pid, { type: 'stranger', removed: self.demonitor(foreign!) });
    });

    const stranger = await system.receive((m: any) => m?.type === 'stranger', 1000);
    system.exit(target, 'shutdown');
    const saw = await system.receive((m: any) => m?.type === 'owner-saw', 1000);

    expect(stranger.removed).toBe(false);
    expect(saw.reason).toBe('shutdown');
    expect(system.isAlive(owner)).toBe(false);
  });

  it('keeps a waiting receive working after a flush shortens the mailbox', async () => {
    const system = newSystem();
    const target = idle(system);
    const ref = system.monitor(target);
    system.exit(target, 'shutdown');
    const waiting = system.receive((m: any) => m?.type === 'wanted', 1000);
    await nextTurn();

    system.demonitor(ref, { flush: true });
    system.send(system.pid, { type: 'wanted' });

    await expect(waiting).resolves.toEqual({ type: 'wanted' });
  });

  it('fails with ERR_INVALID_ARGUMENT naming a value that is not a ref', () => {
    const system = newSystem();

    const error = thrownBy(() => system.demonitor('ref-1' as unknown as Ref));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"ref-1"');
  });
});
