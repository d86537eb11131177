/**
 * The heartbeat state of one worker: the ping in flight and when it was sent. A ping left
 * unanswered for the heartbeat timeout means the worker is hung.
 */

/** The action of one heartbeat tick. */
export type HeartbeatAction = 'ping' | 'wait' | 'overdue';

/** Tracks pings to one worker. */
export class HeartbeatMonitor {
  /** The sequence number of the last ping. */
  seq = 0;
  /** When the unanswered ping was sent, on the system clock; undefined when none is. */
  sentAt: number | undefined;

  constructor(private readonly timeoutMs: number) {}

  /**
   * Decides a tick at time `now`: `'ping'` (and records a new ping) when none is unanswered,
   * `'overdue'` when the unanswered one is older than the timeout, else `'wait'`.
   */
  tick(now: number): HeartbeatAction {
    if (this.sentAt === undefined) {
      this.seq++;
      this.sentAt = now;
      return 'ping';
    }
    return now - this.sentAt >= this.timeoutMs ? 'overdue' : 'wait';
  }

  /** Records the worker's reply to ping `seq`. */
  replied(seq: number | null): void {
    if (seq === this.seq) this.sentAt = undefined;
  }
}
