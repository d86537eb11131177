/**
 * Runs every TypeScript example of the docs and of the TSDoc `@example` sections as its own
 * test, named after its file and line. Each example is written to a module under
 * docs/test/.generated/ and imported through vitest, so `@starweave/*` resolves to the sources.
 * A block opts out with the fence info `ts no-run`; `timeout=MS` sets its timeout.
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectExamples } from './extract-examples.js';
import { runExampleModule, writeExampleModule } from './run-example.js';

const testDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(testDir, '../..');
// A folder per run, so that two runs at once do not overwrite each other's modules.
const generatedDir = join(testDir, '.generated', `examples-${process.pid}`);

/** Timeout of an example whose fence names none. */
const DEFAULT_TIMEOUT_MS = 15_000;

const examples = collectExamples(root);

afterAll(() => rmSync(generatedDir, { recursive: true, force: true }));

describe('documentation examples', () => {
  it('finds the examples of the package sources', () => {
    expect(examples.some((example) => example.file.startsWith('packages/'))).toBe(true);
  });

  for (const example of examples) {
    const name = `${example.file}:${example.line}`;
    if (!example.run) {
      it.skip(`${name} (no-run)`, () => {});
      continue;
    }

    const path = writeExampleModule(example, generatedDir);
    it(name, () => runExampleModule(path), example.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }
});
