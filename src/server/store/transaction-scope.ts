import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Catches the one mistake a transaction API invites: inside `db.transaction(async (tx) => …)`, a statement
 * sent through `db` instead of `tx`. On SQLite it would queue behind the open transaction and wait for
 * itself forever; on PostgreSQL it would run outside the transaction (and can exhaust the pool). Each driver
 * runs the transaction's work inside `enter`, and its outer methods call `assertOutside` first.
 */
export class TransactionScope {
  readonly #storage = new AsyncLocalStorage<{ open: boolean }>();

  /** Runs `work` marked as inside an open transaction, until it settles. */
  async enter<T>(work: () => Promise<T>): Promise<T> {
    const mark = { open: true };
    try {
      return await this.#storage.run(mark, work);
    } finally {
      // Work started inside the transaction that outlives it (a timer, a promise not awaited) may use the
      // database again once the transaction is over.
      mark.open = false;
    }
  }

  assertOutside(): void {
    if (this.#storage.getStore()?.open) {
      throw new Error('inside a transaction, use its tx argument, not the database it came from');
    }
  }
}
