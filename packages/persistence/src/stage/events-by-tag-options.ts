/**
 * The options of an events-by-tag producer, with their defaults resolved and checked in one
 * place.
 */
import { invalidArgument } from '@starweave/actors';
import type { Journal } from '../journal.js';
import { checkPositiveInteger, checkSeq, checkTag } from '../validate.js';
import type { OffsetStore } from './offset-store.js';

/** Options of an events-by-tag producer. */
export interface EventsByTagOptions {
  /** The journal to read. */
  journal: Journal;
  /** The tag whose events the producer emits, across every persistence id. */
  tag: string;
  /**
   * The store that acknowledged offsets are committed to and that a start reads the offset to
   * resume from. Default: none, so the producer starts at `startOffset` (or at the offset of a
   * restored checkpoint) each time.
   */
  offsets?: OffsetStore;
  /** The name of the offset in `offsets`; the same across restarts. Required with `offsets`. */
  projectionId?: string;
  /** The offset to start after when none is committed. Default 0, from the first event. */
  startOffset?: number;
  /** How long to wait before reading again once every stored event is emitted, in ms. Default 1000. */
  pollIntervalMs?: number;
  /** The maximum number of events one read returns; further reads meet the rest of the demand. Default 1000. */
  batchSize?: number;
}

/** The options with every default filled in. */
export interface ResolvedEventsByTagOptions {
  readonly journal: Journal;
  readonly tag: string;
  readonly offsets: OffsetStore | undefined;
  readonly projectionId: string | undefined;
  readonly startOffset: number;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
}

/** The default of {@link EventsByTagOptions.pollIntervalMs}. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/** The default of {@link EventsByTagOptions.batchSize}. */
export const DEFAULT_BATCH_SIZE = 1000;

/** Fills in the defaults of `options` and checks each value; fails with ERR_INVALID_ARGUMENT. */
export function resolveEventsByTagOptions(options: unknown): ResolvedEventsByTagOptions {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an object { journal, tag, offsets?, projectionId? }', options);
  }
  const raw = options as EventsByTagOptions;
  const journal = raw.journal as unknown as Record<string, unknown> | null | undefined;
  if (
    journal === null ||
    typeof journal !== 'object' ||
    typeof journal.eventsByTag !== 'function'
  ) {
    invalidArgument('options.journal', 'a Journal such as SqliteJournal or PgJournal', raw.journal);
  }
  const offsets = raw.offsets as unknown as Record<string, unknown> | undefined;
  if (
    offsets !== undefined &&
    (offsets === null || typeof offsets.load !== 'function' || typeof offsets.save !== 'function')
  ) {
    invalidArgument('options.offsets', 'an OffsetStore such as SqliteOffsetStore', raw.offsets);
  }
  if (offsets !== undefined && raw.projectionId === undefined) {
    invalidArgument(
      'options.projectionId',
      'the name of the offset, because offsets is given',
      raw.projectionId,
      "Pass a projectionId such as 'order-totals'.",
    );
  }
  const interval = raw.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
    invalidArgument('options.pollIntervalMs', 'a non-negative number of milliseconds', interval);
  }
  return {
    journal: raw.journal,
    tag: checkTag('options.tag', raw.tag),
    offsets: raw.offsets,
    projectionId:
      raw.projectionId === undefined
        ? undefined
        : checkTag('options.projectionId', raw.projectionId),
    startOffset: checkSeq('options.startOffset', raw.startOffset ?? 0),
    pollIntervalMs: interval,
    batchSize: checkPositiveInteger('options.batchSize', raw.batchSize ?? DEFAULT_BATCH_SIZE),
  };
}
