/**
 * Tests of receiveClauses in async processes: selective receive over several patterns, the
 * mailbox order of unmatched messages, timeouts with and without an after clause, narrowing.
 */
import { ActorSystem, type Pid, type ProcessContext, silentLogger } from '@starweave/actors';
import { clauses, clausesFor, P, receiveClauses } from '@starweave/patterns';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';

const systems: ActorSystem[] = [];
afterEach(async () => {
  for (const system of systems.splice(0)) await system.shutdown();
});

function newSystem(): ActorSystem {
  const system = new ActorSystem({ logger: silentLogger });
  systems.push(system);
  return system;
}

/** Spawns `body` and resolves with what it returns, or rejects with what it throws. */
function run<T>(system: ActorSystem, body: (self: ProcessContext) => Promise<T>) {
  let pid!: Pid;
  const result = new Promise<T>((resolve, reject) => {
    pid = system.spawn(async (self) => {
      try {
        resolve(await body(self));
      } catch (error) {
        reject(error);
      }
    });
  });
  return { pid, result };
}

describe('receiveClauses', () => {
  it('takes the oldest matching message', async () => {
    const system = newSystem();
    const { pid, result } = run(system, async (self) => {
      const first = await receiveClauses(self, [
        [{ type: 'b' }, () => 'b'],
        [{ type: 'a', n: P.number }, (message) => `a${message.n}`],
      ]);
      const second = await receiveClauses(self, [[{ type: 'b' }, () => 'b']]);
      const rest = await self.receive(undefined, 100);
      return [first, second, rest];
    });
    system.send(pid, { type: 'other' });
    system.send(pid, { type: 'a', n: 1 });
    system.send(pid, { type: 'b' });
    expect(await result).toEqual(['a1', 'b', { type: 'other' }]);
  });

  it('waits for a matching message that arrives later', async () => {
    const system = newSystem();
    const { pid, result } = run(system, (self) =>
      receiveClauses(self, [[{ type: 'late' }, () => 'got it']], 1000),
    );
    system.send(pid, { type: 'early' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    system.send(pid, { type: 'late' });
    expect(await result).toBe('got it');
  });

  it('fails with ERR_RECEIVE_TIMEOUT when nothing matches in time', async () => {
    const system = newSystem();
    const { pid, result } = run(system, (self) =>
      receiveClauses(self, [[{ type: 'never' }, () => 1]], 10),
    );
    system.send(pid, { type: 'other' });
    await expect(result).rejects.toMatchObject({ code: 'ERR_RECEIVE_TIMEOUT' });
  });

  it('runs after on timeout, keeping the mailbox', async () => {
    const system = newSystem();
    const { pid, result } = run(system, async (self) => {
      const outcome = await receiveClauses(self, [[{ type: 'never' }, () => 'matched']], 10, () =>
        Promise.resolve('timed out'),
      );
      return [outcome, await self.receive(undefined, 100)];
    });
    system.send(pid, { type: 'other' });
    expect(await result).toEqual(['timed out', { type: 'other' }]);
  });

  it('awaits a handler that returns a promise', async () => {
    const system = newSystem();
    const { pid, result } = run(system, (self) =>
      receiveClauses(self, [[{ type: 'x' }, async () => 'done']], 1000),
    );
    system.send(pid, { type: 'x' });
    expect(await result).toBe('done');
  });

  it('accepts a list compiled by clausesFor', async () => {
    type Msg = { type: 'add'; n: number } | { type: 'stop' };
    const compiled = clausesFor<Msg, number>()([
      [{ type: 'add' }, (message) => message.n],
      [{ type: 'stop' }, () => -1],
    ]);
    const system = newSystem();
    const { pid, result } = run(system, async (self) => {
      let total = 0;
      for (;;) {
        const step = await receiveClauses(self, compiled, 1000);
        expectTypeOf(step).toEqualTypeOf<number>();
        if (step < 0) return total;
        total += step;
      }
    });
    for (const n of [1, 2, 3]) system.send(pid, { type: 'add', n });
    system.send(pid, { type: 'stop' });
    expect(await result).toBe(6);
  });

  it('narrows handlers and types the result', async () => {
    const system = newSystem();
    const { pid, result } = run(system, async (self) => {
      const value: number = await receiveClauses(self, [
        [
          { type: 'point', x: P.number, y: P.number },
          (message) => {
            expectTypeOf(message).toEqualTypeOf<{ type: 'point'; x: number; y: number }>();
            return message.x + message.y;
          },
        ],
        // @ts-expect-error: the target is a number, so a handler may not return a string
        [{ type: 'name' }, () => 'name'],
      ]);
      return value;
    });
    system.send(pid, { type: 'point', x: 2, y: 3 });
    expect(await result).toBe(5);
  });

  it('rejects an invalid timeout', async () => {
    const system = newSystem();
    const { result } = run(system, (self) => receiveClauses(self, clauses([]), -1));
    await expect(result).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
