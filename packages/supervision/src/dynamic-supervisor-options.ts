/**
 * DynamicSupervisor options and child specs: Elixir's `max_children`, `extra_arguments` and
 * restart intensity (defaults 3 restarts in 5 seconds), checked and filled with defaults.
 */
import { invalidArgument, type Pid, type ProcessContext } from '@starweave/actors';
import { type BackoffOptions, RestartBackoff } from './backoff.js';
import type { ChildType, RestartType, ShutdownPolicy } from './child-spec.js';
import { checkIntensity, checkOptionsObject } from './supervisor-options.js';

/** Options of `DynamicSupervisor.startLink`. */
export interface DynamicSupervisorOptions {
  /** Registers the supervisor under this name. */
  name?: string;
  /** The only strategy of a dynamic supervisor; accepted for parity with Elixir. */
  strategy?: 'oneForOne';
  /** See `SupervisorOptions.maxRestarts`. Default 3. */
  maxRestarts?: number;
  /** See `SupervisorOptions.maxSeconds`. Default 5. */
  maxSeconds?: number;
  /** Children that may run at once; `startChild` fails past it. Default `'infinity'`. */
  maxChildren?: number | 'infinity';
  /** Arguments passed to every child's `start` after the context. Default none. */
  extraArguments?: readonly unknown[];
  /** Restart back-off, as `SupervisorOptions.backoff`. Off by default. */
  backoff?: BackoffOptions;
}

/**
 * A child of a dynamic supervisor: started by `start(ctx, ...extraArguments)`, which must start
 * a process linked to `ctx`. The id is optional and not used, as in Elixir.
 */
export interface DynamicChildSpec {
  id?: string;
  start: (ctx: ProcessContext, ...extraArguments: any[]) => Promise<Pid>;
  /** Default `'permanent'`. */
  restart?: RestartType;
  /** Default 5000 ms for workers, `'infinity'` for supervisors. */
  shutdown?: ShutdownPolicy;
  /** Default `'worker'`. */
  type?: ChildType;
}

/** Dynamic supervisor options with defaults filled in. */
export interface ResolvedDynamicOptions {
  readonly name: string | undefined;
  readonly maxRestarts: number;
  readonly maxSeconds: number;
  readonly maxChildren: number;
  readonly extraArguments: readonly unknown[];
  readonly backoff: RestartBackoff | null;
}

/** Checks dynamic supervisor options and fills in the defaults. */
export function resolveDynamicOptions(options: unknown): ResolvedDynamicOptions {
  const raw = checkOptionsObject<DynamicSupervisorOptions>(options);
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.length === 0)) {
    invalidArgument('options.name', 'a non-empty string', raw.name);
  }
  if (raw.strategy !== undefined && raw.strategy !== 'oneForOne') {
    invalidArgument(
      'options.strategy',
      "'oneForOne', the only strategy of a dynamic supervisor",
      raw.strategy,
    );
  }
  const maxChildren = raw.maxChildren ?? 'infinity';
  if (
    maxChildren !== 'infinity' &&
    (typeof maxChildren !== 'number' || !Number.isInteger(maxChildren) || maxChildren < 0)
  ) {
    invalidArgument('options.maxChildren', "a non-negative integer or 'infinity'", maxChildren);
  }
  const extraArguments = raw.extraArguments ?? [];
  if (!Array.isArray(extraArguments)) {
    invalidArgument('options.extraArguments', 'an array of arguments', extraArguments);
  }
  return {
    name: raw.name,
    ...checkIntensity(raw),
    maxChildren: maxChildren === 'infinity' ? Number.POSITIVE_INFINITY : maxChildren,
    extraArguments: [...extraArguments],
    backoff: raw.backoff === undefined ? null : new RestartBackoff(raw.backoff),
  };
}
