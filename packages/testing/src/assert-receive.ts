/**
 * Receive assertions, after ExUnit's `assert_receive` and `refute_receive`: wait a bounded time
 * for a message that matches a ts-pattern pattern or a predicate, and fail with an assertion
 * error that shows what the mailbox held.
 */
import { AssertionError } from 'node:assert';
import {
  type Caller,
  checkTimeout,
  invalidArgument,
  type ProcessContext,
  type Selected,
  type Selector,
  toPredicate,
} from '@starweave/actors';
import { formatValue } from './format-value.js';
import { timeDriver } from './kit-state.js';
import { contextOf, mailboxOf, receiveWithin } from './receive-within.js';

// Messages of the mailbox an assertion error lists before it cuts the list short.
const LISTED_MESSAGES = 20;

/** Formats a pattern or predicate for an assertion message. */
export function describeSelector(selector: Selector): string {
  if (typeof selector === 'function') return `predicate ${selector.name || '(anonymous)'}`;
  return formatValue(selector);
}

/** @internal Lists the caller's mailbox for an assertion message. */
export function describeMailbox(ctx: ProcessContext): string {
  const messages = mailboxOf(ctx);
  if (messages.length === 0) return 'The mailbox is empty.';
  const lines = messages
    .slice(0, LISTED_MESSAGES)
    .map((message, index) => `  ${index + 1}. ${formatValue(message)}`);
  if (messages.length > LISTED_MESSAGES) {
    lines.push(`  ... and ${messages.length - LISTED_MESSAGES} more`);
  }
  const count = messages.length === 1 ? '1 message' : `${messages.length} messages`;
  return `The mailbox holds ${count}:\n${lines.join('\n')}`;
}

/** @internal Describes a wait for assertion messages: `within 100 ms of virtual time`. */
export function describeWait(ctx: ProcessContext, timeoutMs: number | 'infinity'): string {
  const virtual = timeDriver(ctx.system)?.virtualTime === true;
  if (timeoutMs === 'infinity') {
    return virtual ? 'before the system went idle with no timer pending' : 'ever';
  }
  return `within ${timeoutMs} ms${virtual ? ' of virtual time' : ''}`;
}

function checkSelector(pattern: unknown): (message: unknown) => boolean {
  if (pattern === undefined) {
    invalidArgument(
      'pattern',
      'a ts-pattern pattern or a predicate',
      pattern,
      'Pass P._ to accept any message.',
    );
  }
  return toPredicate(pattern as Selector)!;
}

/**
 * Waits up to `timeoutMs` (default 100) for a message that `pattern` accepts in the caller's
 * mailbox, takes it out and returns it. Other messages stay in order. Fails with an
 * AssertionError that lists the mailbox when none arrives. The caller is a process context or
 * the system (its root process's mailbox). On a test system's virtual clock the wait moves
 * virtual time, firing timers in order, and ends as soon as the message is there.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestSystem, assertReceive } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * t.system.sendAfter(t.system.pid, { type: 'tick', n: 1 }, 50);
 * const tick = await assertReceive(t.system, { type: 'tick' });
 * assert.equal(tick.n, 1);
 * assert.equal(t.now(), 50);
 * await assert.rejects(assertReceive(t.system, { type: 'tock' }), /no message matching/);
 * await t.shutdown();
 * ```
 */
export async function assertReceive<S extends Selector>(
  caller: Caller,
  pattern: S,
  timeoutMs: number | 'infinity' = 100,
): Promise<Selected<S>> {
  const ctx = contextOf(caller);
  const predicate = checkSelector(pattern);
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  const outcome = await receiveWithin(ctx, predicate, timeout);
  if (outcome.received) return outcome.message as Selected<S>;
  throw new AssertionError({
    message:
      `assertReceive: no message matching ${describeSelector(pattern)} arrived at ${ctx.pid} ` +
      `${describeWait(ctx, timeout)}.\n${describeMailbox(ctx)}`,
    operator: 'assertReceive',
  });
}

/**
 * Waits `timeoutMs` (default 100) and fails with an AssertionError when a message that
 * `pattern` accepts arrives in the caller's mailbox meanwhile. Such a message is taken out.
 * On virtual time the whole timeout passes on the virtual clock, and `'infinity'` waits until
 * the system is idle with no timer pending. On the real clock `'infinity'` is rejected.
 *
 * @example
 * ```ts
 * import { createTestSystem, refuteReceive } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * t.system.sendAfter(t.system.pid, { type: 'late' }, 500);
 * await refuteReceive(t.system, { type: 'late' }, 100);
 * await t.shutdown();
 * ```
 */
export async function refuteReceive(
  caller: Caller,
  pattern: Selector,
  timeoutMs: number | 'infinity' = 100,
): Promise<void> {
  const ctx = contextOf(caller);
  const predicate = checkSelector(pattern);
  const timeout = checkTimeout('timeoutMs', timeoutMs);
  if (timeout === 'infinity' && timeDriver(ctx.system)?.virtualTime !== true) {
    invalidArgument(
      'timeoutMs',
      "a number of milliseconds on the real clock, where 'infinity' never ends",
      timeoutMs,
    );
  }
  const outcome = await receiveWithin(ctx, predicate, timeout);
  if (!outcome.received) return;
  throw new AssertionError({
    message:
      `refuteReceive: ${ctx.pid} received ${formatValue(outcome.message)}, which matches ` +
      `${describeSelector(pattern)}, ${describeWait(ctx, timeout)}; no such message was expected.`,
    operator: 'refuteReceive',
  });
}
