/**
 * EventsByTagProducer: a durable GenStage source of a journal's tagged events. It resumes
 * after the last offset its consumers acknowledged (or the offset of the last completed
 * checkpoint), so a restart loses no event and repeats only those not yet acknowledged.
 */
import type { Caller, Dest, Pid } from '@starweave/actors';
import { GenStage, type StageChildSpec, type StageStartOptions } from '@starweave/stages';
import { checkSeq } from '../validate.js';
import type { EventsByTagOptions } from './events-by-tag-options.js';
import { type AckReply, eventsByTagSpec, type ProducerOffsets } from './events-by-tag-spec.js';
import { AckOffset, OffsetsQuery } from './producer-messages.js';

/**
 * Returns the producer spec, for `GenStage.startLink` or a supervisor's child spec. Its events
 * are the journal's `PersistedEvent`s, in ordering order. Fails with ERR_INVALID_ARGUMENT for
 * bad options.
 */
export function spec<P = unknown>(options: EventsByTagOptions) {
  return eventsByTagSpec<P>(options);
}

/**
 * Starts the producer linked to the caller and resolves with its pid once it has loaded its
 * committed offset. Fails with ERR_START_FAILED when the offset store cannot be read.
 *
 * @example
 * ```ts
 * import { ActorSystem, silentLogger } from '@starweave/actors';
 * import {
 *   EventsByTagProducer,
 *   type PersistedEvent,
 *   SqliteJournal,
 *   SqliteOffsetStore,
 * } from '@starweave/persistence';
 * import { type ConsumerSpec, GenStage } from '@starweave/stages';
 * import Database from 'better-sqlite3';
 *
 * const database = new Database(':memory:');
 * const journal = await SqliteJournal.open({ database });
 * const offsets = await SqliteOffsetStore.open({ database });
 * for (const id of ['order-1', 'order-2', 'order-3']) {
 *   await journal.append(id, [{ payload: { type: 'placed', total: 10 }, tags: ['orders'] }], 0);
 * }
 *
 * // A consumer that adds up the totals and acknowledges each batch once it is counted.
 * let revenue = 0;
 * const Revenue: ConsumerSpec<null, void, PersistedEvent<{ total: number }>> = {
 *   type: 'consumer',
 *   init: () => ({ state: null, subscribeTo: ['orders'] }),
 *   handleEvents: async (events, _from, state, self) => {
 *     for (const event of events) revenue += event.payload.total;
 *     await EventsByTagProducer.ack(self, 'orders', events[events.length - 1]!.ordering);
 *     return { state };
 *   },
 * };
 *
 * const system = new ActorSystem({ logger: silentLogger });
 * const options = { journal, tag: 'orders', offsets, projectionId: 'revenue', pollIntervalMs: 10 };
 * await EventsByTagProducer.startLink(system, options, { name: 'orders' });
 * await GenStage.startLink(system, Revenue, undefined);
 * while ((await offsets.load('revenue')) !== 3) await new Promise((r) => setTimeout(r, 5));
 * console.assert(revenue === 30);
 * await system.shutdown();
 * await offsets.close();
 * await journal.close();
 * database.close();
 * ```
 */
export function startLink(
  caller: Caller,
  options: EventsByTagOptions,
  startOptions: StageStartOptions = {},
): Promise<Pid> {
  return GenStage.startLink(caller, eventsByTagSpec(options), undefined, startOptions);
}

/**
 * Returns a child spec that starts the producer under a supervisor. Give it a registered
 * name, so that consumers find the restarted producer.
 */
export function childSpec(
  id: string,
  options: EventsByTagOptions,
  startOptions: StageStartOptions & Omit<StageChildSpec, 'id' | 'start'> = {},
): StageChildSpec {
  return GenStage.childSpec(id, eventsByTagSpec(options), undefined, startOptions);
}

/**
 * Acknowledges every event up to `offset` (the `ordering` of the last event done) and commits
 * it to the offset store. Resolves with the committed offset once it is stored. An offset at
 * or below the committed one changes nothing. Fails with ERR_INVALID_ARGUMENT for an offset
 * past the last event emitted, with the store's error when the commit fails (the producer
 * keeps running and the offset stays), and as `GenStage.call` fails otherwise.
 *
 * One offset covers every event up to it. So with several consumers, acknowledge from one
 * place that tracks what all of them have done, or use checkpoints.
 */
export async function ack(
  caller: Caller,
  producer: Dest,
  offset: number,
  timeoutMs: number | 'infinity' = 5000,
): Promise<number> {
  checkSeq('offset', offset);
  const reply = await GenStage.call<AckReply>(caller, producer, new AckOffset(offset), timeoutMs);
  if ('error' in reply) throw reply.error;
  return reply.committed;
}

/** Returns the last offset the producer emitted and the one it committed. */
export function offsets(
  caller: Caller,
  producer: Dest,
  timeoutMs: number | 'infinity' = 5000,
): Promise<ProducerOffsets> {
  return GenStage.call<ProducerOffsets>(caller, producer, new OffsetsQuery(), timeoutMs);
}

export type { EventsByTagOptions as Options } from './events-by-tag-options.js';
export type { EventsByTagState as State, ProducerOffsets } from './events-by-tag-spec.js';
