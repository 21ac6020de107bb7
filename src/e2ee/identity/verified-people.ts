/**
 * The people this browser has verified, by device identity fingerprint, with the label the user confirmed
 * (the display name they had, unless the user changed it). Kept in localStorage: nothing in it is secret
 * (fingerprints of public keys and labels the user chose), and it never leaves the browser.
 *
 * How "the same person" is recognised across meetings:
 * - the same identity key (same fingerprint) is the same device: shown as verified, whatever name it uses now;
 * - a person whose key is NOT verified but whose display name equals a remembered label (ignoring case and
 *   spacing) is shown as "key changed": the name someone verified now comes with another key. That is either
 *   the same person on a new device or with a reset identity, or someone else using that name; only a new
 *   comparison tells which.
 * Limits: a name is not an identity. Someone who picks a name nobody here verified is simply "not
 *   verified", never "key changed"; two different people with the same name make a false "key changed".
 *
 * A reported mismatch lives only in this page (memory): it warns for this meeting and is not a verdict
 * about the key forever (the user may have misread).
 */
import * as z from 'zod/mini';
import { Emitter } from '../../events/emitter.ts';

export type PersonVerificationState = 'verified' | 'unverified' | 'key-changed' | 'mismatch';

export interface PersonVerification {
  readonly state: PersonVerificationState;
  /** For 'verified': the label it was verified under; for 'key-changed': the label whose key differs. */
  readonly rememberedAs?: string;
}

/** The part of the Web Storage API used (localStorage, or a Map-backed one in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const VERIFIED_PEOPLE_STORAGE_KEY = 'sabha.verifiedPeople.v1';
const MAX_PEOPLE = 2000;
const MAX_LABEL_LENGTH = 100;

const record = z.strictObject({ label: z.string().check(z.minLength(1), z.maxLength(MAX_LABEL_LENGTH)), verifiedAt: z.number() });
const stored = z.strictObject({
  version: z.literal(1),
  people: z.record(z.string().check(z.regex(/^[0-9a-f]{64}$/)), record),
});

type VerifiedRecord = z.infer<typeof record>;

export interface VerifiedPeopleEvents {
  changed: [];
}

/** How labels and names are compared: Unicode-normalised, case-folded, spacing collapsed. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export class VerifiedPeople extends Emitter<VerifiedPeopleEvents> {
  readonly #storage: KeyValueStorage | null;
  readonly #people = new Map<string, VerifiedRecord>();
  readonly #mismatches = new Set<string>();
  /** Remembered labels by nameKey, rebuilt whenever the records change (a list of 100 is checked often). */
  #labels = new Map<string, string>();

  constructor(storage: KeyValueStorage | null) {
    super();
    this.#storage = storage;
    this.#load();
  }

  /** What to show for a person presenting the key with `fingerprint` under `displayName`. */
  stateOf(fingerprint: string, displayName: string): PersonVerification {
    if (this.#mismatches.has(fingerprint)) return { state: 'mismatch' };
    const known = this.#people.get(fingerprint);
    if (known !== undefined) return { state: 'verified', rememberedAs: known.label };
    const label = this.#labels.get(nameKey(displayName));
    return label === undefined ? { state: 'unverified' } : { state: 'key-changed', rememberedAs: label };
  }

  markVerified(fingerprint: string, label: string, now = Date.now()): void {
    const trimmed = label.trim().slice(0, MAX_LABEL_LENGTH);
    if (!/^[0-9a-f]{64}$/.test(fingerprint) || trimmed.length === 0) throw new TypeError('bad verification record');
    this.#mismatches.delete(fingerprint);
    this.#people.delete(fingerprint);
    this.#people.set(fingerprint, { label: trimmed, verifiedAt: now });
    // Oldest first in insertion order: the oldest verification goes when the list is full.
    while (this.#people.size > MAX_PEOPLE) this.#people.delete(this.#people.keys().next().value!);
    this.#save();
  }

  /** The user compared and the codes differed: warn about this key for the rest of this page's life. */
  reportMismatch(fingerprint: string): void {
    this.#mismatches.add(fingerprint);
    if (this.#people.delete(fingerprint)) this.#save();
    else this.emit('changed');
  }

  forget(fingerprint: string): void {
    this.#mismatches.delete(fingerprint);
    this.#people.delete(fingerprint);
    this.#save();
  }

  #load(): void {
    let raw: string | null = null;
    try {
      raw = this.#storage?.getItem(VERIFIED_PEOPLE_STORAGE_KEY) ?? null;
    } catch {
      return;
    }
    if (raw === null) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const result = stored.safeParse(parsed);
    // Anything else (another version, damaged, edited by hand) is ignored rather than half-trusted.
    if (!result.success) return;
    for (const [fingerprint, person] of Object.entries(result.data.people)) this.#people.set(fingerprint, person);
    this.#indexLabels();
  }

  #indexLabels(): void {
    this.#labels = new Map([...this.#people.values()].map((person) => [nameKey(person.label), person.label]));
  }

  #save(): void {
    this.#indexLabels();
    try {
      this.#storage?.setItem(VERIFIED_PEOPLE_STORAGE_KEY, JSON.stringify({ version: 1, people: Object.fromEntries(this.#people) }));
    } catch {
      // Storage full or disabled: the verification holds for this page only.
    }
    this.emit('changed');
  }
}
