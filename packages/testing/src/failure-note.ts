/**
 * Appends notes (a seed, a trace) to the message of an error that ends a test, so the runner
 * prints them with the failure.
 */

/**
 * Appends `note` to `error`'s message on a line of its own and returns the error. A thrown
 * value that is not an Error is wrapped in one, with the value as `cause`.
 */
export function appendToMessage(error: unknown, note: string): Error {
  const target =
    error instanceof Error
      ? error
      : new Error(`non-Error value thrown: ${String(error)}`, { cause: error });
  try {
    target.message = `${target.message}\n\n${note}`;
  } catch {
    // A frozen error keeps its message; the note then rides on a wrapper.
    return new Error(`${target.message}\n\n${note}`, { cause: target });
  }
  // The stack captured the old message; Node and vitest print `stack`, so it must carry the note.
  if (typeof target.stack === 'string' && !target.stack.includes(note)) {
    const firstFrame = target.stack.indexOf('\n    at ');
    target.stack =
      firstFrame === -1
        ? `${target.name}: ${target.message}`
        : `${target.name}: ${target.message}${target.stack.slice(firstFrame)}`;
  }
  return target;
}
