/**
 * @starweave/stages: GenStage's producers, producer-consumers and consumers on Starweave
 * processes, with demand-driven back-pressure, dispatchers, ConsumerSupervisor, adapters to
 * Node streams and async iterables, and checkpoints for exactly-once results.
 */

export { fromAsyncIterable, type IterableSource } from './adapters/from-async-iterable.js';
export { fromReadable } from './adapters/from-readable.js';
export { type IterableOptions, toAsyncIterable } from './adapters/to-async-iterable.js';
export { type ToWritableOptions, toWritable } from './adapters/to-writable.js';
export type { CheckpointOptions } from './checkpoint/checkpoint-options.js';
export type { CheckpointStore } from './checkpoint/checkpoint-store.js';
export type { CoordinatorOptions, CoordinatorStartOptions } from './checkpoint/coordinator.js';
export * as CheckpointCoordinator from './checkpoint/coordinator.js';
export { MemoryCheckpointStore } from './checkpoint/memory-checkpoint-store.js';
export type { StageChildSpec } from './child-spec.js';
export type {
  ConsumerChild,
  ConsumerChildSpec,
  ConsumerSupervisorOptions,
} from './consumer-supervisor.js';
export * as ConsumerSupervisor from './consumer-supervisor.js';
export type { ConsumerLink, Dispatcher, DispatcherOption, DispatchTarget } from './dispatcher.js';
export { BroadcastDispatcher } from './dispatchers/broadcast-dispatcher.js';
export { DemandDispatcher, type DemandDispatcherOptions } from './dispatchers/demand-dispatcher.js';
export { hashValue } from './dispatchers/hash.js';
export {
  PartitionDispatcher,
  type PartitionDispatcherOptions,
  type PartitionKey,
} from './dispatchers/partition-dispatcher.js';
export { type BufferKeep, EventQueue } from './event-queue.js';
export * as GenStage from './gen-stage.js';
export { Barrier } from './messages.js';
export { type CancelMode, resolveSubscribeOptions, type SubscribeOptions } from './subscription.js';
export type { CheckpointCompleted, EventsDropped } from './telemetry.js';
export type {
  BaseSpec,
  Cancellation,
  ConsumerInit,
  ConsumerInitOptions,
  ConsumerSpec,
  MaybePromise,
  ProducerConsumerInit,
  ProducerConsumerSpec,
  ProducerInit,
  ProducerInitOptions,
  ProducerSpec,
  StageCallResult,
  StageResult,
  StageSpec,
  StageStartOptions,
  StageType,
  StopResult,
  SubscribeResult,
  Subscription,
} from './types.js';
