/**
 * @starweave/ml-bridge: supervised Python workers for machine-learning inference. A worker
 * process owns one Python process and sends it requests with deadlines, cancellation,
 * back-pressure and dynamic batching. Pools route over several workers with a traffic split
 * by model version, and a stage scores events through a pool. Frames travel on pipes or ZeroMQ.
 */

export type {
  PoolInfo,
  PoolVersion,
  RollingRestartOptions,
  WorkerPoolOptions,
} from './pool/worker-pool.js';
export * as WorkerPool from './pool/worker-pool.js';
export {
  type BridgeStageOptions,
  type BridgeStageState,
  bridgeStage,
  type ScoredEvent,
} from './stage/bridge-stage.js';
export type { RequestCompleted } from './telemetry.js';
export * from './transport/index.js';
export { call, stream } from './worker/call.js';
export { ChunkStream } from './worker/chunk-stream.js';
export type { BatchOptions, PythonWorkerOptions } from './worker/options.js';
export type { WorkerChildOptions, WorkerInfo } from './worker/python-worker.js';
export * as PythonWorker from './worker/python-worker.js';
export { remoteError } from './worker/remote-error.js';
export type { CallOptions } from './worker/targets.js';
export type { RequestOptions, WorkerCounters, WorkerStatus } from './worker/worker-core.js';
