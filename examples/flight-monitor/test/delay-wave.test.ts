/**
 * The delay wave rule as the monitor runs it (CEP engine in arrival time, ticks, close at the
 * end) against the reference scan, on hand-made cases and on real records.
 */
import { describe, expect, it } from 'vitest';
import { plainPass } from '../src/check/plain-pass.js';
import type { Flight } from '../src/data/flight.js';
import { arraySource } from '../src/data/flight-source.js';
import { jsonSlice, parquetHead } from './fixtures.js';
import { referenceDelayWaves, waveKeys } from './reference.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2001, 0, 2, 8, 0);

/** Builds departures from one airport from [minutes after T0, delay] pairs. */
function departures(airport: string, entries: Array<[number, number]>, first = 0): Flight[] {
  return entries.map(([minute, delay], index) => ({
    offset: first + index,
    time: T0 + minute * MINUTE,
    delay,
    distance: 500,
    origin: airport,
    destination: 'XXX',
  }));
}

async function monitorWaves(flights: Flight[]): Promise<string[]> {
  const { alerts } = await plainPass(arraySource(flights), flights.length);
  return waveKeys(alerts.filter((alert) => alert.kind === 'delay-wave'));
}

describe('delay wave rule', () => {
  it('finds three late flights then quiet', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [10, 60],
      [40, 90],
      [75, 5],
    ]);
    expect(await monitorWaves(flights)).toEqual(['ORD:0,1,2']);
  });

  it('drops a wave on an on-time flight', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [10, 60],
      [40, 90],
      [69, 14],
    ]);
    expect(await monitorWaves(flights)).toEqual([]);
  });

  it('ignores on-time flights at 30 minutes', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [10, 60],
      [40, 90],
      [70, 0],
    ]);
    expect(await monitorWaves(flights)).toEqual(['ORD:0,1,2']);
  });

  it('needs three late flights within an hour', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [30, 60],
      [60, 90],
    ]);
    expect(await monitorWaves(flights)).toEqual([]);
  });

  it('breaks a run on a flight not late', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [5, 45],
      [10, 60],
      [20, 70],
    ]);
    expect(await monitorWaves(flights)).toEqual([]);
  });

  it('starts after the previous wave', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [5, 60],
      [10, 70],
      [15, 80],
      [20, 90],
      [25, 100],
    ]);
    expect(await monitorWaves(flights)).toEqual(['ORD:0,1,2', 'ORD:3,4,5']);
  });

  it('keeps airports apart', async () => {
    const ord = departures(
      'ORD',
      [
        [0, 50],
        [20, 60],
      ],
      0,
    );
    const atl = departures('ATL', [[10, 90]], 2);
    const flights = [...ord, ...atl].sort((a, b) => a.time - b.time);
    expect(await monitorWaves(flights)).toEqual([]);
  });

  it('completes a wave at end of input', async () => {
    const flights = departures('ORD', [
      [0, 50],
      [10, 60],
      [20, 70],
    ]);
    expect(await monitorWaves(flights)).toEqual(['ORD:0,1,2']);
  });

  it('matches the reference on flights-20k.json', async () => {
    const { flights } = await jsonSlice();
    const reference = waveKeys(referenceDelayWaves(flights));
    expect(reference.length).toBeGreaterThan(0);
    expect(await monitorWaves(flights)).toEqual(reference);
  });

  it('matches the reference on 100k Parquet records', async () => {
    const { flights } = await parquetHead(100_000);
    const reference = waveKeys(referenceDelayWaves(flights));
    expect(reference.length).toBeGreaterThan(50);
    expect(await monitorWaves(flights)).toEqual(reference);
  });
});
