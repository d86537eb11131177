/**
 * Frames over ZeroMQ: one message per frame, length prefix included, on a route of a shared
 * ROUTER socket. Message boundaries survive a bad frame, so no error here loses the framing.
 */
import { StarweaveError } from '@starweave/actors';
import type { ChannelListener, FrameChannel } from './channel.js';
import type { ZmqRoute, ZmqRouter } from './zmq-router.js';

const HEADER_BYTES = 4;

/** A {@link FrameChannel} to one worker identity on a {@link ZmqRouter}. */
export class ZmqChannel implements FrameChannel {
  readonly keepsFraming = true;
  readonly route: ZmqRoute;

  constructor(
    router: ZmqRouter,
    identity: string,
    private maxFrameBytes: number,
    private readonly listener: ChannelListener,
  ) {
    this.route = router.register(identity, (message) => this.receive(message));
  }

  write(body: Uint8Array): boolean {
    const message = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    message.writeUInt32BE(body.length, 0);
    message.set(body, HEADER_BYTES);
    this.route.send(message);
    return true;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  end(): void {
    this.route.close();
  }

  private receive(message: Buffer): void {
    if (message.length < HEADER_BYTES) {
      this.reject('ERR_DECODE', `a message of ${message.length} bytes is shorter than a frame`);
      return;
    }
    const length = message.readUInt32BE(0);
    if (length !== message.length - HEADER_BYTES) {
      this.reject(
        'ERR_DECODE',
        `a frame header announces ${length} bytes but the message carries ` +
          `${message.length - HEADER_BYTES}`,
      );
      return;
    }
    if (length === 0) {
      this.reject('ERR_DECODE', 'invalid frame: its length is 0');
      return;
    }
    if (length > this.maxFrameBytes) {
      this.listener.onError(
        new StarweaveError(
          'ERR_FRAME_TOO_LARGE',
          `frame of ${length} bytes is over the maximum of ${this.maxFrameBytes}; it was skipped.`,
          { details: { size: length, maxFrameBytes: this.maxFrameBytes } },
        ),
        false,
      );
      return;
    }
    this.listener.onFrame(message.subarray(HEADER_BYTES));
  }

  private reject(code: 'ERR_DECODE', problem: string): void {
    this.listener.onError(new StarweaveError(code, `invalid ZeroMQ message: ${problem}.`), false);
  }
}
