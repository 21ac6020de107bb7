/**
 * A nested `tx.transaction(work)` as a SAVEPOINT, the same on every driver: the savepoint is released when
 * the work succeeds and rolled back to when it fails (the work's own error is what the caller sees), and the
 * nested `tx` refuses statements once its savepoint is over, whichever way it ended.
 */
import type { Database } from './database.ts';

/** How a driver runs one savepoint's control statements: fixed text, never parameters. */
export interface SavepointControl {
  savepoint(name: string): Promise<void> | void;
  release(name: string): Promise<void> | void;
  /** Undoes the work since the savepoint. Must not throw: the caller rethrows the work's error instead. */
  rollBack(name: string): Promise<void> | void;
}

/** A transaction's `tx`, ended by its opener. */
export interface EndableTransaction extends Database {
  finish(): void;
}

/** Runs `work` in savepoint `sabha_<depth + 1>` on the `tx` that `open(depth + 1)` makes for it. */
export async function inSavepoint<T>(
  depth: number,
  control: SavepointControl,
  open: (depth: number) => EndableTransaction,
  work: (tx: Database) => Promise<T>,
): Promise<T> {
  const name = `sabha_${depth + 1}`;
  await control.savepoint(name);
  const nested = open(depth + 1);
  try {
    const result = await work(nested);
    await control.release(name);
    return result;
  } catch (error) {
    await control.rollBack(name);
    throw error;
  } finally {
    nested.finish();
  }
}
