/** Tests for running one example module: failures, console.assert and top-level await. */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CodeExample } from './extract-examples.js';
import { runExampleModule, writeExampleModule } from './run-example.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '.generated', `unit-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let line = 0;
function example(code: string): string {
  line += 1;
  const block: CodeExample = { file: 'docs/x.md', line, code, run: true, timeoutMs: undefined };
  return writeExampleModule(block, dir);
}

describe('runExampleModule', () => {
  it('resolves for an example that runs to its end', async () => {
    await expect(runExampleModule(example('const x: number = 1;\nconsole.log(x);'))).resolves.toBe(
      undefined,
    );
  });

  it('rejects with what an example throws', async () => {
    await expect(runExampleModule(example("throw new RangeError('bad');"))).rejects.toThrow(
      RangeError,
    );
  });

  it('rejects when a console.assert is false', async () => {
    const path = example("console.assert(1 + 1 === 3, 'arithmetic', 2);");
    await expect(runExampleModule(path)).rejects.toThrow('console.assert failed: arithmetic 2');
  });

  it('waits for top-level await and its rejection', async () => {
    const code = "await new Promise((r) => setTimeout(r, 5));\nthrow new Error('late');";
    await expect(runExampleModule(example(code))).rejects.toThrow('late');
  });

  it('resolves @starweave imports to the package sources', async () => {
    const code = [
      "import { Pid } from '@starweave/actors';",
      "console.assert(new Pid('local', 3).toString() === '<0.3.0>');",
    ].join('\n');
    await expect(runExampleModule(example(code))).resolves.toBe(undefined);
  });

  it('restores console.assert afterwards', async () => {
    const before = console.assert;
    await runExampleModule(example('console.assert(true);'));
    expect(console.assert).toBe(before);
  });
});
