/**
 * Child specs: how a supervisor starts, restarts and stops one child, with OTP's defaults and
 * checks (a significant child must not be permanent, nor live under `autoShutdown: 'never'`).
 */
import { describe, invalidArgument, type Pid, type ProcessContext } from '@starweave/actors';

/** When a supervisor restarts a child that exited. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * The way a supervisor stops a child. `'brutalKill'` kills it at once. A number of
 * milliseconds sends a `'shutdown'` exit signal, then kills the child if it has not exited in
 * that time. `'infinity'` sends `'shutdown'` and waits as long as the child takes.
 */
export type ShutdownPolicy = 'brutalKill' | number | 'infinity';

/** Whether a child is a worker or a supervisor of its own subtree. */
export type ChildType = 'worker' | 'supervisor';

/** When a supervisor shuts itself down because significant children ended (OTP 24+). */
export type AutoShutdown = 'never' | 'anySignificant' | 'allSignificant';

/**
 * One child of a supervisor.
 *
 * `start` must start a process linked to `ctx` (the supervisor) and resolve with its pid, as
 * `(ctx) => GenServer.startLink(ctx, Spec, arg)` does. It may resolve to `IGNORE`. A thrown
 * error or a rejection is a failed start.
 */
export interface ChildSpec {
  /** The child's id, unique among the children of one supervisor. */
  id: string;
  /** Starts the child linked to `ctx`, the supervisor's process. */
  start: (ctx: ProcessContext) => Promise<Pid>;
  /** When the child is restarted. Default `'permanent'`. */
  restart?: RestartType;
  /** The shutdown policy. Default 5000 ms for workers, `'infinity'` for supervisors. */
  shutdown?: ShutdownPolicy;
  /** Default `'worker'`. */
  type?: ChildType;
  /**
   * Marks a transient or temporary child whose own exit counts towards the supervisor's
   * `autoShutdown`. Default false.
   */
  significant?: boolean;
}

/** A child spec with every default filled in. */
export interface ResolvedChildSpec {
  readonly id: string;
  readonly start: (ctx: ProcessContext, ...extra: unknown[]) => Promise<Pid>;
  readonly restart: RestartType;
  readonly shutdown: ShutdownPolicy;
  readonly type: ChildType;
  readonly significant: boolean;
}

const RESTART_TYPES: readonly string[] = ['permanent', 'transient', 'temporary'];
const CHILD_TYPES: readonly string[] = ['worker', 'supervisor'];

/** Checks a shutdown value and returns it; `where` names the argument in the error. */
export function checkShutdown(value: unknown, where: string): ShutdownPolicy {
  if (value === 'brutalKill' || value === 'infinity') return value;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  return invalidArgument(
    where,
    "'brutalKill', 'infinity' or a non-negative number of milliseconds",
    value,
  );
}

/**
 * Checks a child spec and fills in its defaults. `where` names the argument in errors, such as
 * `children[2]`; `requireId` is false for dynamic supervisors, whose children have no id.
 */
export function resolveChildSpec(
  spec: unknown,
  where: string,
  requireId = true,
): ResolvedChildSpec {
  if (spec === null || typeof spec !== 'object') {
    return invalidArgument(where, 'a child spec object { id, start, ... }', spec);
  }
  const raw = spec as Record<string, unknown>;

  const id = raw.id;
  if (requireId && (typeof id !== 'string' || id.length === 0)) {
    invalidArgument(`${where}.id`, 'a non-empty string', id);
  }
  if (!requireId && id !== undefined && typeof id !== 'string') {
    invalidArgument(`${where}.id`, 'a string or undefined', id);
  }
  if (typeof raw.start !== 'function') {
    invalidArgument(
      `${where}.start`,
      'a function (ctx) => Promise<Pid> that starts a process linked to ctx',
      raw.start,
      'For a GenServer write start: (ctx) => GenServer.startLink(ctx, Spec, arg).',
    );
  }

  const restart = raw.restart ?? 'permanent';
  if (typeof restart !== 'string' || !RESTART_TYPES.includes(restart)) {
    invalidArgument(`${where}.restart`, "'permanent', 'transient' or 'temporary'", restart);
  }
  const type = raw.type ?? 'worker';
  if (typeof type !== 'string' || !CHILD_TYPES.includes(type)) {
    invalidArgument(`${where}.type`, "'worker' or 'supervisor'", type);
  }
  const shutdown = checkShutdown(
    raw.shutdown ?? (type === 'supervisor' ? 'infinity' : 5000),
    `${where}.shutdown`,
  );
  const significant = raw.significant ?? false;
  if (typeof significant !== 'boolean') {
    invalidArgument(`${where}.significant`, 'a boolean', significant);
  }

  return {
    id: (id as string | undefined) ?? '',
    start: raw.start as ResolvedChildSpec['start'],
    restart: restart as RestartType,
    shutdown,
    type: type as ChildType,
    significant,
  };
}

/**
 * Checks the combination of `significant` with the child's restart type and the supervisor's
 * `autoShutdown`, as OTP does: a significant child must be transient or temporary, and a
 * supervisor with `autoShutdown: 'never'` takes no significant child.
 */
export function checkSignificant(
  spec: ResolvedChildSpec,
  autoShutdown: AutoShutdown,
  where: string,
): void {
  if (!spec.significant) return;
  if (spec.restart === 'permanent') {
    invalidArgument(
      `${where}.significant`,
      'false for a permanent child',
      true,
      "A significant child must be 'transient' or 'temporary'.",
    );
  }
  if (autoShutdown === 'never') {
    invalidArgument(
      `${where}.significant`,
      "false under a supervisor with autoShutdown: 'never'",
      true,
      "Set the supervisor's autoShutdown to 'anySignificant' or 'allSignificant'.",
    );
  }
}

/** Checks a list of child specs: each spec, the significant rules and unique ids. */
export function resolveChildSpecs(
  children: unknown,
  autoShutdown: AutoShutdown,
): ResolvedChildSpec[] {
  if (!Array.isArray(children)) {
    return invalidArgument('children', 'an array of child specs', children);
  }
  const seen = new Set<string>();
  return children.map((child, index) => {
    const where = `children[${index}]`;
    const spec = resolveChildSpec(child, where);
    checkSignificant(spec, autoShutdown, where);
    if (seen.has(spec.id)) {
      invalidArgument(
        `${where}.id`,
        'an id not used by an earlier child',
        spec.id,
        `Give each child its own id; ${describe(spec.id)} appears twice.`,
      );
    }
    seen.add(spec.id);
    return spec;
  });
}
