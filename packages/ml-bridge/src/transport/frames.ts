/**
 * The frames of the bridge protocol as TypeScript types, with the checks that a decoded value
 * is one of them. docs/bridge-protocol.md describes each frame.
 */
import { StarweaveError } from '@starweave/actors';

/** The protocol version both sides must speak. */
export const PROTOCOL_VERSION = 1;

/** The default limit on a frame body: 64 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** One handler a worker offers, as listed in its `hello`. */
export interface HandlerInfo {
  name: string;
  /** True when the handler takes a list of payloads and returns a list of results. */
  batch: boolean;
  /** The largest batch it takes, or null for no limit. */
  maxBatchSize: number | null;
  /** True when the handler sends `chunk` frames and then `end`. */
  stream: boolean;
}

/** The worker's first frame. */
export interface WorkerHello {
  type: 'hello';
  protocol: number;
  worker: string;
  pid: number;
  handlers: HandlerInfo[];
  maxFrameBytes: number;
  codec: number;
}

/** Frames Node sends to a worker. */
export type NodeFrame =
  | { type: 'hello'; protocol: number; maxFrameBytes: number }
  | { type: 'request'; id: number; handler: string; payload: unknown; deadline: number | null }
  | {
      type: 'batch';
      ids: number[];
      handler: string;
      payloads: unknown[];
      deadline: number | null;
    }
  | { type: 'cancel'; id: number }
  | { type: 'heartbeat'; seq: number }
  | { type: 'shutdown'; graceMs?: number }
  | {
      type: 'error';
      id: null;
      code: string;
      errorType: string;
      message: string;
      traceback: null;
    };

/** An `error` frame from a worker; `id` is null for an error about the channel. */
export interface WorkerErrorFrame {
  type: 'error';
  id: number | null;
  code: string;
  errorType: string;
  message: string;
  traceback: string | null;
  details?: Record<string, unknown>;
}

/** Frames a worker sends to Node. */
export type WorkerFrame =
  | WorkerHello
  | { type: 'response'; id: number; result: unknown }
  | { type: 'chunk'; id: number; seq: number; data: unknown }
  | { type: 'end'; id: number; count: number }
  | WorkerErrorFrame
  | { type: 'heartbeat'; seq: number | null; inflight: number; time: number }
  | {
      type: 'log';
      level: string;
      event: string;
      message: string;
      logger: string;
      fields: Record<string, unknown>;
      time: number;
    }
  | { type: 'shutdown'; cancelled: number[] };

const WORKER_FRAME_TYPES = new Set([
  'hello',
  'response',
  'chunk',
  'end',
  'error',
  'heartbeat',
  'log',
  'shutdown',
]);

/**
 * Checks that a decoded value is a worker frame: a map with a known `type`, and an integer `id`
 * in a response, chunk or end frame. Fails with ERR_PROTOCOL otherwise.
 */
export function checkWorkerFrame(value: unknown): WorkerFrame {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StarweaveError(
      'ERR_PROTOCOL',
      `invalid frame from the worker: expected a map, received ${typeof value}.`,
    );
  }
  const frame = value as Record<string, unknown>;
  if (typeof frame.type !== 'string' || !WORKER_FRAME_TYPES.has(frame.type)) {
    throw new StarweaveError(
      'ERR_PROTOCOL',
      `invalid frame from the worker: unknown type ${JSON.stringify(frame.type)}.`,
    );
  }
  const answers = frame.type === 'response' || frame.type === 'chunk' || frame.type === 'end';
  if (answers && !Number.isInteger(frame.id)) {
    throw new StarweaveError(
      'ERR_PROTOCOL',
      `invalid ${frame.type} frame from the worker: id must be an integer.`,
    );
  }
  return frame as unknown as WorkerFrame;
}

/** Checks the worker's `hello`; fails with ERR_PROTOCOL on another version or a bad shape. */
export function checkHello(frame: WorkerFrame): WorkerHello {
  if (frame.type !== 'hello') {
    throw new StarweaveError(
      'ERR_PROTOCOL',
      `invalid handshake: expected the worker's hello first, received a ${frame.type} frame.`,
    );
  }
  if (frame.protocol !== PROTOCOL_VERSION) {
    throw new StarweaveError(
      'ERR_PROTOCOL',
      `the worker speaks protocol version ${String(frame.protocol)}, but this bridge speaks ` +
        `version ${PROTOCOL_VERSION}. Use matching versions of starweave_bridge and ` +
        '@starweave/ml-bridge.',
      { details: { received: frame.protocol, expected: PROTOCOL_VERSION } },
    );
  }
  if (!Array.isArray(frame.handlers) || !Number.isInteger(frame.maxFrameBytes)) {
    throw new StarweaveError(
      'ERR_PROTOCOL',
      'invalid hello from the worker: handlers must be an array and maxFrameBytes an integer.',
    );
  }
  return frame;
}
