/**
 * Exit assertions: wait for a process to end, through a monitor, and check its exit reason.
 */
import { AssertionError, deepStrictEqual } from 'node:assert';
import {
  type Caller,
  checkTimeout,
  type DownMessage,
  formatReason,
  invalidArgument,
  isPid,
  isReason,
  isRef,
  type Pid,
  type Reason,
  type Ref,
} from '@starweave/actors';
import { describeMailbox, describeWait } from './assert-receive.js';
import { contextOf, receiveWithin } from './receive-within.js';

/** The reason an exit assertion expects: a reason, or a predicate over the actual reason. */
export type ExpectedReason = Reason | ((reason: Reason) => boolean);

/**
 * Returns true when `actual` matches `expected`: the same string, an equal `{ shutdown }`
 * value, an Error of the same class and message (or the same Error), or a predicate that holds.
 */
export function reasonMatches(actual: Reason, expected: ExpectedReason): boolean {
  if (typeof expected === 'function') return expected(actual);
  if (actual === expected) return true;
  if (expected instanceof Error) {
    return (
      actual instanceof Error &&
      actual.constructor === expected.constructor &&
      actual.message === expected.message
    );
  }
  if (typeof expected === 'object' && typeof actual === 'object' && !(actual instanceof Error)) {
    try {
      deepStrictEqual(actual, expected);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Waits up to `timeoutMs` (default 100) for `target` to end and returns its exit reason; when
 * `reason` is given, the reason must match it (see {@link reasonMatches}). `target` is a pid,
 * which the caller starts to monitor now, or the ref of a monitor the caller already holds.
 * Fails with an AssertionError when no `DOWN` arrives in time or the reason differs. A pid
 * that is already dead yields `'noproc'`, as any monitor does, so start watching before the
 * action that ends the process.
 *
 * @example
 * ```ts
 * import { createTestSystem, assertDown } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * const worker = t.system.spawn({ handleMessage() { throw new Error('boom'); } });
 * const down = assertDown(t.system, worker, new Error('boom'));
 * t.system.send(worker, { type: 'work' });
 * await down;
 * await t.shutdown();
 * ```
 */
export async function assertDown(
  caller: Caller,
  target: Pid | Ref,
  reason?: ExpectedReason,
  timeoutMs: number | 'infinity' = 100,
): Promise<Reason> {
  const ctx = contextOf(caller);
  if (!isPid(target) && !isRef(target)) {
    invalidArgument('target', 'a Pid, or the Ref of a monitor', target);
  }
  if (reason !== undefined && typeof reason !== 'function' && !isReason(reason)) {
    invalidArgument('reason', 'an exit reason or a predicate (reason) => boolean', reason);
  }
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const ref = isRef(target) ? target : ctx.monitor(target);
  const isDown = (message: unknown): boolean =>
    (message as DownMessage | null)?.type === 'DOWN' &&
    isRef((message as DownMessage).ref) &&
    (message as DownMessage).ref.equals(ref);

  const outcome = await receiveWithin(ctx, isDown, timeout);
  if (!outcome.received) {
    ctx.demonitor(ref, { flush: true });
    const who = isPid(target) ? String(target) : `the process watched by ${ref}`;
    const state = isPid(target) ? describeAlive(ctx.system.processInfo(target)) : '';
    throw new AssertionError({
      message: `assertDown: ${who} did not end ${describeWait(ctx, timeout)}${state}.\n${describeMailbox(ctx)}`,
      operator: 'assertDown',
    });
  }

  const down = outcome.message as DownMessage;
  if (reason !== undefined && !reasonMatches(down.reason, reason)) {
    const hint =
      down.reason === 'noproc'
        ? ' The process was already dead when the monitor started; call assertDown before the action that ends it.'
        : '';
    const expected =
      typeof reason === 'function'
        ? `a reason accepted by ${describeFn(reason)}`
        : formatReason(reason);
    throw new AssertionError({
      message: `assertDown: ${down.pid} ended with reason ${formatReason(down.reason)}, expected ${expected}.${hint}`,
      operator: 'assertDown',
    });
  }
  return down.reason;
}

function describeAlive(info: { status: string; mailboxLength: number } | undefined): string {
  if (info === undefined) return '';
  return ` (it is ${info.status} with ${info.mailboxLength} queued messages)`;
}

function describeFn(fn: (...args: never[]) => unknown): string {
  return `predicate ${fn.name || '(anonymous)'}`;
}
