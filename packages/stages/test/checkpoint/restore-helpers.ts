/**
 * Re-exports for the restore tests, plus the versioned encoding stages use for snapshots.
 */
import { encodeVersioned } from '@starweave/actors';

export { CheckpointCoordinator, GenStage, MemoryCheckpointStore } from '@starweave/stages';

/** Encodes a snapshot the way a stage saves it. */
export function encodeSnapshotForTest(value: unknown): Uint8Array {
  return encodeVersioned(value);
}
