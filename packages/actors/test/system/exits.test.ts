/**
 * Exit signals sent with `exit(pid, reason)`: which reasons end a process, which are ignored,
 * how trapping turns them into messages, and the untrappable `'kill'`.
 */
import { describe, expect, it } from 'vitest';
import {
  type ActorSystem,
  type DownMessage,
  type ExitMessage,
  type Pid,
  type Reason,
  isPid,
} from '@starweave/actors';
import { hasCode, settle, thrownBy, useSystems, waitUntil } from '../helpers.js';

const newSystem = useSystems();

/** Spawns an idle callback process that keeps every message it gets. */
function collector(system: ActorSystem, trapExit = false): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = system.spawn({ handleMessage: (_self, message) => void got.push(message) }, { trapExit });
  return { pid, got };
}

/** Returns the reason `pid` ended with, read from a monitor. */
async function downReason(system: ActorSystem, pid: Pid): Promise<Reason> {
  let reason: Reason | undefined;
  system.monitor(pid, (down) => {
    reason = down.reason;
  });
  await waitUntil(() => reason !== undefined);
  return reason!;
}

describe('ActorSystem.exit', () => {
  const abnormal: Array<[string, Reason]> = [
    ['shutdown', 'shutdown'],
    ['{ shutdown: value }', { shutdown: 'maintenance' }],
    ['an Error', new Error('boom')],
    ['timeout', 'timeout'],
    ['noconnection', 'noconnection'],
    ['noproc', 'noproc'],
    ['killed', 'killed'],
  ];

  for (const [label, reason] of abnormal) {
    it(`ends a non-trapping process with the reason ${label}`, async () => {
      const system = newSystem();
      const { pid } = collector(system);
      const ended = downReason(system, pid);

      system.exit(pid, reason);

      expect(system.isAlive(pid)).toBe(false);
      expect(await ended).toBe(reason);
    });
  }

  it('ignores a normal exit signal from another process when not trapping', async () => {
    const system = newSystem();
    const { pid } = collector(system);
    const sender = system.spawn(async (self) => {
      self.exit(pid, 'normal');
    });

    await waitUntil(() => !system.isAlive(sender));
    system.exit(pid, 'normal');
    await settle(system);

    expect(system.isAlive(pid)).toBe(true);
  });

  it('ends a non-trapping process that sends itself a normal exit signal', async () => {
    const system = newSystem();
    let after = false;
    const pid = system.spawn(async (self) => {
      self.exit(self.pid, 'normal');
      after = true;
      await self.receive();
    });
    const ended = downReason(system, pid);

    expect(await ended).toBe('normal');
    expect(after).toBe(true);
  });

  it('turns a normal exit signal into an EXIT message when trapping', async () => {
    const system = newSystem();
    const { pid, got } = collector(system, true);

    system.exit(pid, 'normal');
    await waitUntil(() => got.length === 1);

    expect(system.isAlive(pid)).toBe(true);
    expect(got[0]).toEqual({ type: 'EXIT', from: system.pid, reason: 'normal' });
  });

  it('turns an abnormal exit signal into an EXIT message when trapping', async () => {
    const system = newSystem();
    const { pid, got } = collector(system, true);
    const error = new Error('stop');
    const sender = system.spawn(async (self) => {
      self.exit(pid, error);
    });

    await waitUntil(() => got.length === 1);
    const message = got[0] as ExitMessage;

    expect(system.isAlive(pid)).toBe(true);
    expect(message.type).toBe('EXIT');
    expect(message.from.equals(sender)).toBe(true);
    expect(message.reason).toBe(error);
  });

  it('ends a trapping process with kill and reports killed', async () => {
    const system = newSystem();
    const { pid, got } = collector(system, true);
    const ended = downReason(system, pid);

    system.exit(pid, 'kill');

    expect(system.isAlive(pid)).toBe(false);
    expect(await ended).toBe('killed');
    expect(got).toEqual([]);
  });

  it('sends killed, not kill, over the links of a killed process', async () => {
    const system = newSystem();
    const watcher = collector(system, true);
    const victim = system.spawn(async (self) => {
      self.link(watcher.pid);
      await self.receive();
    });
    await settle(system);

    system.exit(victim, 'kill');
    await waitUntil(() => watcher.got.length === 1);

    expect(watcher.got[0]).toMatchObject({ type: 'EXIT', reason: 'killed' });
    expect((watcher.got[0] as ExitMessage).from.equals(victim)).toBe(true);
  });

  it('treats a kill reason that arrives over a link as trappable', async () => {
    const system = newSystem();
    const watcher = collector(system, true);
    system.spawn(async (self) => {
      self.link(watcher.pid);
      self.exit('kill');
    });

    await waitUntil(() => watcher.got.length === 1);

    expect(system.isAlive(watcher.pid)).toBe(true);
    expect(watcher.got[0]).toMatchObject({ type: 'EXIT', reason: 'kill' });
  });

  it('passes a kill exit reason over a link as kill', async () => {
    const system = newSystem();
    const bystander = collector(system);
    const ended = downReason(system, bystander.pid);
    system.spawn(async (self) => {
      self.link(bystander.pid);
      self.exit('kill');
    });

    expect(await ended).toBe('kill');
  });

  it('ends a process that sends itself an abnormal exit signal unless it traps', async () => {
    const system = newSystem();
    const plain = system.spawn(async (self) => {
      self.exit(self.pid, 'shutdown');
      await self.receive();
    });
    const trapping = system.spawn(
      async (self) => {
        self.exit(self.pid, 'shutdown');
        const message = await self.receive();
        self.send(system.pid, { type: 'trapped', message });
      },
      { trapExit: true },
    );

    expect(await downReason(system, plain)).toBe('shutdown');
    const reply = await system.receive((m: any) => m?.type === 'trapped', 1000);
    expect(reply.message).toMatchObject({ type: 'EXIT', reason: 'shutdown' });
    expect(reply.message.from.equals(trapping)).toBe(true);
  });

  it('does nothing for a pid that is already dead', async () => {
    const system = newSystem();
    const pid = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(pid));

    expect(() => system.exit(pid, 'kill')).not.toThrow();
  });

  it('fails with ERR_INVALID_ARGUMENT naming a reason outside the Reason union', () => {
    const system = newSystem();
    const { pid } = collector(system);

    const error = thrownBy(() => system.exit(pid, 'bogus' as Reason));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"bogus"');
    expect(system.isAlive(pid)).toBe(true);
  });

  it('fails with ERR_INVALID_ARGUMENT naming a target that is not a pid', () => {
    const system = newSystem();

    const error = thrownBy(() => system.exit('worker' as unknown as Pid, 'kill'));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"worker"');
  });
});

