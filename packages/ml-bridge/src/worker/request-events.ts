/**
 * The log lines and telemetry of one worker's requests: a `bridge.request_failed` line per
 * failure, `bridge.overloaded` at most once a second, and `bridge.request_completed` events.
 */
import type { ActorSystem, Logger, StarweaveError } from '@starweave/actors';
import type { RequestCompleted } from '../telemetry.js';
import type { PendingRequest } from './pending-request.js';

const OVERLOAD_LOG_INTERVAL_MS = 1000;

/** Reports what happens to the requests of the worker named `worker`. */
export class RequestEvents {
  private lastOverloadLog = Number.NEGATIVE_INFINITY;
  private overloadsSinceLog = 0;

  constructor(
    private readonly worker: string,
    private readonly logger: Logger,
    private readonly system: ActorSystem,
  ) {}

  /** Logs one failed request. */
  failed(handler: string, id: number | undefined, error: StarweaveError): void {
    this.logger.log('warn', 'bridge.request_failed', {
      worker: this.worker,
      handler,
      id,
      code: error.code,
      errorType: error.details?.errorType,
      message: error.message,
    });
  }

  /** Counts one request rejected with ERR_OVERLOADED; logs the count at most once a second. */
  overloaded(inFlight: number, queued: number): void {
    this.overloadsSinceLog++;
    const now = this.system.clock.now();
    if (now - this.lastOverloadLog < OVERLOAD_LOG_INTERVAL_MS) return;
    this.logger.log('warn', 'bridge.overloaded', {
      worker: this.worker,
      rejected: this.overloadsSinceLog,
      inFlight,
      queued,
    });
    this.lastOverloadLog = now;
    this.overloadsSinceLog = 0;
  }

  /** Emits `bridge.request_completed` for a settled request, when anyone listens. */
  completed(entry: PendingRequest, error: StarweaveError | undefined): void {
    if (this.system.telemetry.listenerCount('bridge.request_completed') === 0) return;
    const event: RequestCompleted = {
      worker: this.worker,
      handler: entry.handler,
      id: entry.id,
      durationMs: this.system.clock.now() - entry.startedAt,
      code: error?.code,
    };
    this.system.emitEvent('bridge.request_completed', event);
  }
}
