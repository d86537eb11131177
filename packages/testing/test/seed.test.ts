/**
 * Seeds: where a seed comes from, failures that name it, replay through STARWEAVE_SEED, and
 * the interleaving a seed fixes.
 */

import { isStarweaveError, type ProcessContext } from '@starweave/actors';
import {
  createTestSystem,
  currentSeed,
  DEFAULT_SEED,
  randomSeed,
  resolveSeed,
  SEED_ENV,
  seededTest,
  seedFromEnv,
  withSeed,
} from '@starweave/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers.js';

// These tests set STARWEAVE_SEED themselves, so a value from the shell is put back afterwards.
let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env[SEED_ENV];
  delete process.env[SEED_ENV];
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env[SEED_ENV];
  else process.env[SEED_ENV] = savedEnv;
});

/** Spawns eight processes at once and returns the order in which they ran. */
async function runOrder(seed: number): Promise<number[]> {
  const t = createTestSystem({ seed });
  const order: number[] = [];
  const collector = t.system.spawn({ handleMessage: (_self, n) => void order.push(n) });
  for (let n = 0; n < 8; n++) {
    t.system.spawn(async (self: ProcessContext) => {
      self.send(collector, n);
    });
  }
  await t.runUntilIdle();
  await t.shutdown();
  return order;
}

describe('resolveSeed', () => {
  it('returns the seed it is given', () => {
    expect(resolveSeed(17)).toBe(17);
  });

  it('returns the seed of the enclosing withSeed', async () => {
    const seen = await withSeed(23, () => resolveSeed());

    expect(seen).toBe(23);
  });

  it('returns STARWEAVE_SEED outside withSeed', () => {
    process.env[SEED_ENV] = '99';

    expect(resolveSeed()).toBe(99);
  });

  it('returns the default seed when no seed is set', () => {
    expect(resolveSeed()).toBe(DEFAULT_SEED);
  });
});

describe('randomSeed', () => {
  it('returns an integer in [0, 2^31)', () => {
    const seed = randomSeed();

    expect(Number.isInteger(seed)).toBe(true);
    expect(seed).toBeGreaterThanOrEqual(0);
    expect(seed).toBeLessThan(2 ** 31);
  });
});

describe('seedFromEnv', () => {
  it('fails with ERR_INVALID_ARGUMENT for a value that is not an integer', () => {
    process.env[SEED_ENV] = 'abc';
    let error: unknown;
    try {
      seedFromEnv();
    } catch (thrown) {
      error = thrown;
    }

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(SEED_ENV);
  });

  it('ignores an empty value', () => {
    process.env[SEED_ENV] = '';

    expect(seedFromEnv()).toBeUndefined();
  });
});

describe('withSeed', () => {
  it('passes the seed and returns the result', async () => {
    const result = await withSeed(5, (seed) => seed * 2);

    expect(result).toBe(10);
  });

  it('names the seed and the replay command in a failure', async () => {
    const error = await rejectionOf(
      withSeed(31, () => {
        throw new Error('went wrong');
      }),
    );

    expect((error as Error).message).toContain('went wrong');
    expect((error as Error).message).toContain(`seed=31 (replay with ${SEED_ENV}=31)`);
    expect((error as Error).stack).toContain('seed=31');
  });

  it('wraps a thrown value that is not an Error', async () => {
    const error = await rejectionOf(
      withSeed(3, () => {
        throw 'plain string';
      }),
    );

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('plain string');
    expect((error as Error).cause).toBe('plain string');
  });

  it('uses STARWEAVE_SEED over the seed it is given', async () => {
    process.env[SEED_ENV] = '77';

    expect(await withSeed(1, (seed) => seed)).toBe(77);
  });

  it('gives test systems made inside its seed', async () => {
    const seed = await withSeed(41, () => createTestSystem().seed);

    expect(seed).toBe(41);
  });

  it('shuts down the test systems made inside', async () => {
    const t = await withSeed(2, () => createTestSystem());

    expect(t.system.isStopped).toBe(true);
  });

  it('appends the trace of each test system made inside to a failure', async () => {
    const error = await rejectionOf(
      withSeed(4, async () => {
        const t = createTestSystem();
        const pid = t.system.spawn({ handleMessage() {} }, { name: 'worker' });
        t.system.send(pid, { type: 'job', id: 7 });
        throw new Error('assertion failed');
      }),
    );

    expect((error as Error).message).toMatch(/trace of \d+ events/);
    expect((error as Error).message).toContain("{ type: 'job', id: 7 }");
    expect((error as Error).message).toContain('(worker)');
  });

  it('leaves the seed scope when it ends', async () => {
    await withSeed(8, () => {});

    expect(currentSeed()).toBeUndefined();
  });
});

describe('seededTest', () => {
  it('runs one seed after another', async () => {
    const seeds: number[] = [];

    await seededTest(({ seed }) => void seeds.push(seed), { seed: 100, runs: 3 })();

    expect(seeds).toEqual([100, 101, 102]);
  });

  it('stops at the first failing seed and names it', async () => {
    const seeds: number[] = [];
    const test = seededTest(
      ({ seed }) => {
        seeds.push(seed);
        if (seed === 201) throw new Error('fails on this seed');
      },
      { seed: 200, runs: 5 },
    );

    const error = await rejectionOf(test());

    expect(seeds).toEqual([200, 201]);
    expect((error as Error).message).toContain('seed=201');
  });

  it(
    'serves as a test body',
    seededTest(
      async ({ seed, run }) => {
        const t = createTestSystem();

        expect(t.seed).toBe(300 + run);
        expect(seed).toBe(t.seed);
      },
      { seed: 300, runs: 2 },
    ),
  );

  it('runs only the seed in STARWEAVE_SEED', async () => {
    process.env[SEED_ENV] = '555';
    const seeds: number[] = [];

    await seededTest(({ seed }) => void seeds.push(seed), { seed: 1, runs: 10 })();

    expect(seeds).toEqual([555]);
  });

  it('fails with ERR_INVALID_ARGUMENT for runs below one', () => {
    let error: unknown;
    try {
      seededTest(() => {}, { runs: 0 });
    } catch (thrown) {
      error = thrown;
    }

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('scheduling seed', () => {
  it('gives the same interleaving for the same seed', async () => {
    const first = await runOrder(12345);
    const second = await runOrder(12345);

    expect(first).toHaveLength(8);
    expect(second).toEqual(first);
  });

  it('gives a different interleaving for some other seed', async () => {
    const reference = await runOrder(1);
    const others = [];
    for (const seed of [2, 3, 4, 5, 6]) others.push(await runOrder(seed));

    expect(others.some((order) => order.join() !== reference.join())).toBe(true);
    for (const order of others) expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('replays a failing interleaving from the seed its failure names', async () => {
    // A race: the check fails whenever process 0 does not run first.
    const check = async ({ seed }: { seed: number }) => {
      const order = await runOrder(seed);
      if (order[0] !== 0) throw new Error(`process ${order[0]} ran first`);
    };
    const failure = (await rejectionOf(seededTest(check, { seed: 1, runs: 50 })())) as Error;
    const seed = Number(/seed=(\d+)/.exec(failure.message)?.[1]);

    process.env[SEED_ENV] = String(seed);
    const replay = (await rejectionOf(seededTest(check, { seed: 1, runs: 50 })())) as Error;

    expect(replay.message.split('\n')[0]).toBe(failure.message.split('\n')[0]);
    expect(replay.message).toContain(`seed=${seed}`);
  });
});