describe('ProcessContext.exit', () => {
  it('ends the calling process with the given reason', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      self.exit({ shutdown: 'done' });
    });

    expect(await downReason(system, pid)).toEqual({ shutdown: 'done' });
  });

  it('stops the code of an async process at the call', async () => {
    const system = newSystem();
    let reached = false;
    const pid = system.spawn(async (self) => {
      self.exit('shutdown');
      reached = true;
    });

    await waitUntil(() => !system.isAlive(pid));
    await settle(system);

    expect(reached).toBe(false);
  });

  it('ends a callback process from inside handleMessage', async () => {
    const system = newSystem();
    const handled: unknown[] = [];
    const pid = system.spawn({
      handleMessage(self, message) {
        handled.push(message);
        if (message === 'stop') self.exit('normal');
      },
    });
    const ended = downReason(system, pid);

    system.send(pid, 'stop');
    system.send(pid, 'after');

    expect(await ended).toBe('normal');
    expect(handled).toEqual(['stop']);
  });

  it('fails with ERR_INVALID_ARGUMENT for its own exit with an invalid reason', async () => {
    const system = newSystem();
    const pid = system.spawn(async (self) => {
      let error: unknown;
      try {
        self.exit(42 as unknown as Reason);
      } catch (caught) {
        error = caught;
      }
      self.send(system.pid, { type: 'caught', error });
    });

    const reply = await system.receive((m: any) => m?.type === 'caught', 1000);

    expect(hasCode(reply.error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(reply.error.message).toContain('42');
    expect(isPid(pid)).toBe(true);
  });
});

describe('DownMessage after exit', () => {
  it('carries the ref, the pid and the reason', async () => {
    const system = newSystem();
    const { pid } = collector(system);
    const ref = system.monitor(pid);

    system.exit(pid, 'shutdown');
    const down: DownMessage = await system.receive((m: any) => m?.type === 'DOWN', 1000);

    expect(down.ref.equals(ref)).toBe(true);
    expect(down.pid.equals(pid)).toBe(true);
    expect(down.reason).toBe('shutdown');
  });
});
