/**
 * Supervisor options: the restart strategy, the restart intensity, automatic shutdown and the
 * optional restart back-off, checked and filled with defaults.
 */
import { checkTimeout, invalidArgument } from '@starweave/actors';
import { type BackoffOptions, RestartBackoff } from './backoff.js';
import type { AutoShutdown } from './child-spec.js';

/**
 * The children a supervisor restarts when one exits and is to be restarted: only that child
 * (`oneForOne`), every child (`oneForAll`), or that child and every child started after it
 * (`restForOne`).
 */
export type Strategy = 'oneForOne' | 'oneForAll' | 'restForOne';

/** Options of `Supervisor.startLink`. */
export interface SupervisorOptions {
  /** Registers the supervisor under this name. */
  name?: string;
  /** Default `'oneForOne'`. */
  strategy?: Strategy;
  /**
   * With `maxSeconds`, the restart intensity: more than `maxRestarts` restarts within
   * `maxSeconds` make the supervisor stop its children and exit with `'shutdown'`. Default 3.
   */
  maxRestarts?: number;
  /** The intensity window in seconds, measured on the system clock. Default 5. */
  maxSeconds?: number;
  /** When significant children ending shut the supervisor down. Default `'never'`. */
  autoShutdown?: AutoShutdown;
  /**
   * Delays restarts exponentially, with jitter and a cap. Off by default; restarts are then
   * immediate, as in OTP. Intensity counting is the same either way.
   */
  backoff?: BackoffOptions;
  /** Fails the start with ERR_CALL_TIMEOUT when starting the children takes longer. */
  timeoutMs?: number | 'infinity';
}

/** Supervisor options with defaults filled in. */
export interface ResolvedSupervisorOptions {
  readonly name: string | undefined;
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly maxSeconds: number;
  readonly autoShutdown: AutoShutdown;
  readonly backoff: RestartBackoff | null;
  readonly timeoutMs: number | 'infinity';
}

const STRATEGIES: readonly string[] = ['oneForOne', 'oneForAll', 'restForOne'];
const AUTO_SHUTDOWNS: readonly string[] = ['never', 'anySignificant', 'allSignificant'];

/** Checks the intensity options shared by Supervisor and DynamicSupervisor. */
export function checkIntensity(options: { maxRestarts?: unknown; maxSeconds?: unknown }): {
  maxRestarts: number;
  maxSeconds: number;
} {
  const maxRestarts = options.maxRestarts ?? 3;
  if (typeof maxRestarts !== 'number' || !Number.isInteger(maxRestarts) || maxRestarts < 0) {
    invalidArgument('options.maxRestarts', 'a non-negative integer', maxRestarts);
  }
  const maxSeconds = options.maxSeconds ?? 5;
  if (typeof maxSeconds !== 'number' || !Number.isFinite(maxSeconds) || maxSeconds <= 0) {
    invalidArgument('options.maxSeconds', 'a positive number of seconds', maxSeconds);
  }
  return { maxRestarts, maxSeconds };
}

/** Checks an options object argument and returns it, or an empty object for undefined. */
export function checkOptionsObject<T extends object>(options: unknown): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    return invalidArgument('options', 'an options object', options);
  }
  return options as Partial<T>;
}

/** Checks supervisor options and fills in the defaults. */
export function resolveSupervisorOptions(options: unknown): ResolvedSupervisorOptions {
  const raw = checkOptionsObject<SupervisorOptions>(options);
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.length === 0)) {
    invalidArgument('options.name', 'a non-empty string', raw.name);
  }
  const strategy = raw.strategy ?? 'oneForOne';
  if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy)) {
    invalidArgument('options.strategy', "'oneForOne', 'oneForAll' or 'restForOne'", strategy);
  }
  const autoShutdown = raw.autoShutdown ?? 'never';
  if (typeof autoShutdown !== 'string' || !AUTO_SHUTDOWNS.includes(autoShutdown)) {
    invalidArgument(
      'options.autoShutdown',
      "'never', 'anySignificant' or 'allSignificant'",
      autoShutdown,
    );
  }
  const { maxRestarts, maxSeconds } = checkIntensity(raw);
  return {
    name: raw.name,
    strategy: strategy as Strategy,
    maxRestarts,
    maxSeconds,
    autoShutdown: autoShutdown as AutoShutdown,
    backoff: raw.backoff === undefined ? null : new RestartBackoff(raw.backoff),
    timeoutMs: checkTimeout('options.timeoutMs', raw.timeoutMs ?? 'infinity'),
  };
}
