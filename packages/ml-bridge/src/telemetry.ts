/**
 * The typed telemetry events of the bridge, merged into the actors package's event map so that
 * `system.telemetry.on('bridge.request_completed', ...)` gets typed fields.
 */

/** One request that settled: its worker, handler, id, latency and error code if it failed. */
export interface RequestCompleted {
  worker: string;
  handler: string;
  id: number;
  /** Time from the call to its settling, in ms on the system clock. */
  durationMs: number;
  /** The error code of a failed request; undefined for a result. */
  code: string | undefined;
}

declare module '@starweave/actors' {
  interface TelemetryEvents {
    'bridge.request_completed': (event: RequestCompleted) => void;
  }
}
