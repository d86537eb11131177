/**
 * Saving and restoring the state of a CEP engine as plain data. Shared prefixes of partial
 * matches are written once, as a table of nodes that refer to each other by index, so a
 * restored engine shares them again. Times that are not finite are written as null.
 */
import { StarweaveError } from '@starweave/actors';
import { type Completion, KeyState, Run } from './automaton.js';
import { BufferNode } from './buffer.js';
import type { CompiledPattern } from './compile.js';
import type { CepKey } from './types.js';

/** The format name written into every snapshot. */
export const SNAPSHOT_FORMAT = 'starweave.cep';
/** The snapshot format version; readers reject other versions. */
export const SNAPSHOT_VERSION = 1;

/** One node: event, step index, index of the previous node (-1 for none), position, time. */
export type SnapshotNode = [event: unknown, step: number, prev: number, seq: number, time: number];

/** One partial match. */
export type SnapshotRun = [
  node: number,
  step: number,
  count: number,
  modes: number,
  fresh: boolean,
  startSeq: number,
  startTime: number,
  lastTime: number,
  anchorTime: number,
  complete: boolean,
];

/** One held match: node, first position, order, completion time. */
export type SnapshotHeld = [node: number, startSeq: number, order: number, completedAt: number];

/** A buffered event: the event, its time, its key and its arrival number. */
export type SnapshotBuffered = [event: unknown, time: number, key: CepKey, arrival: number];

/** The state of a CEP engine as plain data. */
export interface CepSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  fingerprint: string;
  time: number | null;
  watermark: number | null;
  maxSeen: number | null;
  seq: number;
  arrival: number;
  closed: boolean;
  counters: Record<string, number>;
  nodes: SnapshotNode[];
  keys: [key: CepKey, createdSeq: number, runs: SnapshotRun[], held: SnapshotHeld[]][];
  buffer: SnapshotBuffered[];
}

/** The engine state that `writeSnapshot` takes and `readSnapshot` returns. */
export interface EngineState {
  fingerprint: string;
  time: number;
  watermark: number;
  maxSeen: number;
  seq: number;
  arrival: number;
  closed: boolean;
  counters: Record<string, number>;
  keys: Map<CepKey, KeyState>;
  buffer: { event: unknown; time: number; key: CepKey; arrival: number }[];
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** Writes the engine state as plain data. */
export function writeSnapshot(state: EngineState): CepSnapshot {
  const nodes: SnapshotNode[] = [];
  const ids = new Map<BufferNode, number>();

  const idOf = (node: BufferNode): number => {
    const known = ids.get(node);
    if (known !== undefined) return known;
    // Writes the unwritten part of the chain oldest first, so a node's prev is always earlier.
    const chain: BufferNode[] = [];
    for (
      let current: BufferNode | null = node;
      current !== null && !ids.has(current);
      current = current.prev
    ) {
      chain.push(current);
    }
    for (let index = chain.length - 1; index >= 0; index -= 1) {
      const current = chain[index]!;
      const prev = current.prev === null ? -1 : ids.get(current.prev)!;
      ids.set(current, nodes.length);
      nodes.push([current.event, current.step, prev, current.seq, current.time]);
    }
    return ids.get(node)!;
  };

  const keys: CepSnapshot['keys'] = [];
  for (const keyState of state.keys.values()) {
    if (keyState.isIdle()) continue;
    const runs: SnapshotRun[] = keyState.runs.map((run) => [
      idOf(run.node),
      run.step,
      run.count,
      run.modes,
      run.fresh,
      run.startSeq,
      run.startTime,
      run.lastTime,
      run.anchorTime,
      run.complete,
    ]);
    const held: SnapshotHeld[] = keyState.held.map((completion) => [
      idOf(completion.node),
      completion.startSeq,
      completion.order,
      completion.completedAt,
    ]);
    keys.push([keyState.key, keyState.createdSeq, runs, held]);
  }

  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    fingerprint: state.fingerprint,
    time: finiteOrNull(state.time),
    watermark: finiteOrNull(state.watermark),
    maxSeen: finiteOrNull(state.maxSeen),
    seq: state.seq,
    arrival: state.arrival,
    closed: state.closed,
    counters: { ...state.counters },
    nodes,
    keys,
    buffer: state.buffer.map((item) => [item.event, item.time, item.key, item.arrival]),
  };
}

function invalidSnapshot(problem: string): never {
  throw new StarweaveError(
    'ERR_INVALID_ARGUMENT',
    `invalid snapshot: ${problem}. Restore a snapshot taken from an engine with the same pattern.`,
  );
}

/** Reads a snapshot written by `writeSnapshot` for an engine of `pattern`. */
export function readSnapshot(snapshot: CepSnapshot, pattern: CompiledPattern): EngineState {
  if (snapshot === null || typeof snapshot !== 'object' || snapshot.format !== SNAPSHOT_FORMAT) {
    invalidSnapshot(`expected an object with format "${SNAPSHOT_FORMAT}"`);
  }
  if (snapshot.version !== SNAPSHOT_VERSION) {
    invalidSnapshot(`version ${String(snapshot.version)} is not the supported ${SNAPSHOT_VERSION}`);
  }
  if (snapshot.fingerprint !== pattern.fingerprint) {
    invalidSnapshot(
      `it was taken for the pattern "${snapshot.fingerprint}", not "${pattern.fingerprint}"`,
    );
  }

  const nodes: BufferNode[] = [];
  for (const [event, step, prev, seq, time] of snapshot.nodes) {
    if (prev >= nodes.length)
      invalidSnapshot(`node ${nodes.length} refers to the later node ${prev}`);
    nodes.push(new BufferNode(event, step, prev < 0 ? null : nodes[prev]!, seq, time));
  }
  const nodeAt = (index: number): BufferNode =>
    nodes[index] ?? invalidSnapshot(`node ${index} is missing`);

  const keys = new Map<CepKey, KeyState>();
  for (const [key, createdSeq, runs, held] of snapshot.keys) {
    const keyState = new KeyState(key, createdSeq);
    keyState.runs = runs.map(
      ([node, step, count, modes, fresh, startSeq, startTime, lastTime, anchorTime, complete]) =>
        new Run(
          nodeAt(node),
          step,
          count,
          modes,
          fresh,
          startSeq,
          startTime,
          lastTime,
          anchorTime,
          complete,
        ),
    );
    keyState.held = held.map(
      ([node, startSeq, order, completedAt]): Completion => ({
        node: nodeAt(node),
        startSeq,
        startTime: firstTime(nodeAt(node)),
        completedAt,
        order,
      }),
    );
    keys.set(key, keyState);
  }

  return {
    fingerprint: snapshot.fingerprint,
    time: snapshot.time ?? Number.NEGATIVE_INFINITY,
    watermark: snapshot.watermark ?? Number.NEGATIVE_INFINITY,
    maxSeen: snapshot.maxSeen ?? Number.NEGATIVE_INFINITY,
    seq: snapshot.seq,
    arrival: snapshot.arrival,
    closed: snapshot.closed,
    counters: { ...snapshot.counters },
    keys,
    buffer: snapshot.buffer.map(([event, time, key, arrival]) => ({ event, time, key, arrival })),
  };
}

function firstTime(node: BufferNode): number {
  let current = node;
  while (current.prev !== null) current = current.prev;
  return current.time;
}
