import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/transport/index.js';

async function linesOf(chunks: Array<string | Buffer>, maxLineLength?: number): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  readLines(stream, (line) => lines.push(line), maxLineLength);
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await new Promise((resolve) => stream.on('end', resolve));
  return lines;
}

describe('readLines', () => {
  it('joins lines split across chunks', async () => {
    expect(await linesOf(['hel', 'lo\nwor', 'ld\n'])).toEqual(['hello', 'world']);
  });

  it('strips carriage returns', async () => {
    expect(await linesOf(['a\r\nb\r\n'])).toEqual(['a', 'b']);
  });

  it('emits a last line without newline at the end', async () => {
    expect(await linesOf(['a\nlast'])).toEqual(['a', 'last']);
  });

  it('cuts a line longer than the maximum', async () => {
    expect(await linesOf(['x'.repeat(25), '\n'], 10)).toEqual([
      'x'.repeat(10),
      'x'.repeat(10),
      'xxxxx',
    ]);
  });

  it('keeps a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('é✓\n');
    expect(await linesOf([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual([
      'é✓',
    ]);
  });
});
