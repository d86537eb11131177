/**
 * `call` and `stream`: requests to a Python worker or a worker pool, by pid or name.
 */
import { type Caller, callerContext, type Dest, invalidArgument } from '@starweave/actors';
import { ChunkStream } from './chunk-stream.js';
import { type CallOptions, lookupTarget, type RequestTarget } from './targets.js';

function resolveTarget(caller: Caller, target: Dest, handler: unknown): RequestTarget {
  if (typeof handler !== 'string' || handler.length === 0) {
    invalidArgument('handler', 'the name of a handler the worker offers', handler);
  }
  return lookupTarget(callerContext(caller).system, target);
}

/**
 * Runs `handler` on a worker or pool with `payload` and resolves with its result. Typed arrays
 * and `NDArray`s travel as numpy arrays, and numpy arrays come back as typed arrays (one
 * dimension) or `NDArray`s.
 *
 * The deadline (now plus `timeoutMs`, default 5000) travels with the request. Fails with
 * ERR_DEADLINE when it passes and with ERR_CANCELLED when `signal` aborts; in both cases the
 * worker gets a cancel frame and a late result is discarded. Fails with ERR_REMOTE when the
 * handler raises, with the Python exception type, message and traceback in `details`. Fails
 * with ERR_OVERLOADED when the worker's in-flight cap and queue are full, with
 * ERR_NOCONNECTION when the worker dies first, and with ERR_NOT_FOUND for a handler the worker
 * does not offer. Fails with ERR_ENCODE or ERR_FRAME_TOO_LARGE when the payload or result
 * cannot be sent, and with ERR_NOPROC when no such worker or pool is alive. The caller only names the actor system: a caller process that
 * exits does not cancel the request.
 */
export function call<R = unknown>(
  caller: Caller,
  target: Dest,
  handler: string,
  payload: unknown,
  options: CallOptions = {},
): Promise<R> {
  try {
    return resolveTarget(caller, target, handler).call(handler, payload, options) as Promise<R>;
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Runs a streaming handler (a Python generator) and returns its chunks as an async iterable,
 * in order. The iteration fails with the errors of {@link call}; leaving the loop early
 * cancels the request. The deadline covers the whole stream.
 */
export function stream<T = unknown>(
  caller: Caller,
  target: Dest,
  handler: string,
  payload: unknown,
  options: CallOptions = {},
): AsyncIterable<T> {
  try {
    return resolveTarget(caller, target, handler).stream(
      handler,
      payload,
      options,
    ) as AsyncIterable<T>;
  } catch (error) {
    const failed = new ChunkStream<T>(() => {});
    failed.fail(error as never);
    return failed;
  }
}
