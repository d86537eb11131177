/**
 * PersistentProcess on an SQLite file: recovery from snapshots and events, the order of
 * append, apply, side effect and reply, snapshots, and what a failed write does.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ActorSystem,
  GenServer,
  isStarweaveError,
  MemoryLogger,
  type Pid,
  type Reason,
  silentLogger,
} from '@starweave/actors';
import {
  PersistentProcess,
  type SnapshotStore,
  SqliteJournal,
  SqliteSnapshotStore,
} from '@starweave/persistence';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../contract/fixture.js';
import { makeTempDir } from '../sqlite/fixtures.js';
import { type Account, type AccountReply, accountSpec, depositEvents } from './account.js';
import { FaultJournal } from './fault-journal.js';

let dir: string;
let filename: string;
let journal: SqliteJournal;
let snapshots: SqliteSnapshotStore;
let system: ActorSystem;

beforeEach(async () => {
  dir = makeTempDir();
  filename = join(dir, 'accounts.db');
  journal = await SqliteJournal.open({ filename });
  snapshots = await SqliteSnapshotStore.open({ filename });
  system = new ActorSystem({ logger: silentLogger });
});

afterEach(async () => {
  await system.shutdown();
  await snapshots.close();
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the exit reason of `pid`. */
function exitReason(pid: Pid): Promise<Reason> {
  return new Promise((resolve) => system.monitor(pid, (down) => resolve(down.reason)));
}

const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `d${from + i}`);

