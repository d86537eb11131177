/**
 * Splits a byte stream into lines, for the worker's stdout and stderr. A line longer than the
 * limit is cut there, so one endless line cannot hold all memory.
 */
import { StringDecoder } from 'node:string_decoder';

/** The default longest line in characters before it is cut. */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024;

/** Calls `onLine` for each line of `stream`, and once more for a last line without newline. */
export function readLines(
  stream: NodeJS.ReadableStream,
  onLine: (line: string) => void,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): void {
  const decoder = new StringDecoder('utf8');
  let pending = '';

  const flush = (text: string) => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine(stripCarriageReturn(pending.slice(0, newline)));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    while (pending.length > maxLineLength) {
      onLine(pending.slice(0, maxLineLength));
      pending = pending.slice(maxLineLength);
    }
  };

  stream.on('data', (chunk: Buffer | string) => {
    flush(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  });
  stream.on('end', () => {
    flush(decoder.end());
    if (pending.length > 0) onLine(stripCarriageReturn(pending));
    pending = '';
  });
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
