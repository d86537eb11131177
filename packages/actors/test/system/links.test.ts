/**
 * Links: two-way ties along which exit signals travel when either end ends.
 */
import { describe, expect, it } from 'vitest';
import {
  type ActorSystem,
  type ExitMessage,
  type Pid,
  type ProcessContext,
  type Reason,
} from '@starweave/actors';
import { settle, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

function collector(system: ActorSystem, trapExit = false): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = system.spawn({ handleMessage: (_self, message) => void got.push(message) }, { trapExit });
  return { pid, got };
}

async function downReason(system: ActorSystem, pid: Pid): Promise<Reason> {
  let reason: Reason | undefined;
  system.monitor(pid, (down) => {
    reason = down.reason;
  });
  await waitUntil(() => reason !== undefined);
  return reason!;
}

describe('ProcessContext.link', () => {
  it('ends a linked non-trapping process when the other end crashes', async () => {
    const system = newSystem();
    const partner = collector(system);
    const ended = downReason(system, partner.pid);
    const error = new Error('crash');
    system.spawn(async (self) => {
      self.link(partner.pid);
      throw error;
    });

    expect(await ended).toBe(error);
  });

  it('is bidirectional: the process that called link also ends with its partner', async () => {
    const system = newSystem();
    const partner = collector(system);
    const caller = system.spawn(async (self) => {
      self.link(partner.pid);
      await self.receive();
    });
    await settle(system);
    const ended = downReason(system, caller);

    system.exit(partner.pid, 'shutdown');

    expect(await ended).toBe('shutdown');
  });

  it('leaves a linked non-trapping process alive when the other end exits normally', async () => {
    const system = newSystem();
    const partner = collector(system);
    const child = system.spawn(async (self) => {
      self.link(partner.pid);
    });

    await waitUntil(() => !system.isAlive(child));
    await settle(system);

    expect(system.isAlive(partner.pid)).toBe(true);
  });

  it('delivers an EXIT message with a normal reason to a trapping partner', async () => {
    const system = newSystem();
    const partner = collector(system, true);
    const child = system.spawn(async (self) => {
      self.link(partner.pid);
    });

    await waitUntil(() => partner.got.length === 1);
    const message = partner.got[0] as ExitMessage;

    expect(message.type).toBe('EXIT');
    expect(message.from.equals(child)).toBe(true);
    expect(message.reason).toBe('normal');
  });

  it('propagates an abnormal exit along a chain of links', async () => {
    const system = newSystem();
    const chain: Pid[] = [];
    const head = system.spawn(async (self) => {
      chain.push(self.pid);
      self.spawnLink(async (second) => {
        chain.push(second.pid);
        second.spawnLink(async (third) => {
          chain.push(third.pid);
          await third.receive();
        });
        await second.receive();
      });
      await self.receive();
    });
    await waitUntil(() => chain.length === 3);
    const bystander = collector(system);
    const ends = chain.map((pid) => downReason(system, pid));

    system.exit(head, 'shutdown');

    expect(await Promise.all(ends)).toEqual(['shutdown', 'shutdown', 'shutdown']);
    expect(system.isAlive(bystander.pid)).toBe(true);
  });

  it('propagates along a chain of 100k links without overflowing the stack', async () => {
    const system = newSystem();
    const linker = {
      handleMessage(self: ProcessContext, message: { type: 'link'; to: Pid }) {
        self.link(message.to);
      },
    };
    const pids: Pid[] = [];
    for (let i = 0; i < 100_000; i++) pids.push(system.spawn(linker));
    for (let i = 0; i + 1 < pids.length; i++) system.send(pids[i]!, { type: 'link', to: pids[i + 1]! });
    await settle(system, 10_000);
    expect(system.processInfo(pids[50_000]!)?.links).toHaveLength(2);

    system.exit(pids[0]!, 'shutdown');

    expect(pids.filter((pid) => system.isAlive(pid))).toEqual([]);
  });

  it('signals noproc to a caller linking to a dead process', async () => {
    const system = newSystem();
    const dead = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(dead));
    const trapping = system.spawn(
      async (self) => {
        self.link(dead);
        const message = await self.receive();
        self.send(system.pid, { type: 'got', message });
      },
      { trapExit: true },
    );
    const plain = system.spawn(async (self) => {
      self.link(dead);
      await self.receive();
    });

    const reply = await system.receive((m: any) => m?.type === 'got', 1000);

    expect(reply.message).toMatchObject({ type: 'EXIT', reason: 'noproc' });
    expect(reply.message.from.equals(dead)).toBe(true);
    expect(await downReason(system, plain)).toBe('noproc');
    expect(trapping).toBeDefined();
  });

  it('does nothing when a process links to itself', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      self.link(self.pid);
      await self.receive();
    });
    await settle(system);

    expect(system.processInfo(pid)?.links).toEqual([]);
  });

  it('keeps one link when linking twice', async () => {
    const system = newSystem();
    const partner = collector(system);
    const pid = system.spawn(async (self) => {
      self.link(partner.pid);
      self.link(partner.pid);
      self.unlink(partner.pid);
      await self.receive();
    });
    await settle(system);

    expect(system.processInfo(pid)?.links).toEqual([]);
    expect(system.processInfo(partner.pid)?.links).toEqual([]);
  });
});

