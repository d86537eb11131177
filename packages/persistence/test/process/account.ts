/**
 * A bank account as a persistent process, for the tests: deposits and withdrawals carry ids,
 * so a test can check that every acknowledged command is in the recovered state.
 */
import type { PersistentProcess } from '@starweave/persistence';

/** The state of an account: its balance and the ids of the commands folded into it. */
export interface Account {
  balance: number;
  ids: string[];
}

/** The events of an account. */
export type AccountEvent =
  | { type: 'deposited'; id: string; amount: number }
  | { type: 'withdrawn'; id: string; amount: number }
  | { type: 'closed' };

/** The commands of an account. */
export type AccountCommand =
  | { type: 'deposit'; id: string; amount: number }
  | { type: 'withdraw'; id: string; amount: number }
  | { type: 'depositMany'; ids: string[]; amount: number }
  | { type: 'balance' }
  | { type: 'close' };

/** Replies with the balance, or with an error for a withdrawal that the balance does not cover. */
export type AccountReply = number | { error: 'insufficient funds'; balance: number };

/** Returns the account spec; `options` adds snapshots and tags. */
export function accountSpec(
  options: { snapshotEvery?: number; tagged?: boolean } = {},
): PersistentProcess.Spec<Account, string, AccountCommand, AccountEvent, AccountReply> {
  return {
    name: 'Account',
    persistenceId: (owner) => `account-${owner}`,
    initialState: () => ({ balance: 0, ids: [] }),
    applyEvent: (account, event) => {
      switch (event.type) {
        case 'deposited':
          return { balance: account.balance + event.amount, ids: [...account.ids, event.id] };
        case 'withdrawn':
          return { balance: account.balance - event.amount, ids: [...account.ids, event.id] };
        case 'closed':
          return account;
      }
    },
    handleCommand: (command, account) => {
      switch (command.type) {
        case 'deposit':
          return {
            persist: [{ type: 'deposited', id: command.id, amount: command.amount }],
            reply: (next) => next.balance,
          };
        case 'depositMany':
          return {
            persist: command.ids.map((id) => ({
              type: 'deposited' as const,
              id,
              amount: command.amount,
            })),
            reply: (next) => next.balance,
          };
        case 'withdraw':
          if (command.amount > account.balance) {
            return { reply: { error: 'insufficient funds', balance: account.balance } };
          }
          return {
            persist: [{ type: 'withdrawn', id: command.id, amount: command.amount }],
            reply: (next) => next.balance,
          };
        case 'balance':
          return { reply: account.balance };
        case 'close':
          return { persist: [{ type: 'closed' }], reply: account.balance, stop: 'normal' };
      }
    },
    ...(options.tagged ? { tagsOf: (event: AccountEvent) => ['accounts', event.type] } : {}),
    ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
  };
}

/** Returns the deposit events of `ids`, for appending straight to a journal. */
export function depositEvents(ids: string[], amount: number) {
  return ids.map((id) => ({ payload: { type: 'deposited', id, amount } }));
}
