/**
 * Subscription options and their checks: demand bounds, the cancel mode, and the options a
 * producer's dispatcher reads (partition, selector).
 */
import { type Dest, invalidArgument, Pid } from '@starweave/actors';

/**
 * What a consumer does when its producer cancels the subscription or exits: `'permanent'`
 * exits with the same reason, `'transient'` exits only when the reason is abnormal, and
 * `'temporary'` never exits.
 */
export type CancelMode = 'permanent' | 'transient' | 'temporary';

/** Options of one subscription, given by the consumer. */
export interface SubscribeOptions<E = any> {
  /** The producer: a pid or a registered name. */
  to: Dest;
  /** The most events in flight for this subscription. Default 1000. */
  maxDemand?: number;
  /** The consumer asks again once this many or fewer are in flight. Default `maxDemand / 2`. */
  minDemand?: number;
  /** What happens to the consumer when the subscription ends. Default `'permanent'`. */
  cancel?: CancelMode;
  /** The partition to receive from a producer with a partition dispatcher. */
  partition?: string | number;
  /** With a broadcast dispatcher, receives only the events for which this returns true. */
  selector?: (event: E) => boolean;
  /** Other options reach the producer's `handleSubscribe` unchanged. */
  [option: string]: unknown;
}

/** Subscribe options with their defaults filled in. */
export interface ResolvedSubscribeOptions extends SubscribeOptions {
  maxDemand: number;
  minDemand: number;
  cancel: CancelMode;
}

const CANCEL_MODES: readonly string[] = ['permanent', 'transient', 'temporary'];

/**
 * Checks subscribe options and fills in the defaults of GenStage: `maxDemand` 1000 and
 * `minDemand` half of it, rounded down. A bare pid or name subscribes with the defaults.
 */
export function resolveSubscribeOptions(
  input: unknown,
  where = 'options',
): ResolvedSubscribeOptions {
  const raw: Record<string, unknown> =
    input instanceof Pid || typeof input === 'string'
      ? { to: input }
      : (input as Record<string, unknown>);
  if (raw === null || typeof raw !== 'object') {
    return invalidArgument(
      where,
      'subscribe options { to, maxDemand?, minDemand?, cancel? }',
      input,
    );
  }
  if (!(raw.to instanceof Pid) && (typeof raw.to !== 'string' || raw.to.length === 0)) {
    invalidArgument(`${where}.to`, 'the producer as a Pid or a registered name', raw.to);
  }

  const maxDemand = raw.maxDemand ?? 1000;
  if (!Number.isInteger(maxDemand) || (maxDemand as number) < 1) {
    invalidArgument(`${where}.maxDemand`, 'an integer of at least 1', maxDemand);
  }
  const max = maxDemand as number;
  const minDemand = raw.minDemand ?? Math.floor(max / 2);
  if (!Number.isInteger(minDemand) || (minDemand as number) < 0 || (minDemand as number) >= max) {
    invalidArgument(
      `${where}.minDemand`,
      `an integer from 0 to maxDemand - 1 (${max - 1})`,
      minDemand,
      'Lower minDemand or raise maxDemand.',
    );
  }
  const cancel = raw.cancel ?? 'permanent';
  if (typeof cancel !== 'string' || !CANCEL_MODES.includes(cancel)) {
    invalidArgument(`${where}.cancel`, "'permanent', 'transient' or 'temporary'", cancel);
  }
  if (raw.selector !== undefined && typeof raw.selector !== 'function') {
    invalidArgument(`${where}.selector`, 'a function (event) => boolean', raw.selector);
  }
  if (
    raw.partition !== undefined &&
    typeof raw.partition !== 'string' &&
    typeof raw.partition !== 'number'
  ) {
    invalidArgument(`${where}.partition`, 'a partition name or number', raw.partition);
  }

  return {
    ...raw,
    to: raw.to as Dest,
    maxDemand: max,
    minDemand: minDemand as number,
    cancel: cancel as CancelMode,
  };
}
