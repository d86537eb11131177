/**
 * Argument checks of persistent processes: the spec and the start options, each failing with
 * ERR_INVALID_ARGUMENT that names the field, what was expected and the value received.
 */
import { invalidArgument } from '@starweave/actors';
import type { PersistentSpec, PersistentStartOptions } from './persistent-spec.js';

const REQUIRED_CALLBACKS = ['persistenceId', 'initialState', 'applyEvent', 'handleCommand'];
const JOURNAL_METHODS = ['append', 'replay', 'highestSeq'];
const SNAPSHOT_METHODS = ['save', 'loadLatest'];

/** Checks a persistent process spec. */
export function checkPersistentSpec(spec: unknown): void {
  if (spec === null || typeof spec !== 'object') {
    invalidArgument(
      'spec',
      'a persistent process spec { persistenceId, initialState, applyEvent, handleCommand }',
      spec,
    );
  }
  const raw = spec as Record<string, unknown>;
  for (const key of REQUIRED_CALLBACKS) {
    if (typeof raw[key] !== 'function') invalidArgument(`spec.${key}`, 'a function', raw[key]);
  }
  if (raw.tagsOf !== undefined && typeof raw.tagsOf !== 'function') {
    invalidArgument('spec.tagsOf', 'a function or undefined', raw.tagsOf);
  }
  const every = raw.snapshotEvery;
  if (every !== undefined && (!Number.isSafeInteger(every) || (every as number) < 1)) {
    invalidArgument('spec.snapshotEvery', 'a positive integer or undefined', every);
  }
}

/** Checks the start options against the spec they start. */
export function checkStartOptions(
  spec: PersistentSpec<unknown>,
  options: unknown,
): asserts options is PersistentStartOptions {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an object { journal, snapshots? }', options);
  }
  const { journal, snapshots } = options as Record<string, unknown>;
  if (!hasMethods(journal, JOURNAL_METHODS)) {
    invalidArgument('options.journal', 'a Journal such as SqliteJournal or PgJournal', journal);
  }
  if (snapshots !== undefined && !hasMethods(snapshots, SNAPSHOT_METHODS)) {
    invalidArgument(
      'options.snapshots',
      'a SnapshotStore such as SqliteSnapshotStore, or undefined',
      snapshots,
    );
  }
  if (spec.snapshotEvery !== undefined && snapshots === undefined) {
    invalidArgument(
      'options.snapshots',
      `a SnapshotStore, because the spec sets snapshotEvery to ${spec.snapshotEvery}`,
      snapshots,
      'Pass a snapshot store, or remove snapshotEvery from the spec.',
    );
  }
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return methods.every((name) => typeof record[name] === 'function');
}
