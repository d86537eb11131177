import { describe, expect, it } from 'vitest';
import { ActorSystem, Agent, Task, silentLogger } from '@starweave/actors';

describe('Task and Agent smoke', () => {
  it('works', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const t = Task.async(system, async () => 42);
    expect(await Task.await(system, t)).toBe(42);
    const bad = Task.async(system, async () => { throw new Error('boom'); });
    await expect(Task.await(system, bad)).rejects.toMatchObject({ code: 'ERR_CALL_EXIT' });
    const exit = await system.receive((m: any) => m.type === 'EXIT', 100);
    expect(exit.reason.message).toBe('boom');
    const agent = await Agent.startLink(system, () => 1);
    await Agent.update(system, agent, (n: number) => n + 1);
    expect(await Agent.get(system, agent, (n: number) => n * 10)).toBe(20);
    await system.shutdown();
  });
});
