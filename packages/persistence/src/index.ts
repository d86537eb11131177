/**
 * @starweave/persistence: event journals and snapshot stores on SQLite and PostgreSQL, with
 * optimistic concurrency, tags for projections and upcasters for old event versions.
 */
export type { EventInput, Journal, JournalCounters, PersistedEvent } from './journal.js';
export {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_SCHEMA,
  type PgOptions,
} from './pg/connection.js';
export { PG_SCHEMA_VERSION } from './pg/migrations.js';
export { PgJournal, type PgJournalOptions } from './pg/pg-journal.js';
export { PgSnapshotStore, type PgSnapshotStoreOptions } from './pg/pg-snapshot-store.js';
export type { LoadSnapshotOptions, Snapshot, SnapshotStore } from './snapshot-store.js';
export { DEFAULT_BUSY_TIMEOUT_MS, type SqliteOptions } from './sqlite/connection.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite/migrations.js';
export { SqliteJournal, type SqliteJournalOptions } from './sqlite/sqlite-journal.js';
export {
  SqliteSnapshotStore,
  type SqliteSnapshotStoreOptions,
} from './sqlite/sqlite-snapshot-store.js';
export {
  DEFAULT_PAGE_SIZE,
  type JournalOptions,
  type StoreOptions,
  type WallClock,
} from './store-options.js';
export { type Upcaster, Upcasters } from './upcasters.js';
export { MAX_EVENT_TYPE_LENGTH, MAX_PERSISTENCE_ID_LENGTH, MAX_TAG_LENGTH } from './validate.js';
export * as PersistentProcess from './process/persistent-process.js';
export type {
  CommandContext,
  CommandResult,
  PersistentSpec,
  PersistentStartOptions,
  PersistentState,
} from './process/persistent-spec.js';
export {
  PgCheckpointStore,
  type PgCheckpointStoreOptions,
} from './checkpoint/pg-checkpoint-store.js';
export {
  DEFAULT_PIPELINE_ID,
  SqliteCheckpointStore,
  type SqliteCheckpointStoreOptions,
} from './checkpoint/sqlite-checkpoint-store.js';
export { MAX_CHECKPOINT_NAME_LENGTH } from './checkpoint/checkpoint-checks.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_POLL_INTERVAL_MS,
  type EventsByTagOptions,
} from './stage/events-by-tag-options.js';
export * as EventsByTagProducer from './stage/events-by-tag-producer.js';
export type { EventsByTagState, ProducerOffsets } from './stage/events-by-tag-spec.js';
export type { OffsetStore } from './stage/offset-store.js';
export { PgOffsetStore, type PgOffsetStoreOptions } from './stage/pg-offset-store.js';
export { SqliteOffsetStore, type SqliteOffsetStoreOptions } from './stage/sqlite-offset-store.js';
