/**
 * The whole application on real records: counts, journaled results and the delay waves of the
 * reference scan, without faults and with a seeded chaos monkey killing processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RunResult, runMonitor } from '../src/app/run-monitor.js';
import { compareWithPlainPass } from '../src/check/compare.js';
import { plainPass } from '../src/check/plain-pass.js';
import { jsonSlice, parquetHead, tempOut } from './fixtures.js';
import { referenceDelayWaves, waveKeys } from './reference.js';

let cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function output(): string {
  const { out, remove } = tempOut();
  cleanups.push(remove);
  return out;
}

function storedWaves(result: RunResult): string[] {
  return waveKeys(result.stored.alerts.filter((alert) => alert.kind === 'delay-wave'));
}

describe('runMonitor on flights-20k.json', () => {
  it('journals hours and reference delay waves', async () => {
    const { flights, source } = await jsonSlice();
    const result = await runMonitor({ source, out: output(), partitions: 4 });

    expect(result.totals.flights).toBe(20_000);
    expect(result.stored.hours.length).toBe(result.totals.hours);
    expect(result.stored.hours.reduce((sum, hour) => sum + hour.flights, 0)).toBe(20_000);
    expect(result.droppedEvents).toBe(0);
    expect(result.restarts).toEqual({});
    expect(storedWaves(result)).toEqual(waveKeys(referenceDelayWaves(flights)));
  });

  it('matches the check pass with one partition', async () => {
    const { source } = await jsonSlice();
    const one = await runMonitor({ source, out: output(), partitions: 1 });
    const check = compareWithPlainPass(one, await plainPass(source, 20_000));
    expect(check.lines.filter((line) => !line.startsWith('same'))).toEqual([]);
    expect(check.passed).toBe(true);
  });

  it('keeps its results under chaos', async () => {
    const { flights, source } = await jsonSlice();
    const result = await runMonitor({
      source,
      out: output(),
      partitions: 4,
      chaos: 7,
      chaosIntervalMs: 150,
      chaosMaxKills: 5,
      // Event time runs 2 million times faster than the wall clock: the 90 days of the
      // slice take about 4 s, so every kill lands before the end on any machine.
      speedup: 2e6,
    });

    expect(result.kills.length).toBe(5);
    expect(result.skippedWrites).toBeGreaterThan(0);
    expect(Object.values(result.restarts).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    expect(result.droppedEvents).toBe(0);
    expect(storedWaves(result)).toEqual(waveKeys(referenceDelayWaves(flights)));
    const check = compareWithPlainPass(result, await plainPass(source, 20_000));
    expect(check.lines.filter((line) => !line.startsWith('same'))).toEqual([]);
  });
});

describe('runMonitor on the first 50,000 Parquet records', () => {
  it('matches the check pass', async () => {
    const { flights, source } = await parquetHead(50_000);
    const result = await runMonitor({ source, limit: 50_000, out: output(), partitions: 3 });

    expect(result.totals.flights).toBe(50_000);
    expect(result.droppedEvents).toBe(0);
    expect(storedWaves(result)).toEqual(waveKeys(referenceDelayWaves(flights)));
    const check = compareWithPlainPass(result, await plainPass(source, 50_000));
    expect(check.lines.filter((line) => !line.startsWith('same'))).toEqual([]);
    expect(result.totals.alerts['route-rise']).toBeGreaterThan(0);
    expect(result.totals.alerts['delay-anomaly']).toBeGreaterThan(0);
  });
});

describe('runMonitor with scoring', () => {
  it('scores each flight once despite worker kills', async () => {
    const { source } = await jsonSlice();
    const result = await runMonitor({
      source,
      out: output(),
      partitions: 2,
      workers: 2,
      chaos: 11,
      chaosIntervalMs: 200,
      chaosMaxKills: 2,
      chaosTargets: ['python-workers'],
      speedup: 2e6,
    });

    expect(result.victims.map((victim) => victim.slice(0, 13))).toEqual([
      'python worker',
      'python worker',
    ]);
    // The pool sends requests to the surviving worker, and requests that were in flight on a
    // killed one are sent again, so the pipeline itself never restarts.
    expect(result.restarts.source).toBeUndefined();
    expect(result.training?.rows).toBeGreaterThan(5_000);
    const scored = result.stored.hours.reduce((sum, hour) => {
      const calibration = hour.calibration ?? [];
      let flights = 0;
      for (let i = 0; i < calibration.length; i += 3) flights += calibration[i]!;
      return sum + flights;
    }, 0);
    expect(scored).toBe(20_000);
    const check = compareWithPlainPass(result, await plainPass(source, 20_000));
    expect(check.lines.filter((line) => !line.startsWith('same'))).toEqual([]);
  });
});
