/**
 * Idempotent journaling: the store writer skips writes the journal already holds, and the
 * journal layout derives every position from the data.
 */
import { ActorSystem, silentLogger } from '@starweave/actors';
import { SqliteJournal } from '@starweave/persistence';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../src/data/flight.js';
import type { Alert } from '../src/detect/alert.js';
import { emptyCalibration } from '../src/detect/calibration.js';
import type { PeriodResult } from '../src/detect/period-assembler.js';
import { JournalLayout, type JournalWrite } from '../src/store/journal-layout.js';
import { readResults } from '../src/store/read-results.js';
import { startStoreWriter, writeToStore } from '../src/store/store-writer.js';

const DAY = Date.UTC(2001, 0, 5);

function period(fromHour: number, toHour: number, alerts: Alert[] = []): PeriodResult {
  const hours = [];
  for (let hour = fromHour; hour < toHour; hour++) {
    hours.push({
      airport: 'ORD',
      hour: DAY + hour * HOUR_MS,
      flights: 3,
      mean: 10,
      p50: 5,
      p90: 30,
      p99: 40,
      max: 41,
    });
  }
  return {
    from: DAY + fromHour * HOUR_MS,
    to: DAY + toHour * HOUR_MS,
    final: false,
    flights: 3 * (toHour - fromHour),
    hours,
    alerts,
    calibration: emptyCalibration(),
  };
}

function alert(id: string, at: number): Alert {
  return {
    kind: 'delay-wave',
    id,
    airport: 'ORD',
    at,
    start: at,
    offsets: [1, 2, 3],
    delays: [50, 60, 70],
  };
}

describe('JournalLayout.writes', () => {
  it('numbers hours from midnight', () => {
    const writes = new JournalLayout().writes(period(8, 10), false);
    expect(writes.map((w) => [w.persistenceId, w.seq])).toEqual(
      Array.from({ length: 10 }, (_, hour) => ['hours-2001-01-05', hour + 1]),
    );
    expect(writes.filter((w) => w.payload.type === 'hour' && w.payload.flights === 3)).toHaveLength(
      2,
    );
  });

  it('numbers alerts per day', () => {
    const layout = new JournalLayout();
    layout.writes(period(0, 23, [alert('a', DAY + HOUR_MS), alert('b', DAY + 2 * HOUR_MS)]), false);
    const next = layout.writes(period(23, 25, [alert('c', DAY + 24 * HOUR_MS)]), false);
    const alerts = next.filter((w) => w.payload.type === 'alert');
    expect(alerts.map((w) => [w.persistenceId, w.seq])).toEqual([['alerts-2001-01-06', 1]]);
  });

  it('repeats positions after a restore', () => {
    const layout = new JournalLayout();
    layout.writes(period(0, 5, [alert('a', DAY)]), false);
    const saved = layout.snapshot();
    const first = layout.writes(period(5, 7, [alert('b', DAY + 6 * HOUR_MS)]), false);
    layout.restore(saved);
    const again = layout.writes(period(5, 7, [alert('b', DAY + 6 * HOUR_MS)]), false);
    expect(again).toEqual(first);
  });
});

describe('store writer', () => {
  let system: ActorSystem;
  let journal: SqliteJournal;

  beforeEach(async () => {
    system = new ActorSystem({ logger: silentLogger });
    journal = await SqliteJournal.open({ filename: ':memory:' });
  });

  afterEach(async () => {
    await system.shutdown();
    await journal.close();
  });

  async function write(writes: JournalWrite[]) {
    return writeToStore(system.rootContext, writes);
  }

  it('skips writes already journaled', async () => {
    await startStoreWriter(system.rootContext, journal);
    const writes = new JournalLayout().writes(period(0, 3, [alert('a', DAY)]), false);
    expect(await write(writes)).toEqual({ written: 4, skipped: 0 });
    expect(await write(writes)).toEqual({ written: 0, skipped: 4 });
    expect(await journal.highestSeq('hours-2001-01-05')).toBe(3);
    expect(await journal.highestSeq('alerts-2001-01-05')).toBe(1);
  });

  it('skips old writes after a restart', async () => {
    const layout = new JournalLayout();
    const first = layout.writes(period(0, 2), false);
    const writer = await startStoreWriter(system.rootContext, journal);
    await write(first);
    system.exit(writer, 'kill');
    await startStoreWriter(system.rootContext, journal);
    const second = layout.writes(period(2, 3), false);
    expect(await write([...first, ...second])).toEqual({ written: 1, skipped: 2 });
  });

  it('reads back the hours it wrote', async () => {
    await startStoreWriter(system.rootContext, journal);
    const result = period(4, 6);
    await write(new JournalLayout().writes(result, false));
    const { hours } = await readResults(journal);
    expect(hours.map((hour) => hour.hour)).toEqual(
      Array.from({ length: 6 }, (_, hour) => DAY + hour * HOUR_MS),
    );
    expect(hours.flatMap((hour) => hour.airports)).toEqual(result.hours);
  });

  it('fails with ERR_CONFLICT on a gap', async () => {
    await startStoreWriter(system.rootContext, journal);
    const writes = new JournalLayout().writes(period(0, 3), false);
    // The writer crashes on the gap, so the caller sees its exit with ERR_CONFLICT as reason.
    await expect(write(writes.slice(1))).rejects.toMatchObject({
      code: 'ERR_CALL_EXIT',
      details: { reason: { code: 'ERR_CONFLICT' } },
    });
    expect(await journal.highestSeq('hours-2001-01-05')).toBe(0);
  });
});
