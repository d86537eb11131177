/**
 * The behaviour every journal shares, written once and run against each store by
 * {@link journalContract}.
 */

import type { Journal } from '@starweave/persistence';
import { Upcasters } from '@starweave/persistence';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CORRUPT_BYTES,
  collect,
  deposits,
  type FixtureFactory,
  type StoreFixture,
} from './fixture.js';

/** Registers the journal tests for the store that `factory` opens. */
export function journalContract(name: string, factory: FixtureFactory): void {
  describe(`${name} journal`, () => {
    let fixture: StoreFixture;
    let journal: Journal;

    beforeEach(async () => {
      fixture = await factory();
      journal = await fixture.openJournal();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    const amounts = async (persistenceId: string, from?: number, to?: number) =>
      (await collect(journal.replay<{ amount: number }>(persistenceId, from, to))).map(
        (event) => event.payload.amount,
      );

    describe('Journal.append', () => {
      it('numbers events from expectedSeq + 1 and returns the new highest', async () => {
        expect(await journal.append('a', deposits(3), 0)).toBe(3);
        expect(await journal.append('a', deposits(2, 4), 3)).toBe(5);

        const events = await collect(journal.replay('a'));
        expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(events.map((event) => event.persistenceId)).toEqual(['a', 'a', 'a', 'a', 'a']);
      });

      it('stores type, version, tags and timestamp', async () => {
        const before = Date.now();
        await journal.append('a', [{ payload: { type: 'opened' }, tags: ['accounts', 'eu'] }], 0);
        await journal.append('a', [{ payload: 42, type: 'counted' }], 1);
        const [opened, counted] = await collect(journal.replay('a'));

        expect(opened).toMatchObject({ type: 'opened', version: 1, tags: ['accounts', 'eu'] });
        expect(opened!.timestamp).toBeGreaterThanOrEqual(before);
        expect(opened!.timestamp).toBeLessThanOrEqual(Date.now());
        expect(counted).toMatchObject({ type: 'counted', version: 1, tags: [], payload: 42 });
      });

      it('round-trips the values of the codec', async () => {
        const payload = {
          type: 'rich',
          at: new Date(1_700_000_000_000),
          big: 2n ** 70n,
          map: new Map([['k', 1]]),
          set: new Set(['x']),
          bytes: Uint8Array.from([1, 2, 3]),
          nested: { list: [1, 'two', null, true] },
        };
        await journal.append('a', [{ payload }], 0);
        const [event] = await collect(journal.replay('a'));
        expect(event!.payload).toEqual(payload);
      });

      it('fails with ERR_CONFLICT when the expected sequence is stale', async () => {
        await journal.append('a', deposits(5), 0);
        const failure = journal.append('a', deposits(1, 100), 3);

        await expect(failure).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
        await expect(failure).rejects.toThrow(/expected sequence 3.*at 5/);
        expect(await journal.highestSeq('a')).toBe(5);
        expect(await amounts('a')).toEqual([1, 2, 3, 4, 5]);
      });

      it('fails with ERR_CONFLICT when the expected sequence is ahead', async () => {
        await journal.append('a', deposits(2), 0);
        const failure = journal.append('a', deposits(1, 100), 7);

        await expect(failure).rejects.toMatchObject({
          code: 'ERR_CONFLICT',
          details: { persistenceId: 'a', expectedSeq: 7, actualSeq: 2 },
        });
        expect(await journal.highestSeq('a')).toBe(2);
      });

      it('checks expectedSeq even for an empty append', async () => {
        await journal.append('a', deposits(2), 0);

        expect(await journal.append('a', [], 2)).toBe(2);
        await expect(journal.append('a', [], 1)).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
        expect(await journal.highestSeq('a')).toBe(2);
      });

      it('lets one of two writers win and fails the other with ERR_CONFLICT', async () => {
        const other = await fixture.openJournal();
        const results = await Promise.allSettled([
          journal.append('a', deposits(2, 10), 0),
          other.append('a', deposits(3, 20), 0),
        ]);

        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_CONFLICT' });
        const stored = await amounts('a');
        expect([
          [10, 11],
          [20, 21, 22],
        ]).toContainEqual(stored);
      });

      it('keeps each append of one tick apart when one of them conflicts', async () => {
        await journal.append('b', deposits(1), 0);
        const results = await Promise.allSettled([
          journal.append('a', deposits(1, 1), 0),
          journal.append('b', deposits(1, 2), 0),
          journal.append('a', deposits(1, 2), 1),
          journal.append('c', deposits(2, 1), 0),
        ]);

        expect(results.map((result) => result.status)).toEqual([
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
        ]);
        expect(await amounts('a')).toEqual([1, 2]);
        expect(await amounts('b')).toEqual([1]);
        expect(await amounts('c')).toEqual([1, 2]);
      });

      it('writes appends in call order when the caller does not wait', async () => {
        const pending = Array.from({ length: 50 }, (_, i) =>
          journal.append('a', deposits(1, i + 1), i),
        );
        expect(await Promise.all(pending)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(await amounts('a')).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      });

      it('writes a large append whole', async () => {
        expect(await journal.append('a', deposits(2_345), 0)).toBe(2_345);
        const stored = await amounts('a');
        expect(stored).toHaveLength(2_345);
        expect(stored.every((amount, i) => amount === i + 1)).toBe(true);
      });

      it('fails with ERR_ENCODE and writes nothing when a payload cannot be encoded', async () => {
        const bad = journal.append('a', [{ payload: 1 }, { payload: { run: () => 1 } }], 0);
        const good = journal.append('b', deposits(1), 0);

        await expect(bad).rejects.toMatchObject({ code: 'ERR_ENCODE' });
        await expect(bad).rejects.toThrow(/events\[1\]\.payload of "a"/);
        expect(await good).toBe(1);
        expect(await journal.highestSeq('a')).toBe(0);
      });

      it.each([
        ['persistenceId', () => journal.append('', deposits(1), 0), /persistenceId.*""/],
        ['persistenceId', () => journal.append(42 as never, deposits(1), 0), /persistenceId.*42/],
        ['persistenceId', () => journal.append('x'.repeat(256), deposits(1), 0), /persistenceId/],
        ['expectedSeq', () => journal.append('a', deposits(1), -1), /expectedSeq.*-1/],
        ['expectedSeq', () => journal.append('a', deposits(1), 1.5), /expectedSeq.*1\.5/],
        ['expectedSeq', () => journal.append('a', deposits(1), '0' as never), /expectedSeq.*"0"/],
        ['events', () => journal.append('a', { payload: 1 } as never, 0), /events.*payload/],
        [
          'events[0]',
          () => journal.append('a', [{ amount: 1 } as never], 0),
          /events\[0\].*amount/,
        ],
        ['events[0]', () => journal.append('a', [{ payload: undefined }], 0), /events\[0\]/],
        [
          'type',
          () => journal.append('a', [{ payload: 1, type: 7 as never }], 0),
          /events\[0\]\.type.*7/,
        ],
        [
          'version',
          () => journal.append('a', [{ payload: 1, version: 0 }], 0),
          /events\[0\]\.version.*0/,
        ],
        [
          'version',
          () => journal.append('a', [{ payload: 1, version: 2 }], 0),
          /version.*from 1 to 1.*2/,
        ],
        [
          'tags',
          () => journal.append('a', [{ payload: 1, tags: 'x' as never }], 0),
          /events\[0\]\.tags.*"x"/,
        ],
        [
          'tags',
          () => journal.append('a', [{ payload: 1, tags: [''] }], 0),
          /events\[0\]\.tags\[0\].*""/,
        ],
        ['tags', () => journal.append('a', [{ payload: 1, tags: ['x', 'x'] }], 0), /distinct/],
      ])('fails with ERR_INVALID_ARGUMENT on a bad %s', async (_, call, message) => {
        const failure = call();
        await expect(failure).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
        await expect(failure).rejects.toThrow(message);
        expect(await journal.highestSeq('a')).toBe(0);
      });
    });

    describe('Journal.replay', () => {
      it('reads a range with both ends included', async () => {
        await journal.append('a', deposits(10), 0);
        expect(await amounts('a', 3, 6)).toEqual([3, 4, 5, 6]);
        expect(await amounts('a', 9)).toEqual([9, 10]);
        expect(await amounts('a', 0, 2)).toEqual([1, 2]);
        expect(await amounts('a', 7, 3)).toEqual([]);
      });

      it('reads nothing for an unknown persistence id', async () => {
        expect(await collect(journal.replay('nobody'))).toEqual([]);
      });

      it('reads across many pages in order', async () => {
        const paged = await fixture.openJournal({ pageSize: 7 });
        await paged.append('a', deposits(50), 0);
        await paged.append('b', deposits(5), 0);
        await paged.append('a', deposits(50, 51), 50);

        const stored = (await collect(paged.replay<{ amount: number }>('a'))).map(
          (e) => e.payload.amount,
        );
        expect(stored).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      });

      it('fails with ERR_DECODE naming the id and sequence of a corrupt row', async () => {
        await journal.append('a', deposits(5), 0);
        await journal.append('b', deposits(3), 0);
        await fixture.corruptEvent('a', 3, CORRUPT_BYTES);

        const seen: number[] = [];
        const reading = (async () => {
          for await (const event of journal.replay<{ amount: number }>('a'))
            seen.push(event.payload.amount);
        })();
        await expect(reading).rejects.toMatchObject({
          code: 'ERR_DECODE',
          details: { persistenceId: 'a', seq: 3 },
        });
        await expect(reading).rejects.toThrow(/"a" at sequence 3/);
        expect(seen).toEqual([1, 2]);
        expect(journal.counters().decodeFailures).toBe(1);
      });

      it('loses nothing else to a corrupt row', async () => {
        await journal.append('a', deposits(5), 0);
        await journal.append('b', deposits(3), 0);
        await fixture.corruptEvent('a', 3, CORRUPT_BYTES);

        expect(await amounts('b')).toEqual([1, 2, 3]);
        expect(await amounts('a', 4)).toEqual([4, 5]);
        expect(await journal.highestSeq('a')).toBe(5);
        expect(await journal.append('a', deposits(1, 6), 5)).toBe(6);
      });

      it('applies upcasters from the stored version to the newest', async () => {
        await journal.append('a', [{ payload: { type: 'deposited', cents: 150 } }], 0);
        const upcasters = new Upcasters()
          .register('deposited', 1, (p) => ({ ...(p as object), currency: 'EUR' }))
          .register('deposited', 2, (p) => {
            const { cents, ...rest } = p as { cents: number };
            return { ...rest, amount: cents / 100 };
          });
        const upgraded = await fixture.openJournal({ upcasters });
        await upgraded.append(
          'a',
          [{ payload: { type: 'deposited', amount: 2, currency: 'USD' } }],
          1,
        );
        await upgraded.append('a', [{ payload: { type: 'deposited', cents: 300 }, version: 1 }], 2);

        const events = await collect(upgraded.replay('a'));
        expect(events.map((event) => event.payload)).toEqual([
          { type: 'deposited', amount: 1.5, currency: 'EUR' },
          { type: 'deposited', amount: 2, currency: 'USD' },
          { type: 'deposited', amount: 3, currency: 'EUR' },
        ]);
        expect(events.map((event) => event.version)).toEqual([3, 3, 3]);
      });

      it('fails with ERR_DECODE for a version newer than the upcasters know', async () => {
        const upcasters = new Upcasters().register('deposited', 1, (p) => p);
        const newer = await fixture.openJournal({ upcasters });
        await newer.append('a', deposits(1), 0);

        const reading = collect(journal.replay('a'));
        await expect(reading).rejects.toMatchObject({ code: 'ERR_DECODE', details: { seq: 1 } });
        await expect(reading).rejects.toThrow(/version 2, newer than the newest known version 1/);
      });

      it('fails with ERR_DECODE naming the row when an upcaster throws', async () => {
        await journal.append('a', deposits(2), 0);
        const upcasters = new Upcasters().register('deposited', 1, () => {
          throw new Error('no currency for this account');
        });
        const upgraded = await fixture.openJournal({ upcasters });

        await expect(collect(upgraded.replay('a'))).rejects.toMatchObject({
          code: 'ERR_DECODE',
          details: { persistenceId: 'a', seq: 1 },
        });
      });

      it.each([
        ['persistenceId', () => journal.replay(''), /persistenceId/],
        ['fromSeq', () => journal.replay('a', -2), /fromSeq.*-2/],
        ['toSeq', () => journal.replay('a', 1, Number.NaN), /toSeq.*NaN/],
      ])('fails with ERR_INVALID_ARGUMENT on a bad %s', async (_, call, message) => {
        const reading = collect(call());
        await expect(reading).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
        await expect(reading).rejects.toThrow(message);
      });
    });

    describe('Journal.highestSeq', () => {
      it('returns 0 for an unknown persistence id', async () => {
        expect(await journal.highestSeq('nobody')).toBe(0);
      });

      it('sees an append that the caller has not awaited', async () => {
        const appended = journal.append('a', deposits(4), 0);
        expect(await journal.highestSeq('a')).toBe(4);
        await appended;
      });

      it('fails with ERR_INVALID_ARGUMENT on a bad persistence id', async () => {
        await expect(journal.highestSeq(null as never)).rejects.toMatchObject({
          code: 'ERR_INVALID_ARGUMENT',
        });
      });
    });

    describe('Journal.deleteTo', () => {
      it('removes events up to seq and keeps the highest sequence', async () => {
        await journal.append('a', deposits(6), 0);
        await journal.deleteTo('a', 4);

        expect(await amounts('a')).toEqual([5, 6]);
        expect(await journal.highestSeq('a')).toBe(6);
        expect(await journal.append('a', deposits(1, 7), 6)).toBe(7);
        expect(await amounts('a')).toEqual([5, 6, 7]);
      });

      it('keeps the highest sequence when every event is deleted', async () => {
        await journal.append('a', deposits(3), 0);
        await journal.deleteTo('a', 100);

        expect(await amounts('a')).toEqual([]);
        expect(await journal.highestSeq('a')).toBe(3);
        await expect(journal.append('a', deposits(1), 0)).rejects.toMatchObject({
          code: 'ERR_CONFLICT',
        });
        expect(await journal.append('a', deposits(1, 4), 3)).toBe(4);
        expect(await amounts('a')).toEqual([4]);
      });

      it('never hands out an ordering twice', async () => {
        await journal.append('a', deposits(3), 0);
        const before = await collect(journal.allEvents());
        await journal.deleteTo('a', 3);
        await journal.append('b', deposits(1), 0);

        const [next] = await collect(journal.allEvents());
        expect(next!.ordering).toBeGreaterThan(before[before.length - 1]!.ordering);
      });

      it('touches no other persistence id', async () => {
        await journal.append('a', deposits(3), 0);
        await journal.append('b', deposits(3), 0);
        await journal.deleteTo('a', 3);
        expect(await amounts('b')).toEqual([1, 2, 3]);
      });

      it('runs after the appends called before it', async () => {
        const appended = journal.append('a', deposits(3), 0);
        await journal.deleteTo('a', 2);
        await appended;
        expect(await amounts('a')).toEqual([3]);
      });

      it('fails with ERR_INVALID_ARGUMENT on a bad seq', async () => {
        const failure = journal.deleteTo('a', -1);
        await expect(failure).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
        await expect(failure).rejects.toThrow(/seq.*-1/);
      });
    });

    describe('Journal.eventsByTag', () => {
      it('reads tagged events of every persistence id in ordering order', async () => {
        await journal.append('a', deposits(2, 1, ['red']), 0);
        await journal.append('b', deposits(1, 10, ['blue']), 0);
        await journal.append('c', deposits(2, 20, ['red', 'blue']), 0);
        await journal.append('a', deposits(1, 3, ['red']), 2);

        const red = await collect(journal.eventsByTag<{ amount: number }>('red'));
        expect(red.map((event) => [event.persistenceId, event.payload.amount])).toEqual([
          ['a', 1],
          ['a', 2],
          ['c', 20],
          ['c', 21],
          ['a', 3],
        ]);
        const orderings = red.map((event) => event.ordering);
        expect([...orderings].sort((x, y) => x - y)).toEqual(orderings);
        expect(new Set(orderings).size).toBe(orderings.length);
      });

      it('starts after the offset', async () => {
        await journal.append('a', deposits(5, 1, ['red']), 0);
        const all = await collect(journal.eventsByTag('red'));
        const rest = await collect(journal.eventsByTag('red', all[2]!.ordering));
        expect(rest.map((event) => event.seq)).toEqual([4, 5]);
      });

      it('reads across pages', async () => {
        const paged = await fixture.openJournal({ pageSize: 3 });
        for (let i = 0; i < 5; i++) await paged.append(`id-${i}`, deposits(2, 1, ['t']), 0);
        expect(await collect(paged.eventsByTag('t'))).toHaveLength(10);
      });

      it('leaves out deleted events', async () => {
        await journal.append('a', deposits(3, 1, ['red']), 0);
        await journal.deleteTo('a', 3);
        await journal.append('b', deposits(1, 1, ['red']), 0);
        const red = await collect(journal.eventsByTag('red'));
        expect(red.map((event) => event.persistenceId)).toEqual(['b']);
      });

      it('fails with ERR_INVALID_ARGUMENT on a bad tag or offset', async () => {
        await expect(collect(journal.eventsByTag(''))).rejects.toMatchObject({
          code: 'ERR_INVALID_ARGUMENT',
        });
        await expect(collect(journal.eventsByTag('red', -5))).rejects.toThrow(/offset.*-5/);
      });
    });

    describe('Journal.allEvents', () => {
      it('misses no event while writers append concurrently', async () => {
        const writers = [journal, await fixture.openJournal(), await fixture.openJournal()];
        let writing = true;
        const appends = Promise.all(
          writers.map(async (writer, w) => {
            for (let seq = 0; seq < 20; seq++) {
              await writer.append(
                `writer-${w}`,
                deposits(1 + (seq % 3), seq),
                await writer.highestSeq(`writer-${w}`),
              );
            }
          }),
        ).finally(() => {
          writing = false;
        });

        // A projection that polls from its last ordering, as a live projection would.
        const seen: string[] = [];
        let offset = 0;
        const poll = async () => {
          for await (const event of journal.allEvents(offset)) {
            seen.push(`${event.persistenceId}/${event.seq}`);
            offset = event.ordering;
          }
        };
        while (writing) {
          await poll();
          // Polling in a tight loop of promises would starve the writers' scheduled flushes.
          await new Promise((resolve) => setImmediate(resolve));
        }
        await appends;
        await poll();

        const all = (await collect(journal.allEvents())).map((e) => `${e.persistenceId}/${e.seq}`);
        expect(seen).toEqual(all);
        expect(new Set(all).size).toBe(all.length);
      });

      it('reads every event in ordering order', async () => {
        await journal.append('a', deposits(2), 0);
        await journal.append('b', deposits(1, 10), 0);
        await journal.append('a', deposits(1, 3), 2);

        const events = await collect(journal.allEvents<{ amount: number }>());
        expect(events.map((event) => [event.persistenceId, event.seq])).toEqual([
          ['a', 1],
          ['a', 2],
          ['b', 1],
          ['a', 3],
        ]);
        const after = await collect(journal.allEvents(events[1]!.ordering));
        expect(after.map((event) => event.payload)).toEqual([
          { type: 'deposited', amount: 10 },
          { type: 'deposited', amount: 3 },
        ]);
      });
    });

    describe('Journal.close', () => {
      it('writes the appends called before it', async () => {
        const other = await fixture.openJournal();
        const appended = other.append('a', deposits(2), 0);
        await other.close();
        expect(await appended).toBe(2);
        expect(await journal.highestSeq('a')).toBe(2);
      });

      it('fails later calls with ERR_STORE', async () => {
        const other = await fixture.openJournal();
        await other.close();
        await other.close();
        await expect(other.append('a', deposits(1), 0)).rejects.toMatchObject({
          code: 'ERR_STORE',
        });
        await expect(other.highestSeq('a')).rejects.toThrow(/closed/);
        await expect(collect(other.replay('a'))).rejects.toMatchObject({ code: 'ERR_STORE' });
      });
    });

    describe('Journal (model)', () => {
      it('matches a model of appends and deletes (fast-check seed 42)', async () => {
        const command = fc.oneof(
          fc.record({
            kind: fc.constant('append' as const),
            id: fc.integer({ min: 0, max: 2 }),
            count: fc.integer({ min: 0, max: 4 }),
            skew: fc.constantFrom(0, 0, 0, -1, 1),
          }),
          fc.record({
            kind: fc.constant('delete' as const),
            id: fc.integer({ min: 0, max: 2 }),
            seq: fc.integer({ min: 0, max: 12 }),
          }),
        );
        let run = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(command, { maxLength: 12 }), async (commands) => {
            run++;
            const ids = [0, 1, 2].map((i) => `run-${run}-${i}`);
            const highest = [0, 0, 0];
            const kept: number[][] = [[], [], []];
            for (const c of commands) {
              const id = ids[c.id]!;
              if (c.kind === 'delete') {
                await journal.deleteTo(id, c.seq);
                kept[c.id] = kept[c.id]!.filter((seq) => seq > c.seq);
                continue;
              }
              const expected = highest[c.id]! + c.skew;
              if (expected < 0) continue;
              const result = journal.append(id, deposits(c.count), expected);
              if (c.skew !== 0) {
                await expect(result).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
                continue;
              }
              await result;
              for (let k = 1; k <= c.count; k++) kept[c.id]!.push(expected + k);
              highest[c.id] = expected + c.count;
            }
            for (let i = 0; i < 3; i++) {
              expect(await journal.highestSeq(ids[i]!)).toBe(highest[i]);
              const seqs = (await collect(journal.replay(ids[i]!))).map((event) => event.seq);
              expect(seqs).toEqual(kept[i]);
            }
          }),
          { seed: 42, numRuns: 25 },
        );
      });
    });
  });
}
