/**
 * @starweave/stages: GenStage's producers, producer-consumers and consumers on Starweave
 * processes, with demand-driven back-pressure, dispatchers, ConsumerSupervisor, adapters to
 * Node streams and async iterables, and checkpoints for exactly-once results.
 */
export * as GenStage from './gen-stage.js';
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
export { type CancelMode, type SubscribeOptions, resolveSubscribeOptions } from './subscription.js';
export type { ConsumerLink, Dispatcher, DispatcherOption, DispatchTarget } from './dispatcher.js';
export { DemandDispatcher, type DemandDispatcherOptions } from './dispatchers/demand-dispatcher.js';
export { BroadcastDispatcher } from './dispatchers/broadcast-dispatcher.js';
export {
  PartitionDispatcher,
  type PartitionDispatcherOptions,
  type PartitionKey,
} from './dispatchers/partition-dispatcher.js';
export { hashValue } from './dispatchers/hash.js';
export { type BufferKeep, EventQueue } from './event-queue.js';
export { Barrier } from './messages.js';
export type { StageChildSpec } from './child-spec.js';
export type { EventsDropped, CheckpointCompleted } from './telemetry.js';
export type { CheckpointStore } from './checkpoint/checkpoint-store.js';
export { MemoryCheckpointStore } from './checkpoint/memory-checkpoint-store.js';
export type { CheckpointOptions } from './checkpoint/checkpoint-options.js';
export * as CheckpointCoordinator from './checkpoint/coordinator.js';
export type { CoordinatorOptions, CoordinatorStartOptions } from './checkpoint/coordinator.js';
export * as ConsumerSupervisor from './consumer-supervisor.js';
export type {
  ConsumerChild,
  ConsumerChildSpec,
  ConsumerSupervisorOptions,
} from './consumer-supervisor.js';
export { fromAsyncIterable, type IterableSource } from './adapters/from-async-iterable.js';
export { fromReadable } from './adapters/from-readable.js';
export { toWritable, type ToWritableOptions } from './adapters/to-writable.js';
export { toAsyncIterable, type IterableOptions } from './adapters/to-async-iterable.js';
