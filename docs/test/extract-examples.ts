/**
 * Finds the TypeScript examples that the docs and the TSDoc comments show, so that the test
 * suite can run each one: ```ts and ```typescript blocks in Markdown, and `@example` sections
 * of `/** ... *\/` comments in package sources.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One example to run. */
export interface CodeExample {
  /** Path of the file, relative to the repository root, with `/` separators. */
  file: string;
  /** 1-based line of the opening fence (or of the `@example` tag for an unfenced example). */
  line: number;
  /** The example's source, without the fences. */
  code: string;
  /** False when the fence info contains `no-run`. */
  run: boolean;
  /** Per-example timeout from a `timeout=MS` fence attribute. */
  timeoutMs: number | undefined;
}

/** The parts of a fence info string: the language, `no-run` and `timeout=MS`. */
export interface FenceInfo {
  language: string;
  run: boolean;
  timeoutMs: number | undefined;
}

const RUNNABLE_LANGUAGES = new Set(['ts', 'typescript']);

/**
 * Parses a fence info string such as `ts no-run` or `typescript timeout=30000`. Throws on a
 * `timeout=` that is not a positive integer, so a typo cannot pass as the default.
 */
export function parseFenceInfo(info: string): FenceInfo {
  const [language = '', ...attributes] = info.trim().split(/\s+/);
  let run = true;
  let timeoutMs: number | undefined;
  for (const attribute of attributes) {
    if (attribute === 'no-run') run = false;
    if (attribute.startsWith('timeout=')) {
      const value = Number(attribute.slice('timeout='.length));
      if (!Number.isInteger(value) || value <= 0) {
        throw new Error(`fence "${info}": expected timeout=MS with a positive integer`);
      }
      timeoutMs = value;
    }
  }
  return { language: language.toLowerCase(), run, timeoutMs };
}

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/**
 * Extracts the ```ts and ```typescript blocks from Markdown lines. Fences follow CommonMark: at
 * least three backticks or tildes, indented by at most three spaces. The closing fence repeats
 * the same character at least as many times, and a fence left open runs to the end. The opening
 * fence's indentation is removed from the block's lines.
 * @param lines the text's lines
 * @param file the file's path for the result
 * @param firstLine the 1-based line number of `lines[0]` in `file`
 */
export function extractFromMarkdownLines(
  lines: readonly string[],
  file: string,
  firstLine = 1,
): CodeExample[] {
  const examples: CodeExample[] = [];
  let i = 0;
  while (i < lines.length) {
    const opening = OPENING_FENCE.exec(lines[i] ?? '');
    // A backtick fence's info string may not contain backticks (CommonMark 4.5).
    if (opening === null || (opening[2]!.startsWith('`') && opening[3]!.includes('`'))) {
      i += 1;
      continue;
    }

    const [, indent = '', fence = '', info = ''] = opening;
    const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !closing.test(lines[j] ?? '')) {
      body.push(stripIndent(lines[j] ?? '', indent.length));
      j += 1;
    }

    const parsed = parseFenceInfo(info);
    if (RUNNABLE_LANGUAGES.has(parsed.language)) {
      examples.push({
        file,
        line: firstLine + i,
        code: body.join('\n'),
        run: parsed.run,
        timeoutMs: parsed.timeoutMs,
      });
    }
    i = j + 1;
  }
  return examples;
}

function stripIndent(line: string, width: number): string {
  let removed = 0;
  while (removed < width && line[removed] === ' ') removed += 1;
  return line.slice(removed);
}

/** Extracts the ```ts and ```typescript blocks of a Markdown text. */
export function extractMarkdownExamples(text: string, file: string): CodeExample[] {
  return extractFromMarkdownLines(text.split(/\r?\n/), file);
}

/**
 * Extracts the `@example` sections of the TSDoc comments in a TypeScript source. An example
 * runs up to the next block tag (`@param`, `@returns`, ...) or the end of its comment. Fenced
 * ts blocks inside it are the examples. An example without any fence is code as a whole, and
 * text after the tag on its line is its title.
 */
export function extractTsdocExamples(text: string, file: string): CodeExample[] {
  const lines = text.split(/\r?\n/);
  const examples: CodeExample[] = [];

  let i = 0;
  while (i < lines.length) {
    if (!/^\s*\/\*\*/.test(lines[i] ?? '')) {
      i += 1;
      continue;
    }
    // Collect the comment's lines with the leading `/**`, ` * ` and trailing `*/` removed.
    const start = i;
    const content: string[] = [];
    for (;;) {
      const raw = lines[i] ?? '';
      const ends = raw.includes('*/');
      content.push(stripCommentLine(raw));
      i += 1;
      if (ends || i >= lines.length) break;
    }
    examples.push(...examplesInComment(content, file, start + 1));
  }
  return examples;
}

function stripCommentLine(raw: string): string {
  return raw
    .replace(/\*\/.*$/, '')
    .replace(/^\s*\/\*\*\s?/, '')
    .replace(/^\s*\* ?/, '')
    .replace(/^\s*\*$/, '')
    .trimEnd();
}

function examplesInComment(content: string[], file: string, firstLine: number): CodeExample[] {
  const examples: CodeExample[] = [];
  let k = 0;
  while (k < content.length) {
    if (!/^\s*@example\b/.test(content[k] ?? '')) {
      k += 1;
      continue;
    }

    const tagLine = k;
    let end = k + 1;
    let inFence = false;
    // A block tag ends the example, except inside a fence, where `@` may start a decorator.
    while (end < content.length) {
      const line = content[end] ?? '';
      if (OPENING_FENCE.test(line)) inFence = !inFence;
      if (!inFence && /^\s*@[a-zA-Z]/.test(line)) break;
      end += 1;
    }

    const body = content.slice(tagLine + 1, end);
    const fenced = extractFromMarkdownLines(body, file, firstLine + tagLine + 1);
    const hasFence = body.some((line) => OPENING_FENCE.test(line));
    if (hasFence) {
      examples.push(...fenced);
    } else if (body.some((line) => line !== '')) {
      examples.push({
        file,
        line: firstLine + tagLine,
        code: body.join('\n').trim(),
        run: true,
        timeoutMs: undefined,
      });
    }
    k = end;
  }
  return examples;
}

/**
 * Lists the files whose examples run, relative to `root`: README.md, docs/**\/*.md,
 * packages/*\/README.md and packages/*\/src/**\/*.ts (declaration files excluded). Folders
 * named node_modules, dist or starting with a dot are skipped.
 */
export function findExampleSources(root: string): string[] {
  const files: string[] = [];
  const add = (path: string) => files.push(relative(root, path).split('\\').join('/'));

  if (isFile(join(root, 'README.md'))) add(join(root, 'README.md'));
  for (const path of walk(join(root, 'docs'))) if (path.endsWith('.md')) add(path);

  const packagesDir = join(root, 'packages');
  for (const name of listDir(packagesDir).sort()) {
    const readme = join(packagesDir, name, 'README.md');
    if (isFile(readme)) add(readme);
    for (const path of walk(join(packagesDir, name, 'src'))) {
      if (path.endsWith('.ts') && !path.endsWith('.d.ts')) add(path);
    }
  }
  return files;
}

/** Collects every example of the files that findExampleSources lists. */
export function collectExamples(root: string): CodeExample[] {
  return findExampleSources(root).flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    return file.endsWith('.md')
      ? extractMarkdownExamples(text, file)
      : extractTsdocExamples(text, file);
  });
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function* walk(dir: string): Generator<string> {
  for (const name of listDir(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
