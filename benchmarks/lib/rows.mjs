// Result rows: the fixed system names, row validation, and the merge into
// benchmarks/results/latest.json by benchmark and system.

/** Lists the system names a row may carry, in the order tables show them. */
export const SYSTEMS = Object.freeze([
  'starweave',
  'bare-js',
  'nact',
  'xstate',
  'erlang',
  'erlang-smp',
  'promise',
  'node-streams',
  'async-generators',
  'json-lines',
  'better-sqlite3',
  'pg',
]);

/**
 * Checks that `row` has the shape `{ benchmark, system, value, unit, higherIsBetter }` with a
 * known system and a finite value, and throws an Error naming the field otherwise.
 * @param {unknown} row
 * @param {string} origin where the row came from, for the message
 */
export function validateRow(row, origin) {
  const where = `${origin}: row ${JSON.stringify(row)}`;
  if (row === null || typeof row !== 'object') throw new Error(`${where} is not an object`);
  if (typeof row.benchmark !== 'string' || row.benchmark === '') {
    throw new Error(`${where}: expected a non-empty string in benchmark`);
  }
  if (!SYSTEMS.includes(row.system)) {
    throw new Error(`${where}: expected system to be one of ${SYSTEMS.join(', ')}`);
  }
  if (typeof row.value !== 'number' || !Number.isFinite(row.value)) {
    throw new Error(`${where}: expected a finite number in value`);
  }
  if (typeof row.unit !== 'string' || row.unit === '') {
    throw new Error(`${where}: expected a non-empty string in unit`);
  }
  if (typeof row.higherIsBetter !== 'boolean') {
    throw new Error(`${where}: expected a boolean in higherIsBetter`);
  }
}

/** Returns the key under which a row is merged and recorded in meta.json. */
export function rowKey(row) {
  return `${row.benchmark}|${row.system}`;
}

/**
 * Merges `incoming` rows into `existing` ones: a row with the same benchmark and system
 * replaces the old one, other old rows stay. Throws when two incoming rows of one benchmark
 * disagree on unit or higherIsBetter, because ratios between them would mean nothing. An old
 * row whose unit or direction differs from the incoming rows of its benchmark is dropped, since
 * the benchmark has changed. Returns the rows sorted by benchmark, then by the order of
 * SYSTEMS, and the dropped rows.
 * @param {Array<object>} existing
 * @param {Array<object>} incoming
 * @returns {{ rows: object[], dropped: object[] }}
 */
export function mergeRows(existing, incoming) {
  checkUnits(incoming);
  const incomingByBenchmark = new Map(incoming.map((row) => [row.benchmark, row]));

  const merged = new Map();
  const dropped = [];
  for (const row of existing) {
    const current = incomingByBenchmark.get(row.benchmark);
    const changed =
      current !== undefined &&
      (current.unit !== row.unit || current.higherIsBetter !== row.higherIsBetter);
    if (changed) dropped.push(row);
    else merged.set(rowKey(row), row);
  }
  for (const row of incoming) merged.set(rowKey(row), row);

  return { rows: [...merged.values()].sort(compareRows), dropped };
}

/** Throws when rows of one benchmark disagree on unit or higherIsBetter. */
export function checkUnits(rows) {
  const first = new Map();
  for (const row of rows) {
    const seen = first.get(row.benchmark);
    if (seen === undefined) {
      first.set(row.benchmark, row);
      continue;
    }
    if (seen.unit !== row.unit || seen.higherIsBetter !== row.higherIsBetter) {
      throw new Error(
        `benchmark ${row.benchmark}: ${row.system} reports ${row.unit} ` +
          `(higherIsBetter ${row.higherIsBetter}) but ${seen.system} reports ${seen.unit} ` +
          `(higherIsBetter ${seen.higherIsBetter}); give every system of one benchmark the ` +
          'same unit and direction',
      );
    }
  }
}

function compareRows(a, b) {
  if (a.benchmark !== b.benchmark) return a.benchmark < b.benchmark ? -1 : 1;
  return SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system);
}

/**
 * Computes how many times better starweave is than `other` on one benchmark: above 1 means
 * starweave is better, whichever direction the unit runs. Returns undefined when a value is 0.
 * @param {{ value: number, higherIsBetter: boolean }} starweave
 * @param {{ value: number }} other
 */
export function ratio(starweave, other) {
  if (starweave.value === 0 || other.value === 0) return undefined;
  return starweave.higherIsBetter ? starweave.value / other.value : other.value / starweave.value;
}
