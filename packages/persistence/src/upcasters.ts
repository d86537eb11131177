/**
 * Upcasters: per event type, one function for each step from schema version n to n + 1.
 * Journals stamp new events with the newest version of their type and run the steps on replay,
 * so code reads every stored event in its current shape.
 */
import { invalidArgument, StarweaveError } from '@starweave/actors';

/** Converts a payload of one schema version to the next version of the same event type. */
export type Upcaster = (payload: unknown) => unknown;

/**
 * A registry of upcasters. Register the steps of a type in order, starting from version 1;
 * the newest version of a type is one more than its last step, or 1 when it has none.
 *
 * @example
 * ```ts
 * import { Upcasters } from '@starweave/persistence';
 * // Version 1 of 'deposited' had no currency; version 2 adds one.
 * const upcasters = new Upcasters().register('deposited', 1, (payload) => ({
 *   ...(payload as object),
 *   currency: 'EUR',
 * }));
 * console.log(upcasters.currentVersion('deposited')); // 2
 * ```
 */
export class Upcasters {
  private readonly steps = new Map<string, Upcaster[]>();

  /**
   * Registers `upcast` as the step of `type` from `fromVersion` to `fromVersion + 1`.
   * Steps must come in order: `fromVersion` must equal the type's current newest version.
   */
  register(type: string, fromVersion: number, upcast: Upcaster): this {
    if (typeof type !== 'string' || type.length === 0) {
      invalidArgument('type', 'a non-empty event type', type);
    }
    const steps = this.steps.get(type) ?? [];
    const next = steps.length + 1;
    if (fromVersion !== next) {
      invalidArgument(
        'fromVersion',
        `${next}, the newest version of ${JSON.stringify(type)}`,
        fromVersion,
        'Register the steps of a type in order, starting from version 1.',
      );
    }
    if (typeof upcast !== 'function') {
      invalidArgument('upcast', 'a function from one payload version to the next', upcast);
    }
    steps.push(upcast);
    this.steps.set(type, steps);
    return this;
  }

  /** Returns the newest schema version of `type`: 1 plus its registered steps. */
  currentVersion(type: string): number {
    return (this.steps.get(type)?.length ?? 0) + 1;
  }

  /**
   * Runs the steps that bring `payload` from `version` to the newest version of `type`.
   * Fails with ERR_DECODE when the version is below 1, or newer than any registered for the
   * type, which means that newer code wrote the event.
   */
  upcast(type: string, version: number, payload: unknown): unknown {
    const steps = this.steps.get(type);
    const newest = (steps?.length ?? 0) + 1;
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new StarweaveError(
        'ERR_DECODE',
        `event type ${JSON.stringify(type)} has invalid version ${version}: expected an ` +
          'integer from 1.',
        { details: { type, version } },
      );
    }
    if (version > newest) {
      throw new StarweaveError(
        'ERR_DECODE',
        `event type ${JSON.stringify(type)} has version ${version}, newer than the newest ` +
          `known version ${newest}. Register its upcasters or run newer code.`,
        { details: { type, version, newest } },
      );
    }
    let value = payload;
    for (let from = version; from < newest; from++) value = steps![from - 1]!(value);
    return value;
  }
}

/** The registry used when a journal is given none: every type is at version 1. */
export const noUpcasters = new Upcasters();
