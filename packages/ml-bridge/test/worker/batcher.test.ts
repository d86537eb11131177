import { VirtualClock } from '@starweave/actors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/worker/batcher.js';
import { PendingRequest } from '../../src/worker/pending-request.js';

function request(id: number): PendingRequest {
  return new PendingRequest(
    id,
    'h',
    id,
    null,
    () => {},
    () => {},
    0,
  );
}

describe('Batcher', () => {
  it('sends every request once, in order, within size and wait (fast-check, seed 42)', () => {
    console.log('fast-check seed 42');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.oneof(fc.constant('add' as const), fc.integer({ min: 1, max: 30 })), {
          maxLength: 80,
        }),
        (maxBatchSize, maxWaitMs, steps) => {
          const clock = new VirtualClock();
          const sent: Array<{ ids: number[]; at: number }> = [];
          const addedAt = new Map<number, number>();
          const batcher = new Batcher('h', { maxBatchSize, maxWaitMs }, clock, (_h, batch) => {
            sent.push({ ids: batch.map((entry) => entry.id), at: clock.now() });
          });
          let next = 0;
          for (const step of steps) {
            if (step === 'add') {
              addedAt.set(next, clock.now());
              batcher.add(request(next++));
            } else {
              clock.advance(step);
            }
          }
          clock.advance(maxWaitMs);

          const ids = sent.flatMap((batch) => batch.ids);
          expect(ids).toEqual([...Array(next).keys()]);
          for (const batch of sent) {
            expect(batch.ids.length).toBeLessThanOrEqual(maxBatchSize);
            const first = addedAt.get(batch.ids[0]!)!;
            expect(batch.at - first).toBeLessThanOrEqual(maxWaitMs);
          }
          expect(batcher.size).toBe(0);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('drops a removed request from the batch it collects', () => {
    const clock = new VirtualClock();
    const sent: number[][] = [];
    const batcher = new Batcher('h', { maxBatchSize: 4, maxWaitMs: 10 }, clock, (_h, batch) => {
      sent.push(batch.map((entry) => entry.id));
    });
    const kept = request(1);
    const removed = request(2);
    batcher.add(kept);
    batcher.add(removed);
    batcher.remove(removed);
    clock.advance(10);
    expect(sent).toEqual([[1]]);
  });
});
