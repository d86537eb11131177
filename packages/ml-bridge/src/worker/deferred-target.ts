/**
 * A request target that is not ready yet: a worker whose Python process is still starting (in
 * `init`, as after a restart), or a pool with no running worker. Requests wait, as calls to a
 * GenServer in `init` wait in its mailbox, within their deadline, their signal and a bound.
 */
import { type Clock, StarweaveError } from '@starweave/actors';
import { ChunkStream } from './chunk-stream.js';
import { checkRequestTimeout } from './options.js';
import type { CallOptions, RequestTarget } from './targets.js';

interface Waiter {
  run(target: RequestTarget, remainingMs: number | 'infinity'): void;
  fail(error: StarweaveError): void;
  startedAt: number;
  timeoutMs: number | 'infinity';
}

/** A target that keeps requests until the target it stands for is ready. */
export class DeferredTarget implements RequestTarget {
  private waiters = new Set<Waiter>();

  constructor(
    readonly kind: 'worker' | 'pool',
    private readonly name: string,
    private readonly clock: Clock,
    private readonly maxQueued: number,
    private readonly defaultTimeoutMs: number | 'infinity',
  ) {}

  call(handler: string, payload: unknown, options: CallOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.wait(options, handler, reject, (target, timeoutMs) => {
        target.call(handler, payload, { ...options, timeoutMs }).then(resolve, reject);
      });
    });
  }

  stream(handler: string, payload: unknown, options: CallOptions): ChunkStream {
    let inner: AsyncIterator<unknown> | undefined;
    let cancelled = false;
    const outer = new ChunkStream(() => {
      cancelled = true;
      void inner?.return?.();
    });
    this.wait(
      options,
      handler,
      (error) => outer.fail(error as StarweaveError),
      (target, timeoutMs) => {
        if (cancelled) return;
        inner = target.stream(handler, payload, { ...options, timeoutMs })[Symbol.asyncIterator]();
        void pipe(inner, outer);
      },
    );
    return outer;
  }

  /** Returns the number of requests waiting. */
  get size(): number {
    return this.waiters.size;
  }

  /** Sends the waiting requests to `target`, now ready. */
  ready(target: RequestTarget): void {
    const now = this.clock.now();
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) {
      const remaining =
        waiter.timeoutMs === 'infinity'
          ? 'infinity'
          : Math.max(0, waiter.timeoutMs - (now - waiter.startedAt));
      waiter.run(target, remaining);
    }
  }

  /** Fails the waiting requests: the target will not become ready. */
  failed(error: StarweaveError): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.fail(error);
  }

  private describe(): string {
    return this.kind === 'worker'
      ? `Python worker ${JSON.stringify(this.name)} to start`
      : `a running worker in pool ${JSON.stringify(this.name)}`;
  }

  private wait(
    options: CallOptions,
    handler: string,
    reject: (error: unknown) => void,
    run: (target: RequestTarget, remainingMs: number | 'infinity') => void,
  ): void {
    if (this.waiters.size >= this.maxQueued) {
      reject(
        new StarweaveError(
          'ERR_OVERLOADED',
          `${this.kind === 'worker' ? 'Python worker' : 'pool'} ${JSON.stringify(this.name)} is ` +
            `not ready and ${this.waiters.size} requests already wait for it, the maximum. ` +
            'Retry later.',
          { details: { [this.kind]: this.name, handler } },
        ),
      );
      return;
    }
    const timeoutMs = checkRequestTimeout(
      'options.timeoutMs',
      options.timeoutMs ?? this.defaultTimeoutMs,
    );
    let timer: unknown;
    const signal = options.signal;
    const cancelled = () =>
      new StarweaveError(
        'ERR_CANCELLED',
        `the request to ${JSON.stringify(handler)} was cancelled while it waited for ` +
          `${this.describe()}.`,
        { cause: signal?.reason, details: { [this.kind]: this.name, handler } },
      );
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = () => settle(cancelled());
    const settle = (error: StarweaveError) => {
      if (!this.waiters.delete(waiter)) return;
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const waiter: Waiter = {
      startedAt: this.clock.now(),
      timeoutMs,
      run: (target, remaining) => {
        cleanup();
        run(target, remaining);
      },
      fail: (error) => {
        cleanup();
        reject(error);
      },
    };
    this.waiters.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== 'infinity') {
      timer = this.clock.setTimeout(
        () =>
          settle(
            new StarweaveError(
              'ERR_DEADLINE',
              `the request to ${JSON.stringify(handler)} passed its deadline of ${timeoutMs} ms ` +
                `while it waited for ${this.describe()}.`,
              { details: { [this.kind]: this.name, handler, timeoutMs } },
            ),
          ),
        timeoutMs,
      );
    }
  }
}

/** @internal */
export async function pipe(source: AsyncIterator<unknown>, sink: ChunkStream): Promise<void> {
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) break;
      sink.push(next.value);
    }
    sink.end();
  } catch (error) {
    sink.fail(error as StarweaveError);
  }
}
