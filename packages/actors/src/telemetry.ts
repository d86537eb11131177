/**
 * Typed telemetry events on a system's event emitter. Event names match the log event names.
 * Other packages add their events by merging into {@link TelemetryEvents}.
 */
import { EventEmitter } from 'node:events';
import type TypedEventEmitter from 'typed-emitter';
import type { Pid } from './pid.js';
import type { Reason } from './reason.js';

/** Telemetry event names and their payloads. */
export interface TelemetryEvents {
  /** A process started. */
  'process.spawned': (event: { pid: Pid; name: string | undefined }) => void;
  /** A process ended, for any reason. */
  'process.exited': (event: { pid: Pid; name: string | undefined; reason: Reason }) => void;
  /** A process ended because an exit signal arrived over a link. */
  'process.link_exit': (event: { pid: Pid; from: Pid; reason: Reason }) => void;
  /** A process's mailbox grew past its warning threshold. */
  'process.mailbox_long': (event: {
    pid: Pid;
    name: string | undefined;
    length: number;
    threshold: number;
  }) => void;
  /** Any other event a package emits, as name and fields. */
  [event: string]: (event: any) => void;
}

/** The emitter type of `system.telemetry`. */
export type Telemetry = TypedEventEmitter<TelemetryEvents>;

/** Creates a telemetry emitter with no listener limit warnings for many subscribers. */
export function createTelemetry(): Telemetry {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return emitter as unknown as Telemetry;
}
