/**
 * What a process runs and the options it starts with.
 */
import type { ProcessContext } from './context.js';

/** An async process function: it runs until its promise settles, using `self.receive`. */
export type ProcessFunction = (self: ProcessContext) => unknown;

/**
 * A callback process: the scheduler calls `handleMessage` once per message with no Promise per
 * message. A handler that returns a Promise suspends the process until it settles.
 */
export interface ProcessHandler<M = any> {
  /** Runs once in the process before its first message. */
  init?(self: ProcessContext): unknown;
  /** Handles one message; a thrown error ends the process with that error as reason. */
  handleMessage(self: ProcessContext, message: M): unknown;
  /** A label for crash reports and introspection, such as the behaviour's name. */
  readonly label?: string;
}

/** What `spawn` runs. */
export type ProcessBody = ProcessFunction | ProcessHandler;

/** Options of `spawn`. */
export interface SpawnOptions {
  /** Registers the process under this name before it runs. */
  name?: string;
  /** Starts with the trap-exit flag set. Default false. */
  trapExit?: boolean;
  /** Mailbox length past which a `process.mailbox_long` event fires. Default 10,000. */
  mailboxWarning?: number;
}
