/**
 * The offset store: where a projection keeps the ordering of the last event its consumers
 * acknowledged, so that after a restart it reads on from there.
 */

/**
 * A store of projection offsets, one per projection id. An offset is an ordering of the
 * journal (see `PersistedEvent.ordering`): the events at or below it are done.
 */
export interface OffsetStore {
  /** Resolves to the committed offset of a projection, or undefined when none was saved. */
  load(projectionId: string): Promise<number | undefined>;
  /** Stores `offset` as the committed offset of a projection, replacing the one before. */
  save(projectionId: string, offset: number): Promise<void>;
  /** Releases the connections. Later calls fail with ERR_STORE; closing twice is harmless. */
  close(): Promise<void>;
}
