/**
 * Runs one example module through vitest's module loader, with console.assert made to throw so
 * that an example's stated facts are checked, and with its console output dropped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { vi } from 'vitest';
import type { CodeExample } from './extract-examples.js';

/**
 * Writes `example` as a module in `dir` and returns its path. The module ends with `export {}`
 * so that it is a module even when the example imports nothing, which keeps its top-level
 * await and declarations local to it.
 */
export function writeExampleModule(example: CodeExample, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const slug = example.file.replace(/[^a-zA-Z0-9]+/g, '-');
  const path = join(dir, `${slug}-${example.line}.ts`);
  const header = `// Example from ${example.file}:${example.line}\n`;
  writeFileSync(path, `${header}${example.code}\nexport {};\n`);
  return path;
}

/**
 * Imports the module at `path` and resolves when it has run, top-level awaits included.
 * Rejects with what the example threw; a false console.assert throws an Error whose message
 * starts with `console.assert failed`. Restores console afterwards.
 * NOTE: a console.assert in a callback that runs after the module has finished (a process
 * handler, a timer) throws outside the test and is not attributed to it.
 */
export async function runExampleModule(path: string): Promise<void> {
  const spies = [
    vi.spyOn(console, 'assert').mockImplementation((condition?: boolean, ...data: unknown[]) => {
      if (!condition) throw new Error(`console.assert failed: ${format(...data)}`.trim());
    }),
    vi.spyOn(console, 'log').mockImplementation(() => {}),
    vi.spyOn(console, 'info').mockImplementation(() => {}),
  ];
  try {
    await import(/* @vite-ignore */ pathToFileURL(path).href);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
