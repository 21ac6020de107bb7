/**
 * A host admitting people from the waiting room, any number of them. The `admit` message names at most
 * MAX_BATCH people, and each one carries the MLS commit that adds exactly them, so a larger admission is
 * several batches, each its own commit, sent one after the other (the next commit is made in the epoch the
 * previous one created).
 *
 * A waiting person's KeyPackage reaches the host a moment after they start waiting (a `waiting-room-changed`
 * update). A batch is sent once every person in it has one: the admission listens to the waiting room's
 * changes and goes on at the change that completes the batch, or gives up after `keyPackageWaitMs`. It never
 * polls. An AbortSignal cancels it: a pending wait ends at once and no later batch is sent; a batch already
 * sent is not recalled (its commit is on its way and the server decides it).
 */
import { MAX_BATCH, type WaitingEntry } from '../protocol/index.ts';

export type AdmissionFailure = 'no-key-package' | 'refused' | 'cancelled';

export class AdmissionError extends Error {
  override name = 'AdmissionError';
  readonly reason: AdmissionFailure;

  constructor(reason: AdmissionFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Starts a timer and returns the function that stops it (injected by tests, which run no real time). */
export type StartTimer = (ms: number, onTimeout: () => void) => () => void;

const realTimer: StartTimer = (ms, onTimeout) => {
  const handle = setTimeout(onTimeout, ms);
  return () => clearTimeout(handle);
};

export interface AdmissionOptions {
  /** The waiting room as the client knows it now. */
  readonly waiting: () => readonly WaitingEntry[];
  /** Calls `listener` after each change of the waiting room; returns the function that stops it. */
  readonly onWaitingChange: (listener: () => void) => () => void;
  /** Admits one batch (at most MAX_BATCH people whose KeyPackages are known) with its commit. */
  readonly admitBatch: (participantIds: readonly string[], entries: readonly WaitingEntry[]) => Promise<void>;
  /** How long to wait for the KeyPackages of one batch. Default 5 s. */
  readonly keyPackageWaitMs?: number;
  readonly startTimer?: StartTimer;
}

const DEFAULT_KEY_PACKAGE_WAIT_MS = 5_000;

function cancelled(): AdmissionError {
  return new AdmissionError('cancelled', 'the admission was cancelled');
}

/**
 * Admits `participantIds` in batches of at most MAX_BATCH, in order. People who stopped waiting meanwhile
 * (they left, or a co-host admitted them) are skipped. Stops at the first batch that fails, or when `signal`
 * aborts; the batches before stay admitted.
 */
export async function admitInBatches(participantIds: readonly string[], options: AdmissionOptions & { signal?: AbortSignal }): Promise<void> {
  const { signal } = options;
  const ids = [...new Set(participantIds)];
  for (let start = 0; start < ids.length; start += MAX_BATCH) {
    if (signal?.aborted) throw cancelled();
    const batch = ids.slice(start, start + MAX_BATCH);
    const stillWaiting = () => {
      const waiting = new Map(options.waiting().map((entry) => [entry.participantId, entry]));
      return batch.filter((id) => waiting.has(id)).map((id) => waiting.get(id)!);
    };
    await whenReady(() => stillWaiting().every((entry) => entry.keyPackage !== undefined), options);
    const entries = stillWaiting();
    if (entries.length === 0) continue;
    try {
      await options.admitBatch(
        entries.map((entry) => entry.participantId),
        entries,
      );
    } catch (error) {
      if (error instanceof AdmissionError) throw error;
      throw new AdmissionError('refused', error instanceof Error ? error.message : 'admission refused');
    }
  }
}

/** Resolves when `ready()` holds (now or after a change of the waiting room); rejects on timeout or abort. */
function whenReady(ready: () => boolean, options: AdmissionOptions & { signal?: AbortSignal }): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(cancelled());
  if (ready()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let stopListening = () => {};
    let stopTimer = () => {};
    const finish = (error?: AdmissionError) => {
      if (settled) return;
      settled = true;
      stopListening();
      stopTimer();
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    stopListening = options.onWaitingChange(() => {
      if (ready()) finish();
    });
    stopTimer = (options.startTimer ?? realTimer)(options.keyPackageWaitMs ?? DEFAULT_KEY_PACKAGE_WAIT_MS, () =>
      finish(ready() ? undefined : new AdmissionError('no-key-package', 'a waiting person has no KeyPackage yet')),
    );
    // A listener or timer that fired while being set up has settled it already: stop what was set up after.
    if (settled) {
      stopListening();
      stopTimer();
    }
  });
}

interface PendingAdmission {
  readonly ids: readonly string[];
  readonly controller: AbortController;
  readonly done: Promise<void>;
  /** The admission that took this one over (a later click), whose outcome this one's callers get. */
  successor?: PendingAdmission;
}

/**
 * A host's admissions, one at a time. A second admit while one is still waiting for KeyPackages takes it
 * over: the first stops waiting, and the new one admits everyone either click named (who is still waiting),
 * so a host who clicks "Admit" for one person and then "Admit all" admits each person once, in one series
 * of batches. Both calls resolve or fail with that one outcome. `cancel` (leaving the meeting) ends it.
 */
export class AdmissionDesk {
  readonly #options: AdmissionOptions;
  #current: PendingAdmission | undefined;

  constructor(options: AdmissionOptions) {
    this.#options = options;
  }

  admit(participantIds: readonly string[]): Promise<void> {
    const previous = this.#current;
    const controller = new AbortController();
    const ids = [...new Set([...(previous?.ids ?? []), ...participantIds])];
    previous?.controller.abort();
    // A batch of the previous admission may be on its way: start after it, so nobody is admitted twice.
    const done = (previous?.done.catch(() => undefined) ?? Promise.resolve()).then(() =>
      admitInBatches(ids, { ...this.#options, signal: controller.signal }),
    );
    const admission: PendingAdmission = { ids, controller, done };
    if (previous) previous.successor = admission;
    this.#current = admission;
    const clear = () => {
      if (this.#current === admission) this.#current = undefined;
    };
    done.then(clear, clear);
    return this.#outcome(admission);
  }

  /** Stops the admission in progress, if any: it fails with `cancelled` and sends no further batch. */
  cancel(): void {
    this.#current?.controller.abort();
    this.#current = undefined;
  }

  async #outcome(admission: PendingAdmission): Promise<void> {
    try {
      await admission.done;
    } catch (error) {
      if (admission.successor) return this.#outcome(admission.successor);
      throw error;
    }
  }
}
