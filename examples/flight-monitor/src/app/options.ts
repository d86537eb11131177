/**
 * The command line of the demo: options, their checks and the help text.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { StarweaveError } from '@starweave/actors';
import type { StoreKind } from '../store/open-store.js';

/** The demo's options, checked. */
export interface DemoOptions {
  /** Records to read from the start of the file; undefined for all. */
  readonly limit: number | undefined;
  /** Event time per wall-clock time; null for full speed. */
  readonly speedup: number | null;
  /** Python workers that score flights; 0 runs without scoring. */
  readonly workers: number;
  /** Airport stages. */
  readonly partitions: number;
  readonly store: StoreKind;
  readonly out: string;
  /** The chaos monkey's seed; null runs without faults. */
  readonly chaos: number | null;
  /** Skips the HTML and PNG report. */
  readonly noReport: boolean;
  readonly help: boolean;
}

/** The default output folder: `out` beside `src`, which git ignores. */
export const DEFAULT_OUT = resolve(fileURLToPath(new URL('../../out', import.meta.url)));

/** The help text. */
export const HELP = `Usage: npm run demo -- [options]

Streams the 3 million flights of flights-3m.parquet through a supervised pipeline of stages,
detects delay waves, rising routes and hourly delay anomalies, scores flights with a Python
model, journals the results in SQLite and writes a report.

Options:
  --limit N        read only the first N records (default: all 3,000,000)
  --speedup X      replay event time X times faster than the wall clock (default: full speed)
  --workers N      Python workers that score flights; 0 turns scoring off (default 2)
  --partitions N   airport stages, each a partition of origin airports (default 4)
  --store KIND     sqlite (a file in the output folder) or postgres (127.0.0.1:5432, database
                   test, schema flight_monitor; PGHOST, PGPORT, PGDATABASE, PGUSER override)
                   (default sqlite)
  --out DIR        the output folder for the database, the model and the report
                   (default examples/flight-monitor/out)
  --chaos SEED     kill stages, Python workers and the store writer at random (seeded), then
                   check the results against a plain second pass over the records
  --no-report      skip the HTML and PNG report
  --help           print this text
`;

/** Parses the command line; fails with ERR_INVALID_ARGUMENT naming the bad option and value. */
export function parseOptions(argv: readonly string[]): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      limit: { type: 'string' },
      speedup: { type: 'string' },
      workers: { type: 'string' },
      partitions: { type: 'string' },
      store: { type: 'string' },
      out: { type: 'string' },
      chaos: { type: 'string' },
      'no-report': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  const store = values.store ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid --store ${JSON.stringify(store)}: expected sqlite or postgres`,
    );
  }
  return {
    limit: values.limit === undefined ? undefined : integer('--limit', values.limit, 1),
    speedup: values.speedup === undefined ? null : positive('--speedup', values.speedup),
    workers: values.workers === undefined ? 2 : integer('--workers', values.workers, 0),
    partitions: values.partitions === undefined ? 4 : integer('--partitions', values.partitions, 1),
    store,
    out: resolve(values.out ?? DEFAULT_OUT),
    chaos: values.chaos === undefined ? null : integer('--chaos', values.chaos, 0),
    noReport: values['no-report'] === true,
    help: values.help === true,
  };
}

function integer(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid ${option} ${JSON.stringify(text)}: expected an integer >= ${min}`,
    );
  }
  return value;
}

function positive(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new StarweaveError(
      'ERR_INVALID_ARGUMENT',
      `invalid ${option} ${JSON.stringify(text)}: expected a positive number`,
    );
  }
  return value;
}
