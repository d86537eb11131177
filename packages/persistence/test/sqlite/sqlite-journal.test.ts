/**
 * What only the SQLite journal does: WAL settings, batching of one tick's appends, read-only
 * files, and the versioned schema.
 */
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryLogger } from '@starweave/actors';
import { SQLITE_SCHEMA_VERSION, SqliteJournal, SqliteSnapshotStore } from '@starweave/persistence';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, deposits } from '../contract/fixture.js';
import { makeTempDir } from './fixtures.js';

let dir: string;
let filename: string;

beforeEach(() => {
  dir = makeTempDir();
  filename = join(dir, 'journal.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `open` with the effective uid of `nobody`, so file permissions apply even to root. */
function asNobody<T>(open: () => T): T {
  if (process.getuid?.() !== 0) return open();
  process.setegid!(65534);
  process.seteuid!(65534);
  try {
    return open();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}

describe('SqliteJournal.open', () => {
  it('puts a file in WAL mode with synchronous NORMAL', async () => {
    const journal = await SqliteJournal.open({ filename });
    expect(journal.database.pragma('journal_mode', { simple: true })).toBe('wal');
    // synchronous: 0 OFF, 1 NORMAL, 2 FULL.
    expect(journal.database.pragma('synchronous', { simple: true })).toBe(1);
    await journal.close();
  });

  it('creates the tables once and records the schema version', async () => {
    const first = await SqliteJournal.open({ filename });
    const second = await SqliteSnapshotStore.open({ filename });
    await first.close();
    await second.close();
    await (await SqliteJournal.open({ filename })).close();

    const db = new Database(filename);
    const versions = db.prepare('SELECT version FROM starweave_migrations').pluck().all();
    db.close();
    expect(versions).toEqual([SQLITE_SCHEMA_VERSION]);
  });

  it('fails with ERR_STORE on a schema newer than it knows', async () => {
    await (await SqliteJournal.open({ filename })).close();
    const db = new Database(filename);
    db.prepare("INSERT INTO starweave_migrations VALUES (99, 'from the future', 0)").run();
    db.close();

    const opening = SqliteJournal.open({ filename });
    await expect(opening).rejects.toMatchObject({ code: 'ERR_STORE' });
    await expect(opening).rejects.toThrow(/schema version 99.*Upgrade/);
  });

  it('fails with ERR_STORE naming a file it cannot create', async () => {
    const missing = join(dir, 'no-such-folder', 'journal.db');
    const opening = SqliteJournal.open({ filename: missing });
    await expect(opening).rejects.toMatchObject({ code: 'ERR_STORE' });
    await expect(opening).rejects.toThrow(missing);
  });

  it('fails with ERR_STORE on a file that is not a database', async () => {
    const db = new Database(filename);
    db.close();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(filename, 'this is plain text, not an SQLite database file. '.repeat(100));
    await expect(SqliteJournal.open({ filename })).rejects.toMatchObject({ code: 'ERR_STORE' });
  });

  it.each([
    ['filename', { filename: '' }, /filename/],
    ['filename', {}, /filename.*undefined/],
    ['readOnly', { filename: ':memory:', readOnly: true }, /readOnly/],
    ['busyTimeoutMs', { filename: ':memory:', busyTimeoutMs: -1 }, /busyTimeoutMs.*-1/],
    ['pageSize', { filename: ':memory:', pageSize: 0 }, /pageSize.*0/],
    ['database', { database: {} as never }, /database/],
    ['logger', { filename: ':memory:', logger: { info() {} } as never }, /logger/],
    ['clock', { filename: ':memory:', clock: { time: 0 } as never }, /clock/],
    ['upcasters', { filename: ':memory:', upcasters: {} as never }, /upcasters/],
  ])('fails with ERR_INVALID_ARGUMENT on a bad %s', async (_, options, message) => {
    const opening = SqliteJournal.open(options);
    await expect(opening).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(opening).rejects.toThrow(message);
  });
});

describe('SqliteJournal.append', () => {
  it('writes the appends of one tick in one transaction', async () => {
    const journal = await SqliteJournal.open({ filename });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => journal.append(`id-${i}`, deposits(2), 0)),
    );

    expect(journal.counters()).toMatchObject({ batches: 1, appends: 100, events: 200 });
    await journal.append('id-0', deposits(1), 2);
    expect(journal.counters().batches).toBe(2);
    await journal.close();
  });

  it('fails with ERR_STORE on the first write to a read-only file', async () => {
    const writable = await SqliteJournal.open({ filename });
    await writable.append('a', deposits(2, 1, ['t']), 0);
    await writable.close();
    chmodSync(dir, 0o777);
    chmodSync(filename, 0o444);

    const logger = new MemoryLogger();
    const journal = await asNobody(() => SqliteJournal.open({ filename, logger }));
    const appending = journal.append('a', deposits(1, 3), 2);
    await expect(appending).rejects.toMatchObject({ code: 'ERR_STORE' });
    await expect(appending).rejects.toThrow(/read-only|readonly/);
    await expect(appending).rejects.toThrow(filename);
    expect(logger.find('persistence.append_failed')).toHaveLength(1);

    expect((await collect(journal.replay('a'))).map((event) => event.seq)).toEqual([1, 2]);
    expect(await journal.highestSeq('a')).toBe(2);
    await expect(journal.deleteTo('a', 1)).rejects.toMatchObject({ code: 'ERR_STORE' });
    await journal.close();
  });

  it('fails every append of a batch with ERR_STORE when the file is read-only', async () => {
    await (await SqliteJournal.open({ filename })).close();
    const journal = await SqliteJournal.open({ filename, readOnly: true });
    const results = await Promise.allSettled([
      journal.append('a', deposits(1), 0),
      journal.append('b', deposits(1), 0),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_STORE' });
    }
    await journal.close();
  });

  it('fails with ERR_CONFLICT across two journals on one file', async () => {
    const first = await SqliteJournal.open({ filename });
    const second = await SqliteJournal.open({ filename });
    await first.append('a', deposits(1), 0);

    await expect(second.append('a', deposits(1), 0)).rejects.toMatchObject({
      code: 'ERR_CONFLICT',
    });
    expect(await second.append('a', deposits(1, 2), 1)).toBe(2);
    expect(await first.highestSeq('a')).toBe(2);
    await first.close();
    await second.close();
  });
});

describe('SqliteJournal.replay', () => {
  it('fails with ERR_DECODE on a payload in an unknown wire format', async () => {
    const journal = await SqliteJournal.open({ filename });
    await journal.append('a', deposits(2), 0);
    const db = new Database(filename);
    db.prepare('UPDATE starweave_journal SET format = 9 WHERE seq = 2').run();
    db.close();

    const reading = collect(journal.replay('a'));
    await expect(reading).rejects.toMatchObject({ code: 'ERR_DECODE', details: { seq: 2 } });
    await expect(reading).rejects.toThrow(/wire format 9/);
    await journal.close();
  });

  it('lets appends run while a replay is paused between pages', async () => {
    const journal = await SqliteJournal.open({ filename, pageSize: 10 });
    await journal.append('a', deposits(25), 0);

    const seen: number[] = [];
    for await (const event of journal.replay('a')) {
      seen.push(event.seq);
      if (event.seq === 5) await journal.append('a', deposits(5, 26), 25);
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await journal.close();
  });

  it.each([
    ['tags', "tags = '{not json'", /tags|JSON/],
    ['version', 'version = 0', /invalid version 0/],
  ])('fails with ERR_DECODE on corrupt %s', async (_, change, message) => {
    const journal = await SqliteJournal.open({ filename });
    await journal.append('a', deposits(2, 1, ['t']), 0);
    const db = new Database(filename);
    db.prepare(`UPDATE starweave_journal SET ${change} WHERE seq = 2`).run();
    db.close();

    const reading = collect(journal.replay('a'));
    await expect(reading).rejects.toMatchObject({ code: 'ERR_DECODE', details: { seq: 2 } });
    await expect(reading).rejects.toThrow(message);
    await journal.close();
  });

  it('logs and counts a row that fails to decode', async () => {
    const logger = new MemoryLogger();
    const journal = await SqliteJournal.open({ filename, logger });
    await journal.append('a', deposits(2), 0);
    const db = new Database(filename);
    db.prepare("UPDATE starweave_journal SET payload = x'9201' WHERE seq = 2").run();
    db.close();

    await expect(collect(journal.replay('a'))).rejects.toMatchObject({ code: 'ERR_DECODE' });
    expect(logger.find('persistence.decode_failed')[0]?.fields).toMatchObject({
      persistenceId: 'a',
      seq: 2,
    });
    await journal.close();
  });
});
