/**
 * Seeds that fix the interleaving of processes, so a failing run replays exactly. A seed comes
 * from the caller, from the enclosing {@link withSeed}, from the `STARWEAVE_SEED` environment
 * variable, or else is {@link DEFAULT_SEED}, so tests are repeatable unless they ask for
 * random seeds through `withSeed` or `seededTest`. A failure inside `withSeed` names its seed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomInt } from 'node:crypto';
import { invalidArgument, StarweaveError } from '@starweave/actors';
import { appendToMessage } from './failure-note.js';

/** The environment variable that replays a seed: `STARWEAVE_SEED=1234 npx vitest run`. */
export const SEED_ENV = 'STARWEAVE_SEED';

/** The seed of a test system when no seed is given, set by `withSeed` or in the environment. */
export const DEFAULT_SEED = 1;

/** A resource made inside a {@link withSeed} scope and closed when the scope ends. */
export interface ScopeMember {
  /** Returns text to add to the failure message, or undefined for none. */
  describeFailure(): string | undefined;
  /** Releases what the member holds (a test system shuts down). */
  close(): Promise<void>;
}

interface SeedScope {
  seed: number;
  members: ScopeMember[];
}

const scopes = new AsyncLocalStorage<SeedScope>();

/** Returns the seed in `STARWEAVE_SEED`, or undefined when it is unset or empty. */
export function seedFromEnv(): number | undefined {
  const text = process.env[SEED_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid ${SEED_ENV}: expected an integer, received ${JSON.stringify(text)}. Copy the seed from the failure message.`,
      { details: { argument: SEED_ENV, received: text } },
    );
  }
  return seed;
}

/** Returns a fresh random seed in [0, 2^31). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

/**
 * Returns the seed to use: `seed` when given, else the seed of the enclosing
 * {@link withSeed}, else `STARWEAVE_SEED`, else {@link DEFAULT_SEED}.
 */
export function resolveSeed(seed?: number): number {
  if (seed !== undefined) return checkSeed(seed);
  return scopes.getStore()?.seed ?? seedFromEnv() ?? DEFAULT_SEED;
}

/** Returns the seed of the enclosing {@link withSeed}, or undefined outside one. */
export function currentSeed(): number | undefined {
  return scopes.getStore()?.seed;
}

/** @internal Adds `member` to the enclosing {@link withSeed} scope; returns false outside one. */
export function joinSeedScope(member: ScopeMember): boolean {
  const scope = scopes.getStore();
  if (scope === undefined) return false;
  scope.members.push(member);
  return true;
}

function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    invalidArgument('seed', 'an integer', seed);
  }
  return seed;
}

/**
 * Runs `fn` with a seed and returns its result. The seed is `STARWEAVE_SEED` when set (so a
 * failure replays), else `seed`, else a random one. Test systems created inside without a seed
 * use it, and are shut down when `fn` ends. When `fn` fails, the error's message gains
 * `seed=N` with the replay command and the trace of each test system made inside.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestSystem, withSeed } from '@starweave/testing';
 *
 * const seed = await withSeed(7, async (seed) => {
 *   const t = createTestSystem();
 *   assert.equal(t.seed, seed);
 *   return seed;
 * });
 * assert.equal(seed, Number(process.env.STARWEAVE_SEED ?? 7));
 * ```
 */
export async function withSeed<T>(
  seed: number | undefined,
  fn: (seed: number) => T | Promise<T>,
): Promise<T> {
  if (typeof fn !== 'function') invalidArgument('fn', 'a function (seed) => ...', fn);
  const chosen = seedFromEnv() ?? (seed === undefined ? randomSeed() : checkSeed(seed));
  const scope: SeedScope = { seed: chosen, members: [] };
  try {
    return await scopes.run(scope, () => fn(chosen));
  } catch (error) {
    const notes = [`seed=${chosen} (replay with ${SEED_ENV}=${chosen})`];
    for (const member of scope.members) {
      const note = member.describeFailure();
      if (note !== undefined) notes.push(note);
    }
    throw appendToMessage(error, notes.join('\n\n'));
  } finally {
    for (const member of scope.members) await member.close();
  }
}

/** Options of {@link seededTest}. */
export interface SeededTestOptions {
  /** The first seed. Default: `STARWEAVE_SEED`, or a random seed. */
  seed?: number;
  /** How many seeds to try, `seed`, `seed + 1`, ...; the first failure ends the test. Default 1. */
  runs?: number;
}

/**
 * Returns a test function for any runner (`it('name', seededTest(fn))`) that runs `fn` inside
 * {@link withSeed} once per seed. With `STARWEAVE_SEED` set, only that seed runs, so the seed a
 * failure prints replays it alone.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { seededTest } from '@starweave/testing';
 *
 * const seen: number[] = [];
 * const test = seededTest(({ seed }) => { seen.push(seed); }, { seed: 100, runs: 3 });
 * await test();
 * if (process.env.STARWEAVE_SEED === undefined) assert.deepEqual(seen, [100, 101, 102]);
 * ```
 */
export function seededTest(
  fn: (context: { seed: number; run: number }) => unknown,
  options: SeededTestOptions = {},
): () => Promise<void> {
  if (typeof fn !== 'function') invalidArgument('fn', 'a function ({ seed }) => ...', fn);
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1) {
    invalidArgument('runs', 'an integer of at least 1', runs);
  }
  if (options.seed !== undefined) checkSeed(options.seed);

  return async () => {
    const replay = seedFromEnv();
    if (replay !== undefined) {
      await withSeed(replay, (seed) => fn({ seed, run: 0 }));
      return;
    }
    const first = options.seed ?? randomSeed();
    for (let run = 0; run < runs; run++) {
      await withSeed(first + run, (seed) => fn({ seed, run }));
    }
  };
}
