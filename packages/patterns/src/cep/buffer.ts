/**
 * The shared buffer of partial matches. Each accepted event becomes a node that points to the
 * node before it in its partial match, so partial matches that branch from one prefix share
 * that prefix's nodes (the role of SASE's stacks and FlinkCEP's SharedBuffer). A node lives as
 * long as some partial match, held match or snapshot refers to it; the garbage collector frees
 * the rest.
 */
import type { MatchContext, MatchEvents } from './types.js';

/** One event bound to one positive step of a partial match. */
export class BufferNode {
  constructor(
    readonly event: unknown,
    /** Index of the positive step the event is bound to. */
    readonly step: number,
    /** The previous node of the partial match, or null for its first event. */
    readonly prev: BufferNode | null,
    /** Position of the event in the processing order of the engine. */
    readonly seq: number,
    /** Event time of the event. */
    readonly time: number,
  ) {}
}

/** The context handed to conditions; one instance is reused for every evaluation. */
export class BufferContext implements MatchContext<any> {
  node: BufferNode | null = null;
  timestamp = 0;

  constructor(private readonly names: readonly string[]) {}

  events(name: string): any[] {
    const step = this.names.indexOf(name);
    const events: unknown[] = [];
    if (step < 0) return events;
    for (let node = this.node; node !== null; node = node.prev) {
      if (node.step === step) events.push(node.event);
    }
    return events.reverse();
  }
}

/** Builds events-per-step objects for the partial matches of one pattern. */
export class Materializer {
  private readonly counts: Int32Array;
  private readonly template: Record<string, unknown[]>;

  constructor(private readonly names: readonly string[]) {
    this.counts = new Int32Array(names.length);
    this.template = {};
    for (const name of names) this.template[name] = [];
  }

  /** Returns the events of the partial match that ends at `node`, per step, oldest first. */
  materialize(node: BufferNode | null): MatchEvents<any> {
    const names = this.names;
    const counts = this.counts;
    counts.fill(0);
    for (let current = node; current !== null; current = current.prev) counts[current.step]! += 1;
    // Copying a template keeps every output object of one pattern in one hidden class.
    const events = { ...this.template };
    const arrays: unknown[][] = [];
    for (let step = 0; step < names.length; step += 1) {
      const array = new Array(counts[step]!);
      arrays.push(array);
      events[names[step]!] = array;
    }
    for (let current = node; current !== null; current = current.prev) {
      counts[current.step]! -= 1;
      arrays[current.step]![counts[current.step]!] = current.event;
    }
    return events;
  }
}

/** Compares two partial matches by the positions of their events, then by their steps. */
export function compareChains(left: BufferNode, right: BufferNode): number {
  const a = chainOf(left);
  const b = chainOf(right);
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const difference = a[index]!.seq - b[index]!.seq;
    if (difference !== 0) return difference;
  }
  if (a.length !== b.length) return a.length - b.length;
  for (let index = 0; index < length; index += 1) {
    const difference = a[index]!.step - b[index]!.step;
    if (difference !== 0) return difference;
  }
  return 0;
}

function chainOf(node: BufferNode): BufferNode[] {
  const chain: BufferNode[] = [];
  for (let current: BufferNode | null = node; current !== null; current = current.prev) {
    chain.push(current);
  }
  return chain.reverse();
}
