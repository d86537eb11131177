/**
 * The watermark marker that a source may put into a pattern stage's input: it declares that no
 * later event will be older than its time, so windows up to that time can close.
 */
import { invalidArgument } from '@starweave/actors';

/**
 * A marker in the input of a CEP or window stage. The stage advances its watermark to `time`
 * and does not pass the marker on. Send `new Watermark(Infinity)` to close every window.
 */
export class Watermark {
  readonly type = 'watermark' as const;

  constructor(readonly time: number) {
    if (typeof time !== 'number' || Number.isNaN(time)) {
      invalidArgument('time', 'a number of milliseconds', time);
    }
  }
}

/** Returns whether `value` is a {@link Watermark} marker. */
export function isWatermark(value: unknown): value is Watermark {
  return value instanceof Watermark;
}
