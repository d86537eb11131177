import { describe, expect, it } from 'vitest';
import { runChaos } from '../src/chaos-run.js';

describe('chaos tree', () => {
  it('restarts every killed worker and ends with the whole tree alive', async () => {
    const report = await runChaos({ seed: 7, kills: 10, intervalMs: 15 });
    expect(report.kills).toBe(10);
    // A kill in the oneForAll pair restarts both of its workers, so restarts >= kills.
    expect(report.restarts.length).toBeGreaterThanOrEqual(report.kills);
    expect(report.alive.root).toEqual(['alpha', 'beta', 'pair']);
    expect(report.alive.pair).toEqual(['gamma', 'delta']);
  });

  it('kills the same workers for the same seed', async () => {
    const first = await runChaos({ seed: 3, kills: 6, intervalMs: 15 });
    const second = await runChaos({ seed: 3, kills: 6, intervalMs: 15 });
    expect(second.restarts.map((r) => r.childId)).toEqual(first.restarts.map((r) => r.childId));
  });
});