describe('ActorSystem.link and unlink', () => {
  it('link the system root, which gets an EXIT message because it traps exits', async () => {
    const system = newSystem();
    const partner = collector(system);

    system.link(partner.pid);
    system.exit(partner.pid, 'shutdown');
    const exit: ExitMessage = await system.receive((m: any) => m?.type === 'EXIT', 1000);

    expect(exit.from.equals(partner.pid)).toBe(true);
    expect(exit.reason).toBe('shutdown');
    expect(system.isAlive(system.pid)).toBe(true);
  });

  it('unlink so that no EXIT message arrives', async () => {
    const system = newSystem();
    const partner = collector(system);
    system.link(partner.pid);

    system.unlink(partner.pid);
    system.exit(partner.pid, 'shutdown');

    expect(await system.tryReceive((m: any) => m?.type === 'EXIT', 0)).toBeUndefined();
    expect(system.processInfo(system.pid)?.links).toEqual([]);
  });
});

describe('ProcessContext.unlink', () => {
  it('stops exit signals in both directions', async () => {
    const system = newSystem();
    const partner = collector(system);
    const pid = system.spawn(async (self) => {
      self.link(partner.pid);
      self.unlink(partner.pid);
      await self.receive();
    });
    await settle(system);

    system.exit(partner.pid, 'shutdown');
    await settle(system);

    expect(system.isAlive(pid)).toBe(true);
  });

  it('ignores a pid that is not linked', async () => {
    const system = newSystem();
    const other = collector(system);
    const pid = system.spawn(async (self) => {
      self.unlink(other.pid);
      await self.receive();
    });
    await settle(system);

    expect(system.isAlive(pid)).toBe(true);
  });
});

describe('spawnLink', () => {
  it('links the child to the calling process', async () => {
    const system = newSystem();
    let child: Pid | undefined;
    const parent = system.spawn(async (self) => {
      child = self.spawnLink(async (inner) => {
        await inner.receive();
      });
      await self.receive();
    });
    await waitUntil(() => child !== undefined);

    expect(system.processInfo(parent)?.links.map(String)).toEqual([String(child)]);
    expect(system.processInfo(child!)?.links.map(String)).toEqual([String(parent)]);
  });

  it('links the child to the system root', async () => {
    const system = newSystem();
    const error = new Error('child failed');
    const child = system.spawnLink(async () => {
      throw error;
    });

    const exit: ExitMessage = await system.receive((m: any) => m?.type === 'EXIT', 1000);

    expect(exit.from.equals(child)).toBe(true);
    expect(exit.reason).toBe(error);
  });

  it('sends EXIT to a trapping parent when the child crashes', async () => {
    const system = newSystem();
    const parent = system.spawn(
      async (self) => {
        const child = self.spawnLink(async () => {
          throw new Error('inner');
        });
        const exit = await self.receive((m: any) => m?.type === 'EXIT', 1000);
        self.send(system.pid, { type: 'parent-saw', from: exit.from, child, reason: exit.reason });
      },
      { trapExit: true },
    );

    const seen = await system.receive((m: any) => m?.type === 'parent-saw', 1000);

    expect(seen.from.equals(seen.child)).toBe(true);
    expect(seen.reason).toBeInstanceOf(Error);
    expect(system.isAlive(parent)).toBe(false);
  });
});

describe('ProcessContext.trapExit', () => {
  it('returns the previous flag', async () => {
    const system = newSystem();
    system.spawn(async (self) => {
      const first = self.trapExit(true);
      const second = self.trapExit(false);
      self.send(system.pid, { type: 'flags', first, second });
    });

    const flags = await system.receive((m: any) => m?.type === 'flags', 1000);

    expect(flags.first).toBe(false);
    expect(flags.second).toBe(true);
  });

  it('applies to exit signals that arrive after it is set', async () => {
    const system = newSystem();
    const partner = collector(system);
    const pid = system.spawn(async (self) => {
      self.link(partner.pid);
      self.trapExit(true);
      const exit = await self.receive();
      self.send(system.pid, { type: 'trapped', exit });
    });
    await settle(system);

    system.exit(partner.pid, 'shutdown');
    const reply = await system.receive((m: any) => m?.type === 'trapped', 1000);

    expect(reply.exit).toMatchObject({ type: 'EXIT', reason: 'shutdown' });
    expect(system.isAlive(pid)).toBe(false);
  });
});
