/**
 * The async iterable a streaming call returns. Chunks are buffered as frames arrive and handed
 * out in order. An error ends the iteration with that error, and breaking out of the loop
 * cancels the request.
 */
import type { StarweaveError } from '@starweave/actors';

/** Chunks of one streaming request, as an async iterable. */
export class ChunkStream<T = unknown> implements AsyncIterable<T> {
  private readonly chunks: T[] = [];
  private head = 0;
  private finished = false;
  private failure: StarweaveError | undefined;
  private waiter:
    | { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }
    | undefined;
  private iterated = false;

  /** @param onCancel runs when the consumer stops iterating before the stream ends. */
  constructor(private readonly onCancel: () => void) {}

  /** Adds one chunk. */
  push(chunk: T): void {
    if (this.finished) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve({ value: chunk, done: false });
      return;
    }
    this.chunks.push(chunk);
  }

  /** Ends the stream after the buffered chunks. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    const waiter = this.waiter;
    if (waiter !== undefined && this.head === this.chunks.length) {
      this.waiter = undefined;
      waiter.resolve({ value: undefined, done: true });
    }
  }

  /** Ends the stream with `error`, raised once the buffered chunks have been read. */
  fail(error: StarweaveError): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    const waiter = this.waiter;
    if (waiter !== undefined && this.head === this.chunks.length) {
      this.waiter = undefined;
      waiter.reject(error);
    }
  }

  /** Returns the number of chunks received and not yet read. */
  get buffered(): number {
    return this.chunks.length - this.head;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) {
      throw new TypeError('a bridge stream can be iterated once; collect its chunks to reuse them');
    }
    this.iterated = true;
    return {
      next: () => this.next(),
      return: async () => {
        if (!this.finished) {
          this.finished = true;
          this.onCancel();
        }
        this.chunks.length = 0;
        this.head = 0;
        return { value: undefined, done: true };
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.head < this.chunks.length) {
      const value = this.chunks[this.head]!;
      this.chunks[this.head] = undefined as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.chunks.length) {
        this.chunks.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}
