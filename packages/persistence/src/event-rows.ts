/**
 * The conversion between the events that callers append or read and the rows that stores keep:
 * checks and encodes events on append, decodes and upcasts rows on replay.
 */
import { invalidArgument } from '@starweave/actors';
import { decodeStored, encodeStored } from './codec.js';
import type { PersistedEvent } from './journal.js';
import { decodeError, encodeError } from './store-errors.js';
import type { Upcasters } from './upcasters.js';
import { checkEventType, checkTag } from './validate.js';

/** An event checked and encoded for a store. */
export interface EncodedEvent {
  readonly type: string;
  readonly version: number;
  /** The tags, or null when the event has none. */
  readonly tags: readonly string[] | null;
  readonly payload: Uint8Array;
}

const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * Checks the events of one append and encodes their payloads. Fails with
 * ERR_INVALID_ARGUMENT naming the index of a malformed event, and with ERR_ENCODE when a
 * payload cannot be encoded.
 */
export function encodeEvents(
  persistenceId: string,
  events: unknown,
  upcasters: Upcasters,
): EncodedEvent[] {
  if (!Array.isArray(events)) {
    invalidArgument('events', 'an array of { payload, type?, version?, tags? }', events);
  }
  const encoded: EncodedEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    encoded[i] = encodeEvent(persistenceId, events[i], i, upcasters);
  }
  return encoded;
}

function encodeEvent(
  persistenceId: string,
  event: unknown,
  index: number,
  upcasters: Upcasters,
): EncodedEvent {
  const name = `events[${index}]`;
  if (
    typeof event !== 'object' ||
    event === null ||
    (event as { payload?: unknown }).payload === undefined
  ) {
    invalidArgument(name, 'an object with a payload other than undefined', event);
  }
  const { payload, type, version, tags } = event as {
    payload: unknown;
    type?: unknown;
    version?: unknown;
    tags?: unknown;
  };

  const eventType = checkEventType(
    `${name}.type`,
    type === undefined ? typeOfPayload(payload) : type,
  );

  const newest = upcasters.currentVersion(eventType);
  const eventVersion = version ?? newest;
  if (
    typeof eventVersion !== 'number' ||
    !Number.isSafeInteger(eventVersion) ||
    eventVersion < 1 ||
    eventVersion > newest
  ) {
    invalidArgument(
      `${name}.version`,
      `an integer from 1 to ${newest}, the newest version of ${JSON.stringify(eventType)}`,
      version,
      'Register the upcasters of newer versions first.',
    );
  }

  let bytes: Uint8Array;
  try {
    bytes = encodeStored(payload);
  } catch (error) {
    throw encodeError(`${name}.payload of ${JSON.stringify(persistenceId)}`, error);
  }
  return { type: eventType, version: eventVersion, tags: checkTags(name, tags), payload: bytes };
}

function typeOfPayload(payload: unknown): string {
  const type =
    typeof payload === 'object' && payload !== null
      ? (payload as { type?: unknown }).type
      : undefined;
  return typeof type === 'string' ? type : '';
}

function checkTags(name: string, tags: unknown): readonly string[] | null {
  if (tags === undefined) return null;
  if (!Array.isArray(tags)) invalidArgument(`${name}.tags`, 'an array of strings', tags);
  if (tags.length === 0) return null;
  for (let k = 0; k < tags.length; k++) checkTag(`${name}.tags[${k}]`, tags[k]);
  if (new Set(tags).size !== tags.length) {
    invalidArgument(`${name}.tags`, 'distinct tags', tags, 'Remove the repeated tag.');
  }
  return tags.slice() as string[];
}

/**
 * The columns of one stored event, in the order every read query selects them:
 * persistence_id, seq, ordering, type, version, tags, written_at, format, payload. Tags come as
 * an array from PostgreSQL and as JSON text from SQLite.
 */
export type EventRow = [
  persistenceId: string,
  seq: number,
  ordering: number,
  type: string,
  version: number,
  tags: readonly string[] | string | null,
  timestamp: number,
  format: number,
  payload: Uint8Array,
];

/** The columns of {@link EventRow}, for SELECT lists. */
export const EVENT_COLUMNS =
  'persistence_id, seq, ordering, type, version, tags, written_at, format, payload';

/**
 * Decodes the payload of a stored event and upcasts it to the newest version of its type.
 * Fails with ERR_DECODE naming the persistence id and the sequence number.
 */
export function decodeEvent<P>(row: EventRow, upcasters: Upcasters): PersistedEvent<P> {
  const [persistenceId, seq, ordering, type, version, storedTags, timestamp, format, bytes] = row;
  let payload: unknown;
  let tags: readonly string[];
  try {
    payload = upcasters.upcast(type, version, decodeStored(bytes, format));
    tags = readTags(storedTags);
  } catch (error) {
    throw decodeError('event', persistenceId, seq, error);
  }
  return {
    persistenceId,
    seq,
    ordering,
    type,
    version: upcasters.currentVersion(type),
    payload: payload as P,
    tags,
    timestamp,
  };
}

function readTags(stored: readonly string[] | string | null): readonly string[] {
  if (stored === null) return NO_TAGS;
  if (typeof stored !== 'string') return stored;
  const tags: unknown = JSON.parse(stored);
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
    throw new Error(`invalid tags ${JSON.stringify(stored)}: expected a JSON array of strings.`);
  }
  return tags;
}
