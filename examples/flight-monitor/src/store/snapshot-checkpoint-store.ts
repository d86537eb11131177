/**
 * A checkpoint store kept in a persistence snapshot store (SQLite or PostgreSQL), so that
 * checkpoints live in the same database as the journal and outlive the process.
 */
import type { SnapshotStore } from '@starweave/persistence';
import type { CheckpointStore } from '@starweave/stages';

/**
 * Stores each stage's snapshot of checkpoint n as the snapshot at sequence n of persistence id
 * `checkpoint-STAGE`, and marks completed checkpoints in `checkpoint-completed`. Completing a
 * checkpoint deletes the older snapshots of the stages it has seen.
 */
export class SnapshotCheckpointStore implements CheckpointStore {
  private readonly stages = new Set<string>();

  constructor(
    private readonly snapshots: SnapshotStore,
    private readonly prefix = 'checkpoint',
  ) {}

  async save(checkpointId: number, stageId: string, bytes: Uint8Array): Promise<void> {
    this.stages.add(stageId);
    await this.snapshots.save(`${this.prefix}-${stageId}`, checkpointId, bytes);
  }

  async complete(checkpointId: number): Promise<void> {
    const latest = await this.latestCompleted();
    if (latest !== undefined && checkpointId <= latest) return;
    await this.snapshots.save(`${this.prefix}-completed`, checkpointId, { checkpointId });
    const older = checkpointId - 1;
    if (older < 1) return;
    await this.snapshots.deleteTo(`${this.prefix}-completed`, older);
    for (const stage of this.stages)
      await this.snapshots.deleteTo(`${this.prefix}-${stage}`, older);
  }

  async latestCompleted(): Promise<number | undefined> {
    return (await this.snapshots.loadLatest(`${this.prefix}-completed`))?.seq;
  }

  async load(checkpointId: number, stageId: string): Promise<Uint8Array | undefined> {
    const snapshot = await this.snapshots.loadLatest<Uint8Array>(`${this.prefix}-${stageId}`, {
      maxSeq: checkpointId,
    });
    return snapshot?.seq === checkpointId ? snapshot.state : undefined;
  }
}
