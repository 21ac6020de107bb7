/**
 * A host admitting waiting people from the Room: the AdmissionDesk (admission.ts) that sends each batch with
 * the MLS commit giving them the keys, made on first use; a failure other than a cancellation is also told
 * as a notice.
 */
import { Emitter } from '../events/emitter.ts';
import { AdmissionDesk, AdmissionError } from './admission.ts';
import type { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import type { RoomNotice } from './room-types.ts';
import type { RoomState } from './room-state.ts';

export interface HostAdmissionsEvents {
  notice: [notice: Extract<RoomNotice, { kind: 'admit-failed' }>];
}

export interface HostAdmissionsOptions {
  state: RoomState;
  /** The meeting's end-to-end encryption; null before `join`. */
  encryption: () => MeetingEncryption | null;
}

export class HostAdmissions extends Emitter<HostAdmissionsEvents> {
  readonly #options: HostAdmissionsOptions;
  #desk: AdmissionDesk | undefined;

  constructor(options: HostAdmissionsOptions) {
    super();
    this.#options = options;
  }

  /**
   * Admits waiting people together with the MLS commit that gives them the keys, any number of them: in
   * batches of at most 100 (what one `admit` carries), each its own commit, one after the other. A waiting
   * person's KeyPackage arrives a moment after they start waiting; we wait for it a few seconds. A second
   * admit while one waits takes it over (see AdmissionDesk); leaving cancels it.
   */
  async admit(participantIds: readonly string[]): Promise<void> {
    const { state, encryption } = this.#options;
    if (!encryption()) throw new Error('not in a meeting');
    this.#desk ??= new AdmissionDesk({
      waiting: () => state.waiting,
      onWaitingChange: (listener) => state.on('waiting-room', () => listener()),
      admitBatch: (ids, entries) => {
        const current = encryption();
        if (!current) throw new AdmissionError('cancelled', 'not in a meeting');
        return current.admit(ids, entries);
      },
    });
    try {
      await this.#desk.admit(participantIds);
    } catch (err) {
      const reason = err instanceof AdmissionError ? err.reason : 'refused';
      if (reason !== 'cancelled') this.emit('notice', { kind: 'admit-failed', reason });
      throw err;
    }
  }

  /** Leaving: the admission in progress, if any, fails with `cancelled` and sends no further batch. */
  cancel(): void {
    this.#desk?.cancel();
  }
}
