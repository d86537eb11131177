/**
 * ProcessTable: entries by id in pages of 1024 slots, with the survivors of a mostly emptied
 * page moved to a map, iterated in ascending id order either way.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProcessTable } from '../src/process-table.js';

const SEED = 42;

function filled(count: number): ProcessTable<string> {
  const table = new ProcessTable<string>();
  for (let id = 0; id < count; id++) table.set(id, `p${id}`);
  return table;
}

describe('ProcessTable', () => {
  it('finds, counts and removes entries by id', () => {
    const table = filled(3000);

    expect(table.size).toBe(3000);
    expect(table.get(2047)).toBe('p2047');
    expect(table.delete(2047)).toBe(true);
    expect(table.delete(2047)).toBe(false);
    expect(table.has(2047)).toBe(false);
    expect(table.get(5000)).toBeUndefined();
    expect(table.size).toBe(2999);
  });

  it('replaces the entry of an id without counting it twice', () => {
    const table = filled(10);

    table.set(4, 'again');

    expect(table.get(4)).toBe('again');
    expect(table.size).toBe(10);
  });

  it('drops a page whose entries all ended', () => {
    const table = filled(3 * 1024);

    for (let id = 0; id < 1024; id++) table.delete(id);

    expect(table.pageCount).toBe(2);
    expect(table.get(5)).toBeUndefined();
  });

  it('moves the survivors of a mostly emptied page out of it', () => {
    const table = filled(3 * 1024);

    for (let id = 0; id < 1024; id++) {
      if (id % 100 !== 0) table.delete(id);
    }

    expect(table.pageCount).toBe(2);
    expect(table.get(500)).toBe('p500');
    expect(table.get(501)).toBeUndefined();
    expect(table.size).toBe(11 + 2 * 1024);
    expect(table.delete(500)).toBe(true);
    expect(table.get(500)).toBeUndefined();
  });

  it('moves the survivors of the newest page once ids pass it', () => {
    const table = filled(1024);
    for (let id = 1; id < 1024; id++) table.delete(id);

    table.set(1024, 'p1024');

    expect(table.pageCount).toBe(1);
    expect(table.get(0)).toBe('p0');
    expect([...table.values()]).toEqual(['p0', 'p1024']);
  });

  it('iterates in ascending id order across pages and moved entries', () => {
    const table = filled(4 * 1024);
    for (let id = 1024; id < 2048; id++) {
      if (id !== 1500) table.delete(id);
    }
    for (let id = 0; id < 1024; id += 2) table.delete(id);

    const ids = [...table.values()].map((value) => Number(value.slice(1)));

    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toContain(1500);
    expect(ids.length).toBe(table.size);
  });

  it('matches a Map under random spawns and exits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 5000 })), { maxLength: 3000 }),
        (steps) => {
          const table = new ProcessTable<number>();
          const model = new Map<number, number>();
          let nextId = 0;
          for (const [spawn, pick] of steps) {
            if (spawn || model.size === 0) {
              // Ids only grow, as pids do; a gap mimics spawns that ended at once.
              nextId += 1 + (pick % 3);
              table.set(nextId, nextId);
              model.set(nextId, nextId);
            } else {
              // Half the exits hit the oldest entries, so old pages empty and get moved.
              const ids = [...model.keys()];
              const span = pick % 2 === 0 ? Math.min(ids.length, 64) : ids.length;
              const id = ids[pick % span]!;
              expect(table.delete(id)).toBe(true);
              model.delete(id);
            }
          }
          expect(table.size).toBe(model.size);
          expect([...table.values()]).toEqual([...model.keys()].sort((a, b) => a - b));
          for (const id of model.keys()) expect(table.get(id)).toBe(id);
        },
      ),
      { seed: SEED, numRuns: 100, verbose: true },
    );
  });
});
