/**
 * The routes for events that arrive behind a stage's watermark: a counter only, downstream with
 * the other outputs, or a process that receives them as a side output.
 */
import { type Dest, invalidArgument, Pid } from '@starweave/actors';

/**
 * The route of late events. `'count'` drops them and counts them in the stage's stats,
 * `'emit'` sends them downstream as `{ type: 'late' }` events among the results, and
 * `{ sendTo }` sends each one as a `{ type: 'late' }` message to a pid or registered name.
 */
export type LateOutput = 'count' | 'emit' | { sendTo: Dest };

/** Checks a {@link LateOutput} option and returns it. */
export function checkLateOutput(value: unknown): LateOutput {
  if (value === 'count' || value === 'emit') return value;
  if (value !== null && typeof value === 'object') {
    const sendTo = (value as { sendTo?: unknown }).sendTo;
    if (sendTo instanceof Pid || (typeof sendTo === 'string' && sendTo !== '')) {
      return { sendTo };
    }
  }
  return invalidArgument('options.late', "'count', 'emit' or { sendTo: pid or name }", value);
}
