/**
 * Network faults between processes: drop, delay or duplicate the sends that match a sender, a
 * receiver and a message pattern. Rules compose through one send interceptor per system: they
 * are asked in the order they were added, and the first that matches a send decides it.
 */
import {
  type ActorSystem,
  type InterceptDecision,
  invalidArgument,
  isPid,
  type Pid,
  type Selector,
  toPredicate,
} from '@starweave/actors';
import { sendLayer } from './kit-state.js';
import type { RuleVerdict, SendEvent, SendRule } from './send-layer.js';
import { checkSystem } from './system-argument.js';

/** One end of a send: a pid, a registered name (looked up at each send), or a predicate. */
export type SendEndpoint = Pid | string | ((pid: Pid) => boolean);

/** The sends a fault applies to. Every field left out matches any send. */
export interface FaultOptions {
  /** The sender. Sends made outside any process come from the system's root, `system.pid`. */
  from?: SendEndpoint;
  /** The receiver. */
  to?: SendEndpoint;
  /**
   * A ts-pattern pattern or a predicate over the message. A GenServer call or cast travels
   * as an envelope whose `request` field is the request: match `{ request: { type: 'get' } }`.
   */
  match?: Selector;
  /** How many sends the fault applies to before it retires. Default: no limit. */
  count?: number;
}

/** Options of {@link delay}. */
export interface DelayFaultOptions extends FaultOptions {
  /** How long each matching message is held, on the system clock. */
  delayMs: number;
}

/** Options of {@link duplicate}. */
export interface DuplicateFaultOptions extends FaultOptions {
  /** How many times each matching message is delivered in all. Default 2. */
  copies?: number;
}

/** An installed fault: how often it applied, and a way to remove it. */
export interface Fault {
  /** The fault's effect on a matching send. */
  readonly kind: 'drop' | 'delay' | 'duplicate';
  /** The sends it has applied to so far. */
  readonly hits: number;
  /** False once removed or once `count` sends were hit. */
  readonly active: boolean;
  /** Removes the fault; later sends are delivered as usual. */
  remove(): void;
}

class FaultRule implements SendRule, Fault {
  hits = 0;
  active = true;
  private readonly matchesFrom: (pid: Pid) => boolean;
  private readonly matchesTo: (pid: Pid) => boolean;
  private readonly matchesMessage: ((message: unknown) => boolean) | null;
  private readonly limit: number;

  constructor(
    private readonly system: ActorSystem,
    readonly kind: Fault['kind'],
    private readonly verdict: RuleVerdict,
    options: FaultOptions,
  ) {
    this.matchesFrom = endpointMatcher(system, 'from', options.from);
    this.matchesTo = endpointMatcher(system, 'to', options.to);
    this.matchesMessage = toPredicate(options.match);
    this.limit = checkCount(options.count);
  }

  decide(send: SendEvent): RuleVerdict | undefined {
    if (!this.active) return undefined;
    if (!this.matchesFrom(send.from) || !this.matchesTo(send.to)) return undefined;
    if (this.matchesMessage !== null && !this.matchesMessage(send.message)) return undefined;
    this.hits++;
    if (this.hits >= this.limit) this.remove();
    return this.verdict;
  }

  onRemove(): void {
    this.active = false;
  }

  remove(): void {
    sendLayer(this.system).removeRule(this);
  }
}

function endpointMatcher(
  system: ActorSystem,
  field: string,
  endpoint: SendEndpoint | undefined,
): (pid: Pid) => boolean {
  if (endpoint === undefined) return () => true;
  if (isPid(endpoint)) return (pid) => pid.equals(endpoint);
  if (typeof endpoint === 'string') return (pid) => system.whereis(endpoint)?.equals(pid) === true;
  if (typeof endpoint === 'function') return endpoint;
  return invalidArgument(
    field,
    'a Pid, a registered name or a predicate (pid) => boolean',
    endpoint,
  );
}

function checkCount(count: unknown): number {
  if (count === undefined) return Number.POSITIVE_INFINITY;
  if (
    typeof count !== 'number' ||
    !(Number.isInteger(count) || count === Number.POSITIVE_INFINITY) ||
    count < 1
  ) {
    invalidArgument('count', 'a positive integer or Infinity', count);
  }
  return count;
}

function install(
  system: ActorSystem,
  kind: Fault['kind'],
  decision: InterceptDecision,
  label: string,
  options: FaultOptions,
): Fault {
  checkSystem(system);
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  const rule = new FaultRule(system, kind, { decision, label }, options);
  sendLayer(system).addRule(rule);
  return rule;
}

/**
 * Drops the matching sends: the message never arrives. A dropped call reply leaves its caller
 * to time out.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { faults, createTestSystem, refuteReceive, assertReceive } from '@starweave/testing';
 *
 * const t = createTestSystem();
 * const echo = t.system.spawn({ handleMessage: (self, m) => self.send(m.from, { type: 'echo', n: m.n }) });
 * const lost = faults.drop(t.system, { from: echo, match: { n: 1 }, count: 1 });
 * t.system.send(echo, { from: t.system.pid, n: 1 });
 * t.system.send(echo, { from: t.system.pid, n: 2 });
 * await assertReceive(t.system, { type: 'echo', n: 2 });
 * await refuteReceive(t.system, { type: 'echo', n: 1 });
 * assert.equal(lost.hits, 1);
 * await t.shutdown();
 * ```
 */
export function drop(system: ActorSystem, options: FaultOptions = {}): Fault {
  return install(system, 'drop', 'drop', 'dropped', options);
}

/**
 * Holds each matching message for `delayMs` on the system clock, then delivers it (unless the
 * receiver ended meanwhile). Messages sent later may overtake it, so delays reorder.
 */
export function delay(system: ActorSystem, options: DelayFaultOptions): Fault {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object with delayMs', options);
  }
  const { delayMs } = options;
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
    invalidArgument('delayMs', 'a non-negative finite number of milliseconds', delayMs);
  }
  return install(system, 'delay', { delayMs }, `delayed ${delayMs} ms`, options);
}

/** Delivers each matching message `copies` times (default 2), one right after the other. */
export function duplicate(system: ActorSystem, options: DuplicateFaultOptions = {}): Fault {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  const copies = options.copies ?? 2;
  if (!Number.isInteger(copies) || copies < 1) {
    invalidArgument('copies', 'a positive integer', copies);
  }
  return install(system, 'duplicate', { duplicate: copies }, `delivered ${copies} times`, options);
}

/** Removes every fault and pending crash injection of `system`. */
export function clear(system: ActorSystem): void {
  checkSystem(system);
  sendLayer(system).removeRules(() => true);
}
