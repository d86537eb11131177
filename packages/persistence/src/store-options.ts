/**
 * Options that every journal and snapshot store takes, whatever its database, with their
 * defaults resolved in one place.
 */
import { invalidArgument, type Logger, silentLogger } from '@starweave/actors';
import { noUpcasters, Upcasters } from './upcasters.js';
import { checkPositiveInteger } from './validate.js';

/** A source of wall-clock time for the timestamps stored with events and snapshots. */
export interface WallClock {
  /** Returns the current time in milliseconds since the Unix epoch. */
  now(): number;
}

/** Options shared by every store. */
export interface StoreOptions {
  /** The logger of failures and retries. Default: a logger that drops every entry. */
  logger?: Logger;
  /** The time stamped on events and snapshots. Default: `Date.now`. */
  clock?: WallClock;
  /** The number of rows that one read query fetches while replaying. Default 1000. */
  pageSize?: number;
}

/** Options shared by every journal. */
export interface JournalOptions extends StoreOptions {
  /** The upcasters applied on replay. Default: none, so every type is at version 1. */
  upcasters?: Upcasters;
}

/** The default of {@link StoreOptions.pageSize}. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Store options with every default filled in. */
export interface ResolvedStoreOptions {
  readonly logger: Logger;
  readonly clock: WallClock;
  readonly pageSize: number;
  readonly upcasters: Upcasters;
}

const systemClock: WallClock = { now: () => Date.now() };

/** Fills in the defaults of `options` and checks the values given. */
export function resolveStoreOptions(options: JournalOptions): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('options', 'an object', options);
  }
  const { logger, clock, upcasters } = options;
  if (logger !== undefined && typeof logger?.log !== 'function') {
    invalidArgument('logger', 'a Logger with a log(level, event, fields) method', logger);
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    invalidArgument('clock', 'an object with a now() method', clock);
  }
  if (upcasters !== undefined && !(upcasters instanceof Upcasters)) {
    invalidArgument('upcasters', 'an Upcasters registry', upcasters);
  }
  return {
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    pageSize: checkPositiveInteger('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE),
    upcasters: options.upcasters ?? noUpcasters,
  };
}
