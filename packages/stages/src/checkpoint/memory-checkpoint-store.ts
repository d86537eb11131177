/**
 * A checkpoint store in memory: for tests, and for pipelines that restart within one process
 * (a supervisor restarting crashed stages) and need nothing to outlive it.
 */
import { invalidArgument } from '@starweave/actors';
import type { CheckpointStore } from './checkpoint-store.js';

/**
 * Keeps checkpoint snapshots in a map. Only the snapshots of the latest completed checkpoint
 * and of newer ones are kept; completing a checkpoint drops the older snapshots.
 *
 * @example
 * ```ts
 * import { MemoryCheckpointStore } from '@starweave/stages';
 *
 * const store = new MemoryCheckpointStore();
 * store.save(1, 'counter', new Uint8Array([1, 2, 3]));
 * store.complete(1);
 * console.assert(store.latestCompleted() === 1);
 * console.assert(store.load(1, 'counter')?.length === 3);
 * ```
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly snapshots = new Map<number, Map<string, Uint8Array>>();
  private latest: number | undefined = undefined;

  save(checkpointId: number, stageId: string, bytes: Uint8Array): void {
    checkId(checkpointId);
    if (typeof stageId !== 'string' || stageId.length === 0) {
      invalidArgument('stageId', 'a non-empty string', stageId);
    }
    if (!(bytes instanceof Uint8Array)) invalidArgument('bytes', 'a Uint8Array', bytes);
    let stages = this.snapshots.get(checkpointId);
    if (stages === undefined) {
      stages = new Map();
      this.snapshots.set(checkpointId, stages);
    }
    // A copy, so that a caller reusing its buffer cannot change a stored snapshot.
    stages.set(stageId, bytes.slice());
  }

  complete(checkpointId: number): void {
    checkId(checkpointId);
    if (this.latest !== undefined && checkpointId <= this.latest) return;
    this.latest = checkpointId;
    for (const id of this.snapshots.keys()) {
      if (id < checkpointId) this.snapshots.delete(id);
    }
  }

  latestCompleted(): number | undefined {
    return this.latest;
  }

  load(checkpointId: number, stageId: string): Uint8Array | undefined {
    checkId(checkpointId);
    return this.snapshots.get(checkpointId)?.get(stageId)?.slice();
  }
}

function checkId(checkpointId: unknown): void {
  if (!Number.isInteger(checkpointId) || (checkpointId as number) < 1) {
    invalidArgument('checkpointId', 'a positive integer', checkpointId);
  }
}
