/**
 * Call replies. A reply travels as a {@link CallReply} through the normal send path (so send
 * interceptors see it), but it goes to the waiting caller, never into a mailbox: a reply whose
 * call has timed out is discarded instead of lingering as a stray message.
 */
import type { Ref } from './pid.js';

/** The envelope of a reply to a call, addressed by the call's ref. */
export class CallReply {
  constructor(
    readonly ref: Ref,
    readonly value: unknown,
  ) {}
}

type ReplyHandler = (reply: CallReply) => void;

/** @internal Pending calls of one system, by ref id. */
export class ReplyRouter {
  private readonly pending = new Map<number, { handler: ReplyHandler; fail: (error: Error) => void }>();

  /** Waits for the reply to `ref`. */
  expect(ref: Ref, handler: ReplyHandler, fail: (error: Error) => void): void {
    this.pending.set(ref.id, { handler, fail });
  }

  /** Stops waiting for `ref`; a reply that arrives later is discarded. */
  forget(ref: Ref): void {
    this.pending.delete(ref.id);
  }

  /** Returns true when a call with `ref` is still waiting. */
  isPending(ref: Ref): boolean {
    return this.pending.has(ref.id);
  }

  /** Hands a reply to its caller; returns false when `message` is not a reply. */
  route(message: unknown): boolean {
    if (!(message instanceof CallReply)) return false;
    const entry = this.pending.get(message.ref.id);
    if (entry !== undefined) {
      this.pending.delete(message.ref.id);
      entry.handler(message);
    }
    return true;
  }

  /** Notes a reply that could not be delivered; its caller times out or sees the callee exit. */
  drop(_message: unknown): void {}

  /** Fails every pending call, as when the system shuts down. */
  failAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.fail(error);
  }
}
