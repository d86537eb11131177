/**
 * One request from a caller until its final frame: where it is (waiting for a slot, in a
 * batch being collected, or sent), its deadline timer and abort listener, and how it settles.
 */
import type { ActorSystem } from '@starweave/actors';
import type { ChunkStream } from './chunk-stream.js';

/** The stage of a request: waiting for a slot, collected into a batch, sent, or settled. */
export type RequestState = 'queued' | 'batched' | 'sent' | 'settled';

/** A request between `call` and its one final frame. */
export class PendingRequest {
  state: RequestState = 'queued';
  /** The deadline timer on the system's clock, when the request has a timeout. */
  timer: ReturnType<ActorSystem['deadlines']['schedule']> | undefined;
  /** Removes the abort listener from the caller's signal. */
  detachSignal: (() => void) | undefined;
  /** The chunks of a streaming request. */
  stream: ChunkStream | undefined;
  /** When the request was made, on the system clock (for latency telemetry). */
  readonly startedAt: number;

  constructor(
    readonly id: number,
    readonly handler: string,
    public payload: unknown,
    /** The deadline in epoch milliseconds (wall-clock time, as the worker reads it), or null. */
    readonly deadline: number | null,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    startedAt: number,
  ) {
    this.startedAt = startedAt;
  }
}
