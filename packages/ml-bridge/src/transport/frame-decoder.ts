/**
 * Splits a byte stream into frames: a 4-byte big-endian length, then that many bytes. Chunks
 * may cut a frame anywhere; the decoder keeps the partial bytes until the frame is complete.
 */
import { StarweaveError } from '@starweave/actors';

/** Callbacks of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** The largest frame body in bytes; a larger frame is skipped and reported. */
  maxFrameBytes: number;
  /** Receives each complete frame body. */
  onFrame: (body: Uint8Array) => void;
  /**
   * Receives ERR_FRAME_TOO_LARGE for a skipped frame (decoding goes on) and ERR_DECODE when
   * the framing is lost (a zero length), after which the decoder ignores all input.
   */
  onError: (error: StarweaveError) => void;
}

const HEADER_BYTES = 4;

/** Decodes length-prefixed frames from chunks of a stream. */
export class FrameDecoder {
  private maxFrameBytes: number;
  private readonly onFrame: (body: Uint8Array) => void;
  private readonly onError: (error: StarweaveError) => void;
  private header = new Uint8Array(HEADER_BYTES);
  private headerFilled = 0;
  private body: Uint8Array | undefined;
  private bodyFilled = 0;
  private discarding = 0;
  private failed = false;

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
    this.onFrame = options.onFrame;
    this.onError = options.onError;
  }

  /** Changes the frame limit, as the handshake agrees. */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** True once the framing was lost; later input is ignored. */
  get isFailed(): boolean {
    return this.failed;
  }

  /** True when a frame has started but is not complete. */
  get hasPartialFrame(): boolean {
    return this.headerFilled > 0 || this.body !== undefined || this.discarding > 0;
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length && !this.failed) {
      if (this.discarding > 0) {
        const skipped = Math.min(this.discarding, chunk.length - offset);
        this.discarding -= skipped;
        offset += skipped;
      } else if (this.body === undefined) {
        offset = this.readHeader(chunk, offset);
      } else {
        offset = this.readBody(chunk, offset);
      }
    }
  }

  private readHeader(chunk: Uint8Array, offset: number): number {
    const count = Math.min(HEADER_BYTES - this.headerFilled, chunk.length - offset);
    this.header.set(chunk.subarray(offset, offset + count), this.headerFilled);
    this.headerFilled += count;
    if (this.headerFilled < HEADER_BYTES) return offset + count;

    this.headerFilled = 0;
    const length = new DataView(this.header.buffer).getUint32(0, false);
    if (length === 0) {
      this.failed = true;
      this.onError(
        new StarweaveError(
          'ERR_DECODE',
          'invalid frame: its length is 0, so the stream is not framed as expected.',
        ),
      );
    } else if (length > this.maxFrameBytes) {
      this.discarding = length;
      this.onError(
        new StarweaveError(
          'ERR_FRAME_TOO_LARGE',
          `frame of ${length} bytes is over the maximum of ${this.maxFrameBytes}; it was skipped.`,
          { details: { size: length, maxFrameBytes: this.maxFrameBytes } },
        ),
      );
    } else {
      this.body = new Uint8Array(length);
      this.bodyFilled = 0;
    }
    return offset + count;
  }

  private readBody(chunk: Uint8Array, offset: number): number {
    const body = this.body!;
    const count = Math.min(body.length - this.bodyFilled, chunk.length - offset);
    body.set(chunk.subarray(offset, offset + count), this.bodyFilled);
    this.bodyFilled += count;
    if (this.bodyFilled === body.length) {
      this.body = undefined;
      this.onFrame(body);
    }
    return offset + count;
  }
}

/** Returns the 4-byte big-endian length prefix of a frame body of `length` bytes. */
export function encodeFrameHeader(length: number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  new DataView(header.buffer).setUint32(0, length, false);
  return header;
}
