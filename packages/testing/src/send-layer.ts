/**
 * The one send interceptor the testing kit installs per system. A system has a single
 * interceptor slot, so fault rules, crash injections and traces register here and share it.
 */
import type { ActorSystem, InterceptDecision, Pid } from '@starweave/actors';

/** One send between two processes, as passed to the interceptor. */
export interface SendEvent {
  from: Pid;
  to: Pid;
  message: unknown;
}

/** What a rule decides for a send: the decision, a label for traces, and an action after it. */
export interface RuleVerdict {
  decision: InterceptDecision;
  /** A short description for traces, such as `'dropped'` or `'delayed 50 ms'`. */
  label: string;
  /** Runs once the decision is made and observers have seen it. */
  after?: () => void;
}

/** A fault rule: returns a verdict for the sends it handles and undefined for the rest. */
export interface SendRule {
  decide(send: SendEvent): RuleVerdict | undefined;
  /** Called once when the rule leaves the layer. */
  onRemove?(): void;
}

/** Sees every send with the verdict of the rule that handled it (undefined: delivered). */
export type SendObserver = (send: SendEvent, verdict: RuleVerdict | undefined) => void;

/**
 * Rules and observers of one system. Rules are asked in the order they were added, and the
 * first verdict wins. The interceptor is installed only while a rule or an observer exists, so
 * a system without them keeps the plain send path.
 */
export class SendLayer {
  private rules: SendRule[] = [];
  private readonly observers = new Set<SendObserver>();
  private installed = false;

  constructor(private readonly system: ActorSystem) {}

  /** Adds a rule after the existing ones and returns a function that removes it. */
  addRule(rule: SendRule): () => void {
    this.rules.push(rule);
    this.sync();
    return () => this.removeRule(rule);
  }

  /** Removes a rule; unknown rules are ignored. */
  removeRule(rule: SendRule): void {
    this.removeRules((existing) => existing === rule);
  }

  /** Removes every rule that `predicate` accepts. */
  removeRules(predicate: (rule: SendRule) => boolean): void {
    const removed = this.rules.filter(predicate);
    if (removed.length === 0) return;
    this.rules = this.rules.filter((rule) => !removed.includes(rule));
    this.sync();
    for (const rule of removed) rule.onRemove?.();
  }

  /** Adds an observer and returns a function that removes it. */
  addObserver(observer: SendObserver): () => void {
    this.observers.add(observer);
    this.sync();
    return () => {
      this.observers.delete(observer);
      this.sync();
    };
  }

  private readonly intercept = (send: SendEvent): InterceptDecision => {
    let verdict: RuleVerdict | undefined;
    // The array is replaced, never mutated, so a rule that removes itself mid-loop is safe.
    for (const rule of this.rules) {
      verdict = rule.decide(send);
      if (verdict !== undefined) break;
    }
    for (const observer of this.observers) observer(send, verdict);
    verdict?.after?.();
    return verdict?.decision ?? 'deliver';
  };

  private sync(): void {
    const needed = this.rules.length > 0 || this.observers.size > 0;
    if (needed === this.installed) return;
    this.installed = needed;
    this.system.setSendInterceptor(needed ? this.intercept : null);
  }
}
