/**
 * Per-person verification in the meeting: for each participant, whether this browser has verified the
 * device identity key their MLS credential carries (src/e2ee/identity), computed from the MLS group (never
 * from the server's roster alone) and the verifications stored in this browser.
 *
 * Inputs: the room's encryption `changed` (new epoch, new members), the room state's participant events
 * (names), the store's `changed` (the user verified, forgot, or reported a mismatch).
 * Output: `changed`, only when some person's status really changed (the people list re-renders on it).
 */
import type { Room } from '../../client/index.ts';
import { Emitter } from '../../events/emitter.ts';
import type { PlainKey } from '../i18n/index.ts';
import { identityFingerprint } from '../../e2ee/identity/device-identity.ts';
import { personCode } from '../../e2ee/identity/person-code.ts';
import { VerifiedPeople, type PersonVerificationState } from '../../e2ee/identity/verified-people.ts';

/** 'no-key': not (yet) in this device's MLS group, so there is no key to verify. */
export type PersonStatusState = PersonVerificationState | 'no-key';

export interface PersonStatus {
  readonly state: PersonStatusState;
  readonly rememberedAs?: string;
}

export interface VerificationSummary {
  readonly verified: number;
  readonly unverified: number;
  readonly keyChanged: number;
  readonly mismatch: number;
  readonly noKey: number;
  /** Names of the people not verified (any state but verified), for the host's overview. */
  readonly notVerifiedNames: readonly string[];
}

/** Words shown beside each person (never colour alone): their catalogue keys. */
export const STATUS_TEXT: Record<PersonStatusState, PlainKey> = {
  verified: 'verify.status.verified',
  unverified: 'verify.status.unverified',
  'key-changed': 'verify.status.key-changed',
  mismatch: 'verify.status.mismatch',
  'no-key': 'verify.status.no-key',
};

let pageStore: VerifiedPeople | undefined;

/** The one store of this page, over localStorage (memory only if storage is unavailable). */
export function verifiedPeopleStore(): VerifiedPeople {
  if (pageStore === undefined) {
    let storage: Storage | null = null;
    try {
      storage = globalThis.localStorage ?? null;
    } catch {
      storage = null;
    }
    pageStore = new VerifiedPeople(storage);
  }
  return pageStore;
}

export interface PeopleVerificationEvents {
  changed: [];
}

export class PeopleVerification extends Emitter<PeopleVerificationEvents> {
  readonly room: Room;
  readonly store: VerifiedPeople;
  readonly #off: (() => void)[] = [];
  #offEncryption: (() => void) | undefined;
  #signature = '';
  /** Fingerprints by participant id for one group state (epoch and code): the tree is not read again per render. */
  #fingerprints = new Map<string, string | undefined>();
  #fingerprintsOf = '';

  constructor(room: Room, store: VerifiedPeople = verifiedPeopleStore()) {
    super();
    this.room = room;
    this.store = store;
    this.#off.push(store.on('changed', () => this.#check()));
    for (const event of ['participant-joined', 'participant-left', 'participant-updated', 'reset'] as const) this.#off.push(room.state.on(event, () => this.#check()));
    this.#watchEncryption();
    this.#off.push(room.on('encryption', () => this.#watchEncryption()));
    this.#check();
  }

  /** This person's status as this browser sees it; undefined for ourselves. */
  statusOf(participantId: string): PersonStatus | undefined {
    if (participantId === this.room.state.selfId) return undefined;
    const fingerprint = this.fingerprintOf(participantId);
    if (fingerprint === undefined) return { state: 'no-key' };
    const name = this.room.state.participants.get(participantId)?.name ?? '';
    return this.store.stateOf(fingerprint, name);
  }

  summary(): VerificationSummary {
    const counts = { verified: 0, unverified: 0, keyChanged: 0, mismatch: 0, noKey: 0 };
    const notVerifiedNames: string[] = [];
    for (const p of this.room.state.participants.values()) {
      const status = this.statusOf(p.id);
      if (status === undefined) continue;
      if (status.state === 'verified') counts.verified += 1;
      else {
        notVerifiedNames.push(p.name);
        if (status.state === 'unverified') counts.unverified += 1;
        else if (status.state === 'key-changed') counts.keyChanged += 1;
        else if (status.state === 'mismatch') counts.mismatch += 1;
        else counts.noKey += 1;
      }
    }
    return { ...counts, notVerifiedNames };
  }

  /** The three words to compare with this person, or undefined while either key is missing. */
  async codeWith(participantId: string): Promise<readonly string[] | undefined> {
    const ours = this.room.encryption?.ownIdentityKey();
    const theirs = this.room.encryption?.identityKeyOf(participantId);
    if (ours === undefined || theirs === undefined) return undefined;
    return personCode(ours, theirs);
  }

  /**
   * Acts on the key this person presents NOW: `expectedKey` is the one the dialog showed the code for, so a
   * key that changed while the dialog was open is never marked verified.
   */
  markVerified(participantId: string, label: string, expectedFingerprint: string): boolean {
    const fingerprint = this.fingerprintOf(participantId);
    if (fingerprint === undefined || fingerprint !== expectedFingerprint) return false;
    this.store.markVerified(fingerprint, label);
    return true;
  }

  reportMismatch(participantId: string, expectedFingerprint: string): void {
    const fingerprint = this.fingerprintOf(participantId);
    if (fingerprint !== undefined && fingerprint === expectedFingerprint) this.store.reportMismatch(fingerprint);
  }

  forget(participantId: string): void {
    const fingerprint = this.fingerprintOf(participantId);
    if (fingerprint !== undefined) this.store.forget(fingerprint);
  }

  fingerprintOf(participantId: string): string | undefined {
    const snapshot = this.room.encryption?.snapshot();
    const groupState = snapshot?.state === 'ready' ? `${snapshot.epoch}:${snapshot.securityCode}` : '';
    if (groupState !== this.#fingerprintsOf) {
      this.#fingerprints = new Map();
      this.#fingerprintsOf = groupState;
    }
    if (this.#fingerprints.has(participantId)) return this.#fingerprints.get(participantId);
    const key = this.room.encryption?.identityKeyOf(participantId);
    const fingerprint = key === undefined ? undefined : identityFingerprint(key);
    if (groupState !== '') this.#fingerprints.set(participantId, fingerprint);
    return fingerprint;
  }

  dispose(): void {
    for (const off of this.#off.splice(0)) off();
    this.#offEncryption?.();
    this.removeAllListeners();
  }

  #watchEncryption(): void {
    this.#offEncryption?.();
    this.#offEncryption = this.room.encryption?.on('changed', () => this.#check());
    this.#check();
  }

  #check(): void {
    const parts: string[] = [];
    for (const id of this.room.state.participants.keys()) {
      const status = this.statusOf(id);
      parts.push(`${id}:${status?.state ?? 'self'}:${status?.rememberedAs ?? ''}`);
    }
    const signature = parts.sort().join('|');
    if (signature === this.#signature) return;
    this.#signature = signature;
    this.emit('changed');
  }
}
