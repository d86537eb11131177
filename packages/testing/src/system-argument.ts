/**
 * Checks of the system argument that the kit's functions take: an ActorSystem, or where
 * stated a TestSystem.
 */
import { type ActorSystem, invalidArgument } from '@starweave/actors';
import type { TestSystem } from './test-system.js';

/** Fails with ERR_INVALID_ARGUMENT unless `system` is an ActorSystem. */
export function checkSystem(system: unknown): asserts system is ActorSystem {
  if (
    system === null ||
    typeof system !== 'object' ||
    typeof (system as ActorSystem).setSendInterceptor !== 'function'
  ) {
    invalidArgument('system', 'an ActorSystem (for a TestSystem, pass t.system)', system);
  }
}

/** Returns the ActorSystem of a TestSystem, or `system` itself after checking it. */
export function toActorSystem(system: ActorSystem | TestSystem): ActorSystem {
  if (system !== null && typeof system === 'object' && 'seed' in system && 'system' in system) {
    return system.system;
  }
  if (
    system === null ||
    typeof system !== 'object' ||
    typeof (system as ActorSystem).setSendInterceptor !== 'function'
  ) {
    invalidArgument('system', 'an ActorSystem or a TestSystem', system);
  }
  return system as ActorSystem;
}
