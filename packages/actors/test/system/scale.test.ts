/**
 * Scale: a million idle callback processes in one system, and their shutdown.
 */
import { describe, expect, it } from 'vitest';
import { ActorSystem, type Pid, silentLogger } from '@starweave/actors';
import { settle } from '../helpers.js';

describe('a system with 1M processes', () => {
  it('spawns 1M idle callback processes and shuts them all down', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const count = 1_000_000;
    const handler = { handleMessage() {} };
    const start = performance.now();
    let first: Pid | undefined;
    let last: Pid | undefined;

    for (let i = 0; i < count; i++) {
      last = system.spawn(handler);
      first ??= last;
    }
    expect(system.processCount()).toBe(count + 1);
    expect(system.isIdle()).toBe(true);

    // The first and the last of them still handle a message like any other process.
    system.send(first!, 'ping');
    system.send(last!, 'ping');
    await settle(system);
    expect(system.processInfo(first!)?.reductions).toBe(1);
    expect(system.processInfo(last!)?.reductions).toBe(1);

    await system.shutdown();

    expect(system.processCount()).toBe(0);
    expect(system.isAlive(first!)).toBe(false);
    expect(performance.now() - start).toBeLessThan(10_000);
  }, 30_000);
});
