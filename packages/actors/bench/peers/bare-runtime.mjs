// The bare-JavaScript reference runtime: an object per process with an array mailbox, a run
// queue of processes that have mail, and a drain loop that yields to the event loop between
// slices. It has no links, monitors, errors or names, so it marks the limit a real runtime on
// one Node.js thread can approach.

/** Messages one process handles before it goes to the back of the run queue. */
const TURN = 1000;

/** Messages handled in one slice before the drain loop yields with setImmediate. */
const SLICE = 10_000;

/** A process: a handler, an array mailbox read from `head`, and whether it is queued. */
export class BareProcess {
  constructor(runtime, handler) {
    this.runtime = runtime;
    this.handler = handler;
    this.mailbox = [];
    this.head = 0;
    this.queued = false;
  }
}

/** A run queue of processes with mail, drained in slices on the event loop. */
export class BareRuntime {
  constructor() {
    this.runQueue = [];
    this.queueHead = 0;
    this.draining = false;
    this.drainSlice = this.drainSlice.bind(this);
  }

  /** Creates a process that calls `handler(message, process)` for each message. */
  spawn(handler) {
    return new BareProcess(this, handler);
  }

  /** Appends `message` to the mailbox of `process` and queues the process if it was idle. */
  send(process, message) {
    process.mailbox.push(message);
    if (process.queued) return;

    process.queued = true;
    this.runQueue.push(process);
    if (!this.draining) {
      this.draining = true;
      setImmediate(this.drainSlice);
    }
  }

  drainSlice() {
    let budget = SLICE;
    while (budget > 0 && this.queueHead < this.runQueue.length) {
      const process = this.runQueue[this.queueHead++];
      budget -= this.runTurn(process);

      if (process.head < process.mailbox.length) this.runQueue.push(process);
      else process.queued = false;
    }
    this.compactRunQueue();

    if (this.queueHead < this.runQueue.length) setImmediate(this.drainSlice);
    else this.draining = false;
  }

  runTurn(process) {
    const { mailbox } = process;
    const end = Math.min(mailbox.length, process.head + TURN);
    let handled = 0;
    while (process.head < end) {
      const message = mailbox[process.head];
      mailbox[process.head++] = undefined;
      process.handler(message, process);
      handled += 1;
    }

    // Reset an empty mailbox, and drop the read part of a long one, so memory stays bounded.
    if (process.head === mailbox.length) {
      mailbox.length = 0;
      process.head = 0;
    } else if (process.head > 65_536 && process.head * 2 > mailbox.length) {
      mailbox.splice(0, process.head);
      process.head = 0;
    }
    return handled;
  }

  compactRunQueue() {
    if (this.queueHead === this.runQueue.length) {
      this.runQueue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead > 4096 && this.queueHead * 2 > this.runQueue.length) {
      this.runQueue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }
}
