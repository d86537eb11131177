/**
 * Typed telemetry events on a system's event emitter. Event names match the log event names.
 * Other packages add their events by merging into {@link TelemetryEvents}.
 */
import { EventEmitter } from 'node:events';
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

/**
 * The emitter type of `system.telemetry`: Node's EventEmitter with each event's payload typed.
 * It is declared here rather than taken from typed-emitter, whose CommonJS default export
 * cannot be read as a type by projects compiled with `"module": "NodeNext"`.
 */
export interface Telemetry {
  on<K extends keyof TelemetryEvents & string>(event: K, listener: TelemetryEvents[K]): this;
  once<K extends keyof TelemetryEvents & string>(event: K, listener: TelemetryEvents[K]): this;
  off<K extends keyof TelemetryEvents & string>(event: K, listener: TelemetryEvents[K]): this;
  addListener<K extends keyof TelemetryEvents & string>(event: K, listener: TelemetryEvents[K]): this;
  removeListener<K extends keyof TelemetryEvents & string>(event: K, listener: TelemetryEvents[K]): this;
  removeAllListeners(event?: keyof TelemetryEvents & string): this;
  emit<K extends keyof TelemetryEvents & string>(event: K, ...args: Parameters<TelemetryEvents[K]>): boolean;
  listenerCount(event: keyof TelemetryEvents & string): number;
  listeners<K extends keyof TelemetryEvents & string>(event: K): Array<TelemetryEvents[K]>;
  rawListeners<K extends keyof TelemetryEvents & string>(event: K): Array<TelemetryEvents[K]>;
  eventNames(): Array<string | symbol>;
  setMaxListeners(count: number): this;
}

/** Creates a telemetry emitter with no listener limit warnings for many subscribers. */
export function createTelemetry(): Telemetry {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return emitter as unknown as Telemetry;
}
