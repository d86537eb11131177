/**
 * Restart back-off, an addition to OTP: a child that keeps crashing is restarted after delays
 * that grow exponentially, with jitter and a cap. A child that stayed up for `resetAfterMs`
 * starts again from the first delay.
 */
import { invalidArgument } from '@starweave/actors';

/** Options of the restart back-off; every field has a default. */
export interface BackoffOptions {
  /** Delay before the first restart, in milliseconds. Default 100. */
  initialMs?: number;
  /** Largest delay, in milliseconds, jitter included. Default 30,000. */
  maxMs?: number;
  /** Growth of the delay per consecutive restart. Default 2. */
  factor?: number;
  /**
   * Spread of the delay: each delay is multiplied by a random value in
   * `[1 - jitter, 1 + jitter]`. Between 0 and 1; default 0.2.
   */
  jitter?: number;
  /** Uptime after which a child's next restart uses `initialMs` again. Default `maxMs`. */
  resetAfterMs?: number;
  /** Random source in [0, 1) for the jitter, so a test can fix it. Default `Math.random`. */
  random?: () => number;
}

/** Per-child back-off state, kept on the child's record. */
export interface BackoffState {
  /** Consecutive restarts since the child last stayed up for `resetAfterMs`. */
  attempts: number;
  /** When the child last started, on the system clock. */
  startedAt: number;
}

function checkNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidArgument(`options.backoff.${name}`, 'a non-negative number', value);
  }
  return value;
}

/** Computes restart delays from {@link BackoffOptions}. */
export class RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions) {
    if (options === null || typeof options !== 'object') {
      invalidArgument(
        'options.backoff',
        'an object such as { initialMs: 100, maxMs: 30000 }',
        options,
      );
    }
    this.initialMs = checkNonNegative('initialMs', options.initialMs ?? 100);
    this.maxMs = checkNonNegative('maxMs', options.maxMs ?? 30_000);
    if (this.maxMs < this.initialMs) {
      invalidArgument(
        'options.backoff.maxMs',
        `at least initialMs (${this.initialMs})`,
        this.maxMs,
      );
    }
    const factor = options.factor ?? 2;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
      invalidArgument('options.backoff.factor', 'a number of at least 1', factor);
    }
    this.factor = factor;
    const jitter = options.jitter ?? 0.2;
    if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
      invalidArgument('options.backoff.jitter', 'a number between 0 and 1', jitter);
    }
    this.jitter = jitter;
    this.resetAfterMs = checkNonNegative('resetAfterMs', options.resetAfterMs ?? this.maxMs);
    const random = options.random ?? Math.random;
    if (typeof random !== 'function') {
      invalidArgument('options.backoff.random', 'a function returning a number in [0, 1)', random);
    }
    this.random = random;
  }

  /**
   * Returns the delay before the next restart of a child with `state`, at `nowMs`, and counts
   * the attempt. After an exit (`afterExit`), a child that ran for `resetAfterMs` or longer
   * starts from `initialMs` again; a retry after a failed start never resets.
   */
  next(state: BackoffState, nowMs: number, afterExit: boolean): number {
    if (afterExit && nowMs - state.startedAt >= this.resetAfterMs) state.attempts = 0;
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** state.attempts);
    state.attempts++;
    const spread = 1 + this.jitter * (2 * this.random() - 1);
    return Math.min(this.maxMs, Math.max(0, Math.round(base * spread)));
  }
}
