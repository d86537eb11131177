/**
 * Exit reasons: why a process ended, as one union shared by every package.
 */

/**
 * Why a process ended. `'kill'` is the untrappable signal; processes linked to a killed process
 * see `'killed'`. `'normal'`, `'shutdown'` and `{ shutdown: value }` are the normal reasons
 * that a transient child is not restarted for.
 */
export type Reason =
  | 'normal'
  | 'shutdown'
  | { shutdown: unknown }
  | 'kill'
  | 'killed'
  | 'noproc'
  | 'noconnection'
  | 'timeout'
  | Error;

/** Returns true for `{ shutdown: value }`. */
export function isShutdownTuple(reason: unknown): reason is { shutdown: unknown } {
  return (
    typeof reason === 'object' &&
    reason !== null &&
    !(reason instanceof Error) &&
    Object.hasOwn(reason, 'shutdown')
  );
}

/**
 * Returns true for the reasons OTP treats as a clean end: `'normal'`, `'shutdown'` and
 * `{ shutdown: value }`. No crash report is logged for them and transient children stay down.
 */
export function isNormalReason(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || isShutdownTuple(reason);
}

/** Returns true when `value` is a valid {@link Reason}. */
export function isReason(value: unknown): value is Reason {
  switch (value) {
    case 'normal':
    case 'shutdown':
    case 'kill':
    case 'killed':
    case 'noproc':
    case 'noconnection':
    case 'timeout':
      return true;
    default:
      return value instanceof Error || isShutdownTuple(value);
  }
}

/** Formats a reason for logs and error messages. */
export function formatReason(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  if (isShutdownTuple(reason)) {
    let inner: string;
    try {
      inner = JSON.stringify(reason.shutdown) ?? String(reason.shutdown);
    } catch {
      inner = String(reason.shutdown);
    }
    return `{shutdown, ${inner}}`;
  }
  return String(reason);
}
