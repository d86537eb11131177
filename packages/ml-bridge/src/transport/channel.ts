/**
 * Frame channels: how encoded frames reach a worker and come back. The pipe channel writes to
 * file descriptor 3 and splits descriptor 4 into frames; the ZeroMQ channel (zmq-channel.ts)
 * carries one frame per message.
 */
import type { Readable, Writable } from 'node:stream';
import type { StarweaveError } from '@starweave/actors';
import { encodeFrameHeader, FrameDecoder } from './frame-decoder.js';

/** Receivers of what a channel reads. */
export interface ChannelListener {
  /** Receives each complete frame body. */
  onFrame(body: Uint8Array): void;
  /**
   * Receives ERR_FRAME_TOO_LARGE for a skipped frame and ERR_DECODE for bytes that are no
   * frame. `fatal` is true when the framing is lost, so nothing more can be read.
   */
  onError(error: StarweaveError, fatal: boolean): void;
}

/** One way to carry frames to and from a worker. */
export interface FrameChannel {
  /** True when a bad frame leaves the framing intact (ZeroMQ keeps message boundaries). */
  readonly keepsFraming: boolean;
  /** Sends one frame body with its length prefix; returns false when the buffer is full. */
  write(body: Uint8Array): boolean;
  /** Resolves when the channel can take more frames. */
  drained(): Promise<void>;
  /** Changes the frame limit, as the handshake agrees. */
  setMaxFrameBytes(maxFrameBytes: number): void;
  /** Closes the channel towards the worker; a pipe worker reads end of file and exits. */
  end(): void;
}

/**
 * Frames on the pipes of file descriptors 3 (to the worker) and 4 (from it). Writes made in one
 * tick are corked into one system call, which halves the wake-ups of both processes when many
 * requests are in flight.
 */
export class PipeChannel implements FrameChannel {
  readonly keepsFraming = false;
  private readonly decoder: FrameDecoder;
  private corked = false;

  constructor(
    private readonly input: Writable,
    output: Readable,
    maxFrameBytes: number,
    listener: ChannelListener,
  ) {
    this.decoder = new FrameDecoder({
      maxFrameBytes,
      onFrame: (body) => listener.onFrame(body),
      onError: (error) => listener.onError(error, error.code === 'ERR_DECODE'),
    });
    // A write after the worker died fails with EPIPE; the exit event reports the death.
    input.on('error', () => {});
    output.on('data', (chunk: Buffer) => this.decoder.push(chunk));
  }

  write(body: Uint8Array): boolean {
    if (!this.corked) {
      this.corked = true;
      this.input.cork();
      process.nextTick(() => {
        this.corked = false;
        this.input.uncork();
      });
    }
    this.input.write(encodeFrameHeader(body.length));
    return this.input.write(body);
  }

  drained(): Promise<void> {
    if (!this.input.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.input.off('drain', done);
        this.input.off('close', done);
        resolve();
      };
      this.input.on('drain', done);
      this.input.on('close', done);
    });
  }

  setMaxFrameBytes(maxFrameBytes: number): void {
    this.decoder.setMaxFrameBytes(maxFrameBytes);
  }

  end(): void {
    this.input.end();
  }

  /** Destroys the pipe to the worker, once the process has exited. */
  destroy(): void {
    this.input.destroy();
  }

  /** True once the pipe to the worker is closed. */
  get isClosed(): boolean {
    return this.input.destroyed || this.input.writableEnded;
  }
}
