/** Tests for the benchmark rows: validation, merging, ratios, the table and meta.json. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeResults } from '../../../benchmarks/lib/results.mjs';
import { mergeRows, type Row, ratio, validateRow } from '../../../benchmarks/lib/rows.mjs';
import { formatTable, formatValue } from '../../../benchmarks/lib/table.mjs';

const row = (system: string, value: number, overrides: Partial<Row> = {}): Row => ({
  benchmark: 'tell',
  system,
  value,
  unit: 'msgs/s',
  higherIsBetter: true,
  ...overrides,
});

describe('validateRow', () => {
  it('accepts a well-formed row', () => {
    expect(() => validateRow(row('erlang', 1), 'test')).not.toThrow();
  });

  it('rejects an unknown system name', () => {
    expect(() => validateRow(row('erlang-s1', 1), 'test')).toThrow('expected system');
  });

  it('rejects a value that is not finite', () => {
    expect(() => validateRow(row('erlang', Number.NaN), 'test')).toThrow('finite number');
  });

  it('rejects a missing higherIsBetter', () => {
    const { higherIsBetter: _, ...rest } = row('erlang', 1);
    expect(() => validateRow(rest, 'test')).toThrow('higherIsBetter');
  });
});

describe('mergeRows', () => {
  it('replaces rows of the same benchmark and system and keeps the others', () => {
    const existing = [row('starweave', 1), row('erlang', 2), row('nact', 3, { benchmark: 'ring' })];
    const { rows } = mergeRows(existing, [row('erlang', 20)]);
    expect(rows.map((r) => [r.benchmark, r.system, r.value])).toEqual([
      ['ring', 'nact', 3],
      ['tell', 'starweave', 1],
      ['tell', 'erlang', 20],
    ]);
  });

  it('throws when incoming rows of one benchmark disagree on the unit', () => {
    expect(() => mergeRows([], [row('starweave', 1), row('erlang', 1, { unit: 'ops/s' })])).toThrow(
      'same unit and direction',
    );
  });

  it('drops stored rows whose benchmark changed its unit', () => {
    const { rows, dropped } = mergeRows([row('nact', 5)], [row('starweave', 1, { unit: 'ops/s' })]);
    expect(rows.map((r) => r.system)).toEqual(['starweave']);
    expect(dropped.map((r) => r.system)).toEqual(['nact']);
  });
});

describe('ratio', () => {
  it('divides starweave by the other system when higher is better', () => {
    expect(ratio(row('starweave', 30), row('erlang', 10))).toBe(3);
  });

  it('divides the other system by starweave when lower is better', () => {
    const lower = { higherIsBetter: false };
    expect(ratio(row('starweave', 200, lower), row('erlang', 2000, lower))).toBe(10);
  });

  it('returns undefined for a zero value', () => {
    expect(ratio(row('starweave', 0), row('erlang', 10))).toBeUndefined();
  });
});

describe('formatTable', () => {
  it('shows each figure with the ratio to starweave', () => {
    const lines = formatTable([row('starweave', 15e6), row('erlang', 10e6)]);
    expect(lines[0]).toBe('| benchmark | unit | better | starweave | erlang |');
    expect(lines[2]).toBe('| tell | msgs/s | higher | 15.0M | 10.0M (1.50x) |');
  });

  it('shows figures without ratios when starweave has none', () => {
    const lines = formatTable([row('erlang', 10e6)]);
    expect(lines[2]).toBe('| tell | msgs/s | higher | 10.0M |');
  });

  it('formats small, thousands and millions', () => {
    expect([
      formatValue(2.345),
      formatValue(325.4),
      formatValue(12_345),
      formatValue(2.5e6),
    ]).toEqual(['2.35', '325', '12.3k', '2.50M']);
  });
});

describe('mergeResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'starweave-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const machine = { cpu: 'test', cores: 2 };

  it('records the run of each row and drops runs no row refers to', () => {
    const first = { date: '2026-01-01T00:00:00.000Z', quick: false, only: null, machine };
    const second = { date: '2026-01-02T00:00:00.000Z', quick: true, only: 'tell', machine };
    mergeResults([row('starweave', 1), row('erlang', 2)], first, dir);
    mergeResults([row('starweave', 3), row('erlang', 4)], second, dir);

    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(Object.keys(meta.runs)).toEqual([second.date]);
    expect(meta.rows['tell|starweave']).toBe(second.date);

    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.map((r: Row) => r.value)).toEqual([3, 4]);
  });
});