describe('PersistentProcess.startLink', () => {
  it('recovers from the newest snapshot plus the events after it', async () => {
    await journal.append('account-ada', depositEvents(ids(1, 10), 1), 0);
    // A snapshot state that the events alone cannot give shows that recovery started from it.
    await snapshots.save('account-ada', 4, { balance: 4, ids: ids(1, 4) });
    await snapshots.save('account-ada', 6, { balance: 1000, ids: ['from-snapshot'] });

    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', {
      journal,
      snapshots,
    });
    const recovered = await PersistentProcess.getState<Account>(system, pid);

    expect(recovered.seq).toBe(10);
    expect(recovered.snapshotSeq).toBe(6);
    expect(recovered.state.balance).toBe(1004);
    expect(recovered.state.ids).toEqual(['from-snapshot', ...ids(7, 10)]);
  });

  it('recovers from the events alone without a snapshot store', async () => {
    await journal.append('account-ada', depositEvents(ids(1, 3), 5), 0);

    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });

    expect(await PersistentProcess.call(system, pid, { type: 'balance' })).toBe(15);
    expect((await PersistentProcess.getState(system, pid)).seq).toBe(3);
  });

  it('recovers before it handles a command sent during recovery', async () => {
    await journal.append('account-ada', depositEvents(ids(1, 500), 1), 0);

    const started = PersistentProcess.startLink(system, accountSpec(), 'ada', {
      journal,
      name: 'ada',
    });
    // The name is registered before recovery, so this call waits in the mailbox.
    const balance = PersistentProcess.call<number>(system, 'ada', {
      type: 'deposit',
      id: 'late',
      amount: 1,
    });
    await started;

    expect(await balance).toBe(501);
    expect(await journal.highestSeq('account-ada')).toBe(501);
  });

  it('saves a snapshot after a lagging recovery', async () => {
    await journal.append('account-ada', depositEvents(ids(1, 12), 1), 0);

    const pid = await PersistentProcess.startLink(
      system,
      accountSpec({ snapshotEvery: 5 }),
      'ada',
      {
        journal,
        snapshots,
      },
    );
    await PersistentProcess.getState(system, pid);

    const latest = await snapshots.loadLatest<Account>('account-ada');
    expect(latest?.seq).toBe(12);
    expect(latest?.state.balance).toBe(12);
  });

  it('fails with ERR_START_FAILED when events that no snapshot covers are deleted', async () => {
    await journal.append('account-ada', depositEvents(ids(1, 5), 1), 0);
    await journal.deleteTo('account-ada', 2);

    const error = await PersistentProcess.startLink(system, accountSpec(), 'ada', {
      journal,
      snapshots,
    }).catch((thrown: unknown) => thrown);

    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
    const cause = (error as Error).cause;
    expect(isStarweaveError(cause, 'ERR_STORE')).toBe(true);
    expect((cause as Error).message).toContain('events 1 to 2 are missing');
  });

  it('recovers after deleteTo when a snapshot covers the deleted events', async () => {
    await journal.append('account-ada', depositEvents(ids(1, 5), 1), 0);
    await snapshots.save('account-ada', 3, { balance: 3, ids: ids(1, 3) });
    await journal.deleteTo('account-ada', 3);

    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', {
      journal,
      snapshots,
    });

    expect((await PersistentProcess.getState<Account>(system, pid)).state.ids).toEqual(ids(1, 5));
  });

  it('fails with ERR_START_FAILED when the persistence id is invalid', async () => {
    const spec = { ...accountSpec(), persistenceId: () => '' };
    const error = await PersistentProcess.startLink(system, spec, 'ada', { journal }).catch(
      (thrown: unknown) => thrown,
    );
    expect(isStarweaveError(error, 'ERR_START_FAILED')).toBe(true);
    expect(isStarweaveError((error as Error).cause, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it.each([
    ['a spec without applyEvent', { ...accountSpec(), applyEvent: undefined }, {}],
    ['a snapshotEvery of zero', accountSpec({ snapshotEvery: 0 }), {}],
    [
      'snapshotEvery without a snapshot store',
      accountSpec({ snapshotEvery: 10 }),
      { snapshots: undefined },
    ],
    ['a journal that is not one', accountSpec(), { journal: {} }],
  ])('fails with ERR_INVALID_ARGUMENT for %s', (_case, spec, options) => {
    let error: unknown;
    try {
      void PersistentProcess.startLink(system, spec as never, 'ada', {
        journal,
        ...options,
      } as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('PersistentProcess.call', () => {
  it('stores the events before it replies with the new state', async () => {
    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });

    const balance = await PersistentProcess.call(system, pid, {
      type: 'depositMany',
      ids: ['a', 'b', 'c'],
      amount: 7,
    });

    expect(balance).toBe(21);
    const stored = await collect(journal.replay('account-ada'));
    expect(stored.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(stored.map((event) => event.type)).toEqual(['deposited', 'deposited', 'deposited']);
    expect((await PersistentProcess.getState(system, pid)).seq).toBe(3);
  });

  it('persists nothing for a command that returns no events', async () => {
    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });
    await PersistentProcess.call(system, pid, { type: 'deposit', id: 'a', amount: 5 });

    const reply = await PersistentProcess.call<AccountReply>(system, pid, {
      type: 'withdraw',
      id: 'b',
      amount: 9,
    });

    expect(reply).toEqual({ error: 'insufficient funds', balance: 5 });
    expect(await journal.highestSeq('account-ada')).toBe(1);
  });

  it('runs thenRun after the append and before the reply', async () => {
    const seen: Array<{ stored: number; balance: number; seq: number }> = [];
    const spec = accountSpec();
    const pid = await PersistentProcess.startLink(
      system,
      {
        ...spec,
        handleCommand: async (command, account, context) => {
          const result = await spec.handleCommand(command, account, context);
          return {
            ...result,
            thenRun: async (next: Account, after: PersistentProcess.CommandContext) => {
              const stored = await journal.highestSeq('account-ada');
              seen.push({ stored, balance: next.balance, seq: after.seq });
            },
          };
        },
      },
      'ada',
      { journal },
    );

    await PersistentProcess.call(system, pid, { type: 'deposit', id: 'a', amount: 3 });

    expect(seen).toEqual([{ stored: 1, balance: 3, seq: 1 }]);
  });

  it('replies undefined when the result has no reply', async () => {
    const pid = await PersistentProcess.startLink(
      system,
      { ...accountSpec(), handleCommand: () => ({ persist: [{ type: 'closed' as const }] }) },
      'ada',
      { journal },
    );
    expect(await PersistentProcess.call(system, pid, { type: 'close' })).toBeUndefined();
    expect(await journal.highestSeq('account-ada')).toBe(1);
  });

  it('stores the tags that tagsOf returns', async () => {
    const pid = await PersistentProcess.startLink(system, accountSpec({ tagged: true }), 'ada', {
      journal,
    });
    await PersistentProcess.call(system, pid, { type: 'deposit', id: 'a', amount: 3 });
    await PersistentProcess.call(system, pid, { type: 'withdraw', id: 'b', amount: 1 });

    const withdrawals = await collect(journal.eventsByTag('withdrawn'));
    expect(withdrawals.map((event) => event.seq)).toEqual([2]);
    expect(withdrawals[0]!.tags).toEqual(['accounts', 'withdrawn']);
  });

  it('replies and then stops when the result has stop', async () => {
    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });
    await PersistentProcess.call(system, pid, { type: 'deposit', id: 'a', amount: 3 });
    const exited = exitReason(pid);

    expect(await PersistentProcess.call(system, pid, { type: 'close' })).toBe(3);
    expect(await exited).toBe('normal');
    expect(await journal.highestSeq('account-ada')).toBe(2);
  });

  it('replies later through GenServer.reply after noreply', async () => {
    const spec = accountSpec();
    const pid = await PersistentProcess.startLink(
      system,
      {
        ...spec,
        handleCommand: (command, account, context) => {
          if (command.type !== 'deposit') return spec.handleCommand(command, account, context);
          return {
            persist: [{ type: 'deposited' as const, id: command.id, amount: command.amount }],
            noreply: true as const,
            thenRun: (next: Account, after: PersistentProcess.CommandContext) => {
              GenServer.reply(after.self, after.from!, { later: next.balance, seq: after.seq });
            },
          };
        },
      },
      'ada',
      { journal },
    );

    const reply = await PersistentProcess.call(system, pid, {
      type: 'deposit',
      id: 'a',
      amount: 6,
    });

    expect(reply).toEqual({ later: 6, seq: 1 });
    expect(await journal.highestSeq('account-ada')).toBe(1);
  });

  it('crashes with ERR_BAD_RETURN for both reply and noreply', async () => {
    const pid = await PersistentProcess.startLink(
      system,
      { ...accountSpec(), handleCommand: () => ({ reply: 1, noreply: true as const }) },
      'ada',
      { journal },
    );
    const exited = exitReason(pid);

    const error = await PersistentProcess.call(system, pid, { type: 'balance' }).catch(
      (thrown: unknown) => thrown,
    );

    expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
    expect(isStarweaveError(await exited, 'ERR_BAD_RETURN')).toBe(true);
  });

  it('crashes with ERR_BAD_RETURN when handleCommand returns no object', async () => {
    const pid = await PersistentProcess.startLink(
      system,
      { ...accountSpec(), handleCommand: () => 42 as never },
      'ada',
      { journal },
    );
    const exited = exitReason(pid);

    const error = await PersistentProcess.call(system, pid, { type: 'balance' }).catch(
      (thrown: unknown) => thrown,
    );

    expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
    expect(isStarweaveError(await exited, 'ERR_BAD_RETURN')).toBe(true);
  });
});

describe('PersistentProcess.cast', () => {
  it('persists the events of a command sent without a reply', async () => {
    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });

    PersistentProcess.cast(system, pid, { type: 'deposit', id: 'a', amount: 4 });

    expect(await PersistentProcess.call(system, pid, { type: 'balance' })).toBe(4);
    expect(await journal.highestSeq('account-ada')).toBe(1);
  });
});

describe('snapshotEvery', () => {
  it('saves a snapshot each time the sequence passes a multiple', async () => {
    const saved: number[] = [];
    const recording: SnapshotStore = {
      save: async (id, seq, state) => {
        saved.push(seq);
        await snapshots.save(id, seq, state);
      },
      loadLatest: (id, options) => snapshots.loadLatest(id, options),
      deleteTo: (id, seq) => snapshots.deleteTo(id, seq),
      close: async () => {},
    };
    const pid = await PersistentProcess.startLink(
      system,
      accountSpec({ snapshotEvery: 3 }),
      'ada',
      {
        journal,
        snapshots: recording,
      },
    );

    for (const id of ids(1, 7)) {
      await PersistentProcess.call(system, pid, { type: 'deposit', id, amount: 1 });
    }
    // Two events at once from seq 7 pass the multiple 9 and save at 9.
    await PersistentProcess.call(system, pid, { type: 'depositMany', ids: ['x', 'y'], amount: 1 });
    await PersistentProcess.getState(system, pid);

    expect(saved).toEqual([3, 6, 9]);
    const latest = await snapshots.loadLatest<Account>('account-ada');
    expect(latest?.state.balance).toBe(9);
    expect((await PersistentProcess.getState(system, pid)).snapshotSeq).toBe(9);
  });

  it('logs a failed snapshot and keeps running', async () => {
    const logger = new MemoryLogger();
    const logged = new ActorSystem({ logger });
    const failing: SnapshotStore = {
      save: () => Promise.reject(new Error('snapshot table is gone')),
      loadLatest: (id, options) => snapshots.loadLatest(id, options),
      deleteTo: (id, seq) => snapshots.deleteTo(id, seq),
      close: async () => {},
    };
    try {
      const pid = await PersistentProcess.startLink(
        logged,
        accountSpec({ snapshotEvery: 1 }),
        'ada',
        {
          journal,
          snapshots: failing,
        },
      );
      await PersistentProcess.call(logged, pid, { type: 'deposit', id: 'a', amount: 2 });

      expect(await PersistentProcess.call(logged, pid, { type: 'balance' })).toBe(2);
      const entries = logger.find('persistence.snapshot_failed');
      expect(entries).toHaveLength(1);
      expect(entries[0]!.fields).toMatchObject({ persistenceId: 'account-ada', seq: 1 });
    } finally {
      await logged.shutdown();
    }
  });
});

describe('PersistentProcess write failures', () => {
  it('stops with the append error as reason and logs it', async () => {
    const logger = new MemoryLogger();
    const logged = new ActorSystem({ logger });
    const faulty = new FaultJournal(journal);
    try {
      const pid = await PersistentProcess.startLink(logged, accountSpec(), 'ada', {
        journal: faulty,
      });
      await PersistentProcess.call(logged, pid, { type: 'deposit', id: 'a', amount: 2 });
      const exited = new Promise<Reason>((resolve) =>
        logged.monitor(pid, (down) => resolve(down.reason)),
      );
      faulty.failing = true;

      const error = await PersistentProcess.call(logged, pid, {
        type: 'deposit',
        id: 'b',
        amount: 3,
      }).catch((thrown: unknown) => thrown);

      expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
      const reason = await exited;
      expect(isStarweaveError(reason, 'ERR_STORE')).toBe(true);
      expect((reason as Error).message).toContain('injected');
      const entries = logger.find('persistence.persist_failed');
      expect(entries).toHaveLength(1);
      expect(entries[0]!.fields).toMatchObject({ persistenceId: 'account-ada', expectedSeq: 1 });
      expect(await journal.highestSeq('account-ada')).toBe(1);
    } finally {
      await logged.shutdown();
    }
  });

  it('stops with ERR_STORE when the SQLite file is read-only', async () => {
    await journal.append('account-ada', depositEvents(['a'], 2), 0);
    const readOnly = await SqliteJournal.open({ filename, readOnly: true });
    try {
      const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', {
        journal: readOnly,
      });
      expect(await PersistentProcess.call(system, pid, { type: 'balance' })).toBe(2);
      const exited = exitReason(pid);

      const error = await PersistentProcess.call(system, pid, {
        type: 'deposit',
        id: 'b',
        amount: 1,
      }).catch((thrown: unknown) => thrown);

      expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
      const reason = await exited;
      expect(isStarweaveError(reason, 'ERR_STORE')).toBe(true);
      expect((reason as Error).message).toContain('SQLITE_READONLY');
    } finally {
      await readOnly.close();
    }
  });

  it('stops with ERR_CONFLICT when another writer appended, and a new start sees both', async () => {
    const pid = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });
    await PersistentProcess.call(system, pid, { type: 'deposit', id: 'a', amount: 1 });
    await journal.append('account-ada', depositEvents(['other'], 10), 1);
    const exited = exitReason(pid);

    const error = await PersistentProcess.call(system, pid, {
      type: 'deposit',
      id: 'b',
      amount: 1,
    }).catch((thrown: unknown) => thrown);

    expect(isStarweaveError(error, 'ERR_CALL_EXIT')).toBe(true);
    expect(isStarweaveError(await exited, 'ERR_CONFLICT')).toBe(true);
    const again = await PersistentProcess.startLink(system, accountSpec(), 'ada', { journal });
    expect((await PersistentProcess.getState<Account>(system, again)).state.ids).toEqual([
      'a',
      'other',
    ]);
  });
});
