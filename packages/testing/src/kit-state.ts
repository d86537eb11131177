/**
 * The testing kit's state per system: its send layer, the listeners of receives made through
 * the assertions, and the virtual-time driver when the system came from `createTestSystem`.
 */
import type { ActorSystem, Pid } from '@starweave/actors';
import { SendLayer } from './send-layer.js';

/** Drives a system's virtual clock; implemented by `TestSystem`. */
export interface TimeDriver {
  /** True when the system runs on a virtual clock that the driver moves. */
  readonly virtualTime: boolean;
  /**
   * Runs the system and fires its timers in order until `stop()` returns true or `limitMs` of
   * virtual time have passed. Returns the last value of `stop()`.
   */
  driveUntil(stop: () => boolean, limitMs: number | 'infinity'): Promise<boolean>;
  /** Moves virtual time forward by `ms`, firing timers one at a time in order. */
  advance(ms: number): Promise<void>;
}

/** Called when an assertion of the kit takes a message out of a mailbox. */
export type ReceiveListener = (pid: Pid, message: unknown) => void;

interface KitState {
  layer: SendLayer;
  receiveListeners: Set<ReceiveListener>;
  noteListeners: Set<(text: string) => void>;
  driver: TimeDriver | undefined;
}

const states = new WeakMap<ActorSystem, KitState>();

/** Returns the kit's state for `system`, creating it on first use. */
export function kitState(system: ActorSystem): KitState {
  let state = states.get(system);
  if (state === undefined) {
    state = {
      layer: new SendLayer(system),
      receiveListeners: new Set(),
      noteListeners: new Set(),
      driver: undefined,
    };
    states.set(system, state);
  }
  return state;
}

/** Returns the send layer of `system`. */
export function sendLayer(system: ActorSystem): SendLayer {
  return kitState(system).layer;
}

/** Returns the virtual-time driver of `system`, or undefined when it has none. */
export function timeDriver(system: ActorSystem): TimeDriver | undefined {
  return states.get(system)?.driver;
}

/** Tells the receive listeners of `system` that `pid` took `message` from its mailbox. */
export function notifyReceive(system: ActorSystem, pid: Pid, message: unknown): void {
  const listeners = states.get(system)?.receiveListeners;
  if (listeners === undefined) return;
  for (const listener of listeners) listener(pid, message);
}

/** Adds a line of text to every trace of `system`, such as a fault a schedule applies. */
export function notifyNote(system: ActorSystem, text: string): void {
  const listeners = states.get(system)?.noteListeners;
  if (listeners === undefined) return;
  for (const listener of listeners) listener(text);
}
