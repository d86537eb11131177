/** Tests for finding ts blocks in Markdown and `@example` sections in TSDoc comments. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  collectExamples,
  extractMarkdownExamples,
  extractTsdocExamples,
  findExampleSources,
  parseFenceInfo,
} from './extract-examples.js';

const md = (...lines: string[]) => lines.join('\n');

describe('parseFenceInfo', () => {
  it('reads the language in lower case', () => {
    expect(parseFenceInfo('TypeScript').language).toBe('typescript');
  });

  it('marks no-run blocks', () => {
    expect(parseFenceInfo('ts no-run').run).toBe(false);
  });

  it('reads timeout=MS', () => {
    expect(parseFenceInfo('ts timeout=30000').timeoutMs).toBe(30_000);
  });

  it('throws on a timeout that is not a positive integer', () => {
    expect(() => parseFenceInfo('ts timeout=fast')).toThrow('positive integer');
  });
});

describe('extractMarkdownExamples', () => {
  it('finds a ts block with the line of its fence', () => {
    const text = md('# Title', '', '```ts', 'const a = 1;', 'const b = 2;', '```', 'after');
    expect(extractMarkdownExamples(text, 'README.md')).toEqual([
      {
        file: 'README.md',
        line: 3,
        code: 'const a = 1;\nconst b = 2;',
        run: true,
        timeoutMs: undefined,
      },
    ]);
  });

  it('finds typescript blocks and ignores other languages', () => {
    const text = md(
      '```js',
      'js();',
      '```',
      '```typescript',
      'ts();',
      '```',
      '```',
      'plain',
      '```',
    );
    const found = extractMarkdownExamples(text, 'a.md');
    expect(found.map((example) => example.code)).toEqual(['ts();']);
  });

  it('keeps no-run blocks with run false', () => {
    const found = extractMarkdownExamples(md('```ts no-run', 'declare const x: 1;', '```'), 'a.md');
    expect(found[0]?.run).toBe(false);
  });

  it('accepts tilde fences', () => {
    const found = extractMarkdownExamples(md('~~~ts', 'tilde();', '~~~'), 'a.md');
    expect(found[0]?.code).toBe('tilde();');
  });

  it('does not close a long fence on a shorter one', () => {
    const text = md('````ts', 'const s = `', '```', '`;', '````');
    const found = extractMarkdownExamples(text, 'a.md');
    expect(found[0]?.code).toBe('const s = `\n```\n`;');
  });

  it('removes the indentation of a fence inside a list item', () => {
    const text = md('1. Step', '   ```ts', '   const x = 1;', '     nested();', '   ```');
    const found = extractMarkdownExamples(text, 'a.md');
    expect(found[0]?.code).toBe('const x = 1;\n  nested();');
  });

  it('runs an unclosed fence to the end of the text', () => {
    const found = extractMarkdownExamples(md('```ts', 'open();'), 'a.md');
    expect(found[0]?.code).toBe('open();');
  });

  it('does not treat a code span with backticks as a fence', () => {
    const found = extractMarkdownExamples(
      md('```ts`x`', 'text', '```ts', 'real();', '```'),
      'a.md',
    );
    expect(found.map((example) => example.line)).toEqual([3]);
  });
});

describe('extractTsdocExamples', () => {
  it('finds a fenced example with the line of its fence', () => {
    const source = [
      '/**',
      ' * Adds numbers.',
      ' * @example',
      ' * ```ts',
      ' * const sum = add(1, 2);',
      ' *   console.assert(sum === 3);',
      ' * ```',
      ' */',
      'export function add(a: number, b: number) { return a + b; }',
    ].join('\n');
    expect(extractTsdocExamples(source, 'src/add.ts')).toEqual([
      {
        file: 'src/add.ts',
        line: 4,
        code: 'const sum = add(1, 2);\n  console.assert(sum === 3);',
        run: true,
        timeoutMs: undefined,
      },
    ]);
  });

  it('ends an example at the next block tag', () => {
    const source = ['/**', ' * @example', ' * run();', ' * @param a the first', ' */'].join('\n');
    expect(extractTsdocExamples(source, 'a.ts').map((example) => example.code)).toEqual(['run();']);
  });

  it('takes an unfenced example as code and its tag line as a title', () => {
    const source = ['/**', ' * @example Basic use', ' * run();', ' * stop();', ' */'].join('\n');
    const found = extractTsdocExamples(source, 'a.ts');
    expect(found).toEqual([
      { file: 'a.ts', line: 2, code: 'run();\nstop();', run: true, timeoutMs: undefined },
    ]);
  });

  it('keeps a decorator line inside a fence', () => {
    const source = [
      '/**',
      ' * @example',
      ' * ```ts',
      ' * @sealed',
      ' * class A {}',
      ' * ```',
      ' */',
    ].join('\n');
    expect(extractTsdocExamples(source, 'a.ts')[0]?.code).toBe('@sealed\nclass A {}');
  });

  it('finds each example of several comments', () => {
    const comment = (body: string) => ['/**', ' * @example', ` * ${body}`, ' */'].join('\n');
    const source = [comment('one();'), 'const x = 1;', comment('two();')].join('\n');
    const found = extractTsdocExamples(source, 'a.ts');
    expect(found.map((example) => [example.line, example.code])).toEqual([
      [2, 'one();'],
      [7, 'two();'],
    ]);
  });

  it('ignores comments without an example', () => {
    expect(extractTsdocExamples('/** Just text. */\nexport const a = 1;', 'a.ts')).toEqual([]);
  });
});

describe('findExampleSources', () => {
  const root = mkdtempSync(join(tmpdir(), 'starweave-examples-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const files = [
    'README.md',
    'docs/guide.md',
    'docs/deep/more.md',
    'docs/notes.txt',
    'docs/.generated/skip.md',
    'packages/alpha/README.md',
    'packages/alpha/src/index.ts',
    'packages/alpha/src/types.d.ts',
    'packages/alpha/dist/index.ts',
    'packages/alpha/test/a.test.ts',
    'examples/app/README.md',
  ];
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(
      join(root, file),
      file.endsWith('.md') ? '```ts\nrun();\n```\n' : '/** @example\n * run();\n */\n',
    );
  }

  it('lists the READMEs, the docs and the package sources only', () => {
    expect(findExampleSources(root).sort()).toEqual(
      [
        'README.md',
        'docs/deep/more.md',
        'docs/guide.md',
        'packages/alpha/README.md',
        'packages/alpha/src/index.ts',
      ].sort(),
    );
  });

  it('collects the examples of every listed file', () => {
    expect(
      collectExamples(root)
        .map((example) => example.file)
        .sort(),
    ).toEqual(
      [
        'README.md',
        'docs/deep/more.md',
        'docs/guide.md',
        'packages/alpha/README.md',
        'packages/alpha/src/index.ts',
      ].sort(),
    );
  });
});
