/**
 * A host admitting people from the waiting room, any number of them. The `admit` message names at most
 * MAX_BATCH people, and each one carries the MLS commit that adds exactly them, so a larger admission is
 * several batches, each its own commit, sent one after the other (the next commit is made in the epoch the
 * previous one created).
 */
import { MAX_BATCH, type WaitingEntry } from '../protocol/index.ts';

export type AdmissionFailure = 'no-key-package' | 'refused';

export class AdmissionError extends Error {
  override name = 'AdmissionError';
  readonly reason: AdmissionFailure;

  constructor(reason: AdmissionFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface AdmissionOptions {
  /** The waiting room as the client knows it now. */
  readonly waiting: () => readonly WaitingEntry[];
  /** Admits one batch (at most MAX_BATCH people whose KeyPackages are known) with its commit. */
  readonly admitBatch: (participantIds: readonly string[], entries: readonly WaitingEntry[]) => Promise<void>;
  /** A waiting person's KeyPackage arrives a moment after they start waiting: how long to wait for it. */
  readonly keyPackageWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const POLL_MS = 100;

/**
 * Admits `participantIds` in batches of at most MAX_BATCH, in order. People who stopped waiting meanwhile
 * (they left, or a co-host admitted them) are skipped. Stops at the first batch that fails; the batches
 * before it stay admitted.
 */
export async function admitInBatches(participantIds: readonly string[], options: AdmissionOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const patience = options.keyPackageWaitMs ?? 5_000;
  const ids = [...new Set(participantIds)];
  for (let start = 0; start < ids.length; start += MAX_BATCH) {
    const batch = ids.slice(start, start + MAX_BATCH);
    const stillWaiting = () => {
      const waiting = new Map(options.waiting().map((entry) => [entry.participantId, entry]));
      return batch.filter((id) => waiting.has(id)).map((id) => waiting.get(id)!);
    };
    const ready = () => stillWaiting().every((entry) => entry.keyPackage !== undefined);
    for (let waited = 0; !ready() && waited < patience; waited += POLL_MS) await sleep(POLL_MS);
    if (!ready()) throw new AdmissionError('no-key-package', 'a waiting person has no KeyPackage yet');
    const entries = stillWaiting();
    if (entries.length === 0) continue;
    try {
      await options.admitBatch(entries.map((entry) => entry.participantId), entries);
    } catch (error) {
      throw new AdmissionError('refused', error instanceof Error ? error.message : 'admission refused');
    }
  }
}
