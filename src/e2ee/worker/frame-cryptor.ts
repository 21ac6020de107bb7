/**
 * FrameCryptor: the per-frame SFrame logic of the E2EE worker, with no worker, DOM or timer in it (the clock
 * is injected), so Node tests drive it directly.
 *
 * Inputs it accepts:
 *   setSendKey(epoch, kid, key, activateAfterMs)  our key for an epoch, used from `activateAfterMs` on (0: at
 *                                      once); until then frames are still sealed under the current key. A
 *                                      key set before (same KID and key) is never imported again, since its
 *                                      counter would restart (nonce reuse); a key for an epoch not newer
 *                                      than the current one is ignored
 *   setReceiveKeys(epoch, keys)        the other members' keys, usable at once; each superseded epoch stays
 *                                      usable for `graceMs` after it was superseded (frames of senders that
 *                                      have not switched yet, frames in flight), then is dropped
 *   dropAllKeys()                      forget every key, both directions (we were removed, or start again)
 *   encryptFrame(payload, kind)        -> clear prefix + SFrame frame, or null (no send key: dropped, never sent clear)
 *   decryptFrame(frame, participantId, kind, formerSenders?) -> payload, or null (dropped; a failure is
 *                                      counted for participantId unless it was expected, see below)
 *   tick()                             switch to a send key that is due, expire keys past their grace period,
 *                                      flush due failure reports
 *
 * Expected drops are counted in the stats (`droppedExpected`) but not reported as failures:
 *   - any frame while we hold no receive keys at all (the page already shows that this device has no key);
 *   - for RECEIVE_KEY_GRACE_MS after our first keys, a frame under an epoch before our first one (we just
 *     joined; the others switch to our first epoch only after their send delay);
 *   - a frame of a participant this receiver showed until less than RETARGET_GRACE_MS ago (`formerSenders`),
 *     whether it decrypts (`wrong-sender`) or its KID names that participant's leaf (`unknown-key`).
 *
 * Audio is encrypted whole. Of video, the VP8 payload header stays in clear as authenticated SFrame metadata
 * (see clear-prefix.ts for why and what it reveals); the rest is encrypted.
 * Decryption also checks that the KID belongs to the participant the receiver is showing, so an SFU that
 * swaps streams between participants gets frames dropped, not shown under the wrong name.
 */
import { CipherSuiteId, decodeHeader, parseMlsKid, SABHA_EPOCH_BITS, SFrameContext, SFrameError } from '../sframe/index.ts';
import type { DecryptFailureReason, WorkerStats } from './messages.ts';
import { clearPrefixLength, concat, type FrameKind } from './clear-prefix.ts';
import { MAX_RETAINED_EPOCHS, RECEIVE_KEY_GRACE_MS, RETARGET_GRACE_MS } from './key-timing.ts';
import { SerialQueue } from '../../events/serial-queue.ts';

/** Frames of senders that have not switched yet are still arriving when the new epoch's keys are installed. */
export const DEFAULT_GRACE_MS = RECEIVE_KEY_GRACE_MS;
/** At most one decrypt-failure report per participant per interval. */
export const DEFAULT_REPORT_INTERVAL_MS = 1_000;

const EPOCH_MODULUS = 2 ** SABHA_EPOCH_BITS;

export interface DecryptFailureReport {
  readonly participantId: string;
  readonly reason: DecryptFailureReason;
  readonly count: number;
}

export interface FrameCryptorOptions {
  readonly onFailure: (report: DecryptFailureReport) => void;
  readonly now?: () => number;
  readonly graceMs?: number;
  readonly reportIntervalMs?: number;
}

export interface ReceiveKey {
  readonly kid: bigint;
  readonly key: Uint8Array;
  readonly participantId: string;
}

/** Participants a receiver showed before, with when it stopped showing them (this cryptor's clock). */
export type FormerSenders = ReadonlyMap<string, number>;

interface EpochKeys {
  /** KID -> fingerprint of the key stored under it. */
  readonly kids: Map<bigint, string>;
  /** Set once a newer epoch supersedes this one. */
  expiresAt: number | undefined;
}

interface SendKey {
  readonly epoch: number;
  readonly kid: bigint;
  readonly fingerprint: string;
}

interface PendingSendKey extends SendKey {
  readonly dueAt: number;
}

interface FailureState {
  lastReportAt: number;
  unreported: number;
  reason: DecryptFailureReason;
}

/** How many departed members are remembered (receivers bound to them drop others' frames unreported). */
const MAX_REMEMBERED_DEPARTURES = 4096;

export class FrameCryptor {
  readonly #context = new SFrameContext({ suite: CipherSuiteId.AES_128_GCM_SHA256_128 });
  readonly #onFailure: (report: DecryptFailureReport) => void;
  readonly #now: () => number;
  readonly #graceMs: number;
  readonly #reportIntervalMs: number;
  #send: SendKey | undefined;
  /** Send keys imported but not in use yet, oldest epoch first. */
  #pendingSend: PendingSendKey[] = [];
  /** Every send key ever imported (fingerprints): importing one again would restart its counter. */
  readonly #usedSendKeys = new Set<string>();
  readonly #receive = new Map<number, EpochKeys>();
  #currentReceiveEpoch: number | undefined;
  /** The first epoch we got receive keys for since holding none, and when. */
  #keyedSince: { epoch: number; at: number } | undefined;
  /** KID -> owning epoch and participant, for the epoch whose key is stored under that KID right now. */
  readonly #owners = new Map<bigint, { epoch: number; participantId: string }>();
  /** Receive keys set but not imported yet (bytes, zeroed once imported or forgotten), by KID. */
  readonly #deferred = new Map<bigint, Uint8Array>();
  /** Participants who left the group (oldest first), for receivers still bound to them. */
  readonly #departed = new Set<string>();
  readonly #importing = new Map<bigint, Promise<void>>();
  /** Leaf index -> participant, as of the newest epoch: attributes a frame whose KID we have no key for. */
  readonly #leafOwners = new Map<bigint, string>();
  readonly #failures = new Map<string, FailureState>();
  readonly #stats = { encrypted: 0, decrypted: 0, droppedNoSendKey: 0, droppedUndecryptable: 0, droppedExpected: 0 };
  /** Key changes are applied one at a time, in the order they were asked for. */
  readonly #keyQueue = new SerialQueue();

  constructor(options: FrameCryptorOptions) {
    this.#onFailure = options.onFailure;
    this.#now = options.now ?? (() => Date.now());
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.#reportIntervalMs = options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
  }

  get hasSendKey(): boolean {
    return this.#send !== undefined;
  }

  /** The epoch of the key frames are sealed under right now (a due pending key counts). */
  get sendEpoch(): number | undefined {
    this.#activateDueSendKey();
    return this.#send?.epoch;
  }

  /** Epochs whose receive keys are held right now, oldest first. */
  receiveEpochs(): number[] {
    this.#expire();
    return [...this.#receive.keys()].sort((a, b) => a - b);
  }

  /** This cryptor's clock, for the times in FormerSenders. */
  now(): number {
    return this.#now();
  }

  /** Resolves once every key change asked for so far has been applied. */
  settled(): Promise<void> {
    return this.#keyQueue.whenIdle();
  }

  stats(): Omit<WorkerStats, 'invalidMessages'> {
    return { ...this.#stats };
  }

  setSendKey(epoch: number, kid: bigint, key: Uint8Array, activateAfterMs = 0): Promise<void> {
    return this.#serial(async () => {
      const fingerprint = await fingerprintOf(kid, key);
      // The same key again (a repeated message) changes nothing; a key used before is never re-imported.
      if (this.#usedSendKeys.has(fingerprint)) return;
      const newest = this.#pendingSend.at(-1)?.epoch ?? this.#send?.epoch;
      if (newest !== undefined && epoch <= newest) return;
      await this.#context.addEncryptionKey(kid, key);
      this.#usedSendKeys.add(fingerprint);
      const entry: PendingSendKey = { epoch, kid, fingerprint, dueAt: this.#now() + Math.max(0, activateAfterMs) };
      // KIDs repeat every 256 epochs: a key imported under the current KID has already replaced it.
      if (activateAfterMs <= 0 || this.#send?.kid === kid) this.#activate(entry);
      else this.#pendingSend.push(entry);
    });
  }

  /**
   * Every member holds the keys of `epoch` now: the newest pending send key of that epoch or an older one
   * is used at once instead of at its due time. A newer pending key keeps waiting.
   */
  activateSendKey(epoch: number): Promise<void> {
    return this.#serial(async () => {
      const ready = this.#pendingSend.filter((p) => p.epoch <= epoch).at(-1);
      if (ready !== undefined) this.#activate(ready);
    });
  }

  setReceiveKeys(epoch: number, keys: readonly ReceiveKey[]): Promise<void> {
    return this.#serial(async () => {
      const current = this.#currentReceiveEpoch;
      if (current !== epoch) {
        this.#noteDepartures(keys);
        if (current === undefined) this.#keyedSince = { epoch, at: this.#now() };
        const superseded = current === undefined ? undefined : this.#receive.get(current);
        if (superseded !== undefined) superseded.expiresAt = this.#now() + this.#graceMs;
        this.#currentReceiveEpoch = epoch;
        this.#leafOwners.clear();
      }
      const entry = this.#receive.get(epoch) ?? { kids: new Map<bigint, string>(), expiresAt: undefined };
      this.#receive.set(epoch, entry);
      this.#boundRetainedEpochs();
      const wanted = new Set(keys.map((k) => k.kid));
      for (const kid of [...entry.kids.keys()]) {
        if (!wanted.has(kid)) this.#forgetReceiveKid(epoch, kid, entry);
      }
      // Digests in parallel: one await per key, at a thousand members, would make the whole change slow.
      const fingerprints = await Promise.all(keys.map(({ kid, key }) => fingerprintOf(kid, key)));
      for (const [i, { kid, key, participantId }] of keys.entries()) {
        this.#leafOwners.set(parseMlsKid(kid, SABHA_EPOCH_BITS).senderIndex, participantId);
        const fingerprint = fingerprints[i]!;
        const owner = this.#owners.get(kid);
        // The same key again keeps its replay window; anything else gets a fresh one.
        if (entry.kids.get(kid) === fingerprint && owner?.epoch === epoch && owner.participantId === participantId) continue;
        // Imported when its first frame arrives: a browser receives a few dozen senders of a meeting of a
        // thousand, and importing every member's key at every epoch would cost it about 0.4 s each time.
        this.#context.removeKey(kid); // a KID of an epoch 256 back, or this epoch's previous key for it
        this.#deferred.get(kid)?.fill(0);
        this.#deferred.set(kid, key.slice());
        entry.kids.set(kid, fingerprint);
        this.#owners.set(kid, { epoch, participantId });
      }
    });
  }

  dropAllKeys(): Promise<void> {
    return this.#serial(async () => {
      for (const epoch of [...this.#receive.keys()]) this.#dropReceiveEpoch(epoch);
      this.#currentReceiveEpoch = undefined;
      this.#keyedSince = undefined;
      this.#leafOwners.clear();
      for (const pending of this.#pendingSend.splice(0)) this.#removeSendKey(pending);
      if (this.#send !== undefined) this.#removeSendKey(this.#send);
      this.#send = undefined;
    });
  }

  async encryptFrame(payload: Uint8Array, kind: FrameKind): Promise<Uint8Array | null> {
    this.#activateDueSendKey();
    const send = this.#send;
    if (send === undefined) {
      this.#stats.droppedNoSendKey++;
      return null;
    }
    try {
      const clear = clearPrefixLength(kind, payload);
      if (clear === null) return null;
      const prefix = payload.subarray(0, clear);
      const frame = await this.#context.encrypt(send.kid, payload.subarray(clear), prefix);
      this.#stats.encrypted++;
      return clear === 0 ? frame : concat(prefix, frame);
    } catch (error) {
      // The key changed under us (removed between the check and the call): drop rather than send clear.
      if (error instanceof SFrameError) {
        this.#stats.droppedNoSendKey++;
        return null;
      }
      throw error;
    }
  }

  async decryptFrame(frame: Uint8Array, participantId: string, kind: FrameKind, formerSenders?: FormerSenders): Promise<Uint8Array | null> {
    this.#expire();
    const clear = clearPrefixLength(kind, frame);
    if (clear === null) {
      this.#fail(participantId, 'malformed');
      return null;
    }
    const prefix = frame.subarray(0, clear);
    const sframe = frame.subarray(clear);
    await this.#importDeferred(sframe);
    let result: Awaited<ReturnType<SFrameContext['decrypt']>>;
    try {
      result = await this.#context.decrypt(sframe, prefix);
    } catch (error) {
      if (!(error instanceof SFrameError)) throw error;
      const reason = reasonOf(error);
      if (reason === 'unknown-key' && this.#unknownKeyExpected(sframe, formerSenders)) this.#stats.droppedExpected++;
      else this.#fail(participantId, reason);
      return null;
    }
    const owner = this.#owners.get(result.kid)?.participantId;
    if (owner !== participantId) {
      // Dropped either way. Not a failure to report: frames in flight from whom the receiver showed before,
      // or a receiver still bound to a member who left the group (no key of theirs held any more), whose m-line
      // the SFU gave to another sender before the new offer reached the page.
      const stale = this.#departed.has(participantId) && !this.#holdsKey(participantId);
      if (owner !== undefined && (this.#recentlyShown(owner, formerSenders) || stale)) this.#stats.droppedExpected++;
      else this.#fail(participantId, 'wrong-sender');
      return null;
    }
    this.#stats.decrypted++;
    return clear === 0 ? result.plaintext : concat(prefix, result.plaintext);
  }

  tick(): void {
    this.#activateDueSendKey();
    this.#expire();
    const now = this.#now();
    for (const [participantId, state] of this.#failures) {
      if (state.unreported > 0 && now - state.lastReportAt >= this.#reportIntervalMs) {
        this.#report(participantId, state, now);
      } else if (state.unreported === 0 && now - state.lastReportAt >= this.#reportIntervalMs) {
        this.#failures.delete(participantId);
      }
    }
  }

  #serial(operation: () => Promise<void>): Promise<void> {
    return this.#keyQueue.run(operation);
  }

  /** Switches to the newest pending send key whose time has come; older pending ones are never used. */
  #activateDueSendKey(): void {
    const now = this.#now();
    let due: PendingSendKey | undefined;
    for (const pending of this.#pendingSend) if (pending.dueAt <= now) due = pending;
    if (due !== undefined) this.#activate(due);
  }

  #activate(entry: SendKey): void {
    const previous = this.#send;
    this.#send = { epoch: entry.epoch, kid: entry.kid, fingerprint: entry.fingerprint };
    if (previous !== undefined && previous.kid !== entry.kid) this.#removeSendKey(previous);
    const skipped = this.#pendingSend.filter((p) => p.epoch <= entry.epoch);
    this.#pendingSend = this.#pendingSend.filter((p) => p.epoch > entry.epoch);
    for (const pending of skipped) if (pending.kid !== entry.kid) this.#removeSendKey(pending);
  }

  /** Only if the KID still holds our key: a member's receive key may have taken it over since. */
  #removeSendKey(key: SendKey): void {
    if (this.#context.hasKey(key.kid, 'encrypt')) this.#context.removeKey(key.kid);
  }

  #expire(): void {
    const now = this.#now();
    for (const [epoch, entry] of this.#receive) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#dropReceiveEpoch(epoch);
    }
  }

  /** Drops the oldest superseded epochs beyond MAX_RETAINED_EPOCHS. */
  #boundRetainedEpochs(): void {
    const excess = this.#receive.size - MAX_RETAINED_EPOCHS;
    if (excess <= 0) return;
    const oldest = [...this.#receive.keys()].filter((e) => e !== this.#currentReceiveEpoch).sort((a, b) => a - b);
    for (const epoch of oldest.slice(0, excess)) this.#dropReceiveEpoch(epoch);
  }

  #dropReceiveEpoch(epoch: number): void {
    const entry = this.#receive.get(epoch);
    if (entry === undefined) return;
    for (const kid of [...entry.kids.keys()]) this.#forgetReceiveKid(epoch, kid, entry);
    this.#receive.delete(epoch);
  }

  /** Removes the key under `kid` only if it still belongs to `epoch` (epochs 256 apart share KIDs). */
  #forgetReceiveKid(epoch: number, kid: bigint, entry: EpochKeys): void {
    entry.kids.delete(kid);
    if (this.#owners.get(kid)?.epoch !== epoch) return;
    this.#owners.delete(kid);
    this.#context.removeKey(kid);
    this.#deferred.get(kid)?.fill(0);
    this.#deferred.delete(kid);
  }

  /**
   * Imports the receive key a frame names if it was deferred (setReceiveKeys). Concurrent frames of one KID
   * wait for the same import. If the KID got another key meanwhile, the one just imported is taken out again
   * so that the newer one is imported at the next frame.
   */
  #importDeferred(sframe: Uint8Array): Promise<void> | undefined {
    let kid: bigint;
    try {
      kid = decodeHeader(sframe).kid;
    } catch {
      return undefined; // malformed: decryption says so
    }
    const running = this.#importing.get(kid);
    if (running !== undefined) return running;
    const bytes = this.#deferred.get(kid);
    if (bytes === undefined) return undefined;
    const run = (async () => {
      try {
        await this.#context.addDecryptionKey(kid, bytes);
        if (this.#deferred.get(kid) === bytes) {
          this.#deferred.delete(kid);
          bytes.fill(0);
        } else {
          this.#context.removeKey(kid);
        }
      } finally {
        this.#importing.delete(kid);
      }
    })();
    this.#importing.set(kid, run);
    return run;
  }

  /** An unknown KID is expected with no keys at all, under an epoch just before our first, or from a former sender. */
  #unknownKeyExpected(sframe: Uint8Array, formerSenders: FormerSenders | undefined): boolean {
    if (this.#currentReceiveEpoch === undefined) return true;
    let kid: bigint;
    try {
      kid = decodeHeader(sframe).kid;
    } catch {
      return false;
    }
    const { senderIndex, epochLow } = parseMlsKid(kid, SABHA_EPOCH_BITS);
    const since = this.#keyedSince;
    if (since !== undefined && this.#now() - since.at < this.#graceMs) {
      const epochsBefore = (((since.epoch - Number(epochLow)) % EPOCH_MODULUS) + EPOCH_MODULUS) % EPOCH_MODULUS;
      if (epochsBefore >= 1 && epochsBefore <= MAX_RETAINED_EPOCHS) return true;
    }
    const leafOwner = this.#leafOwners.get(senderIndex);
    return leafOwner !== undefined && this.#recentlyShown(leafOwner, formerSenders);
  }

  /** Members of the epoch being superseded who are not in the new one: they left the group. */
  #noteDepartures(next: readonly ReceiveKey[]): void {
    const staying = new Set(next.map((k) => k.participantId));
    for (const id of staying) this.#departed.delete(id);
    for (const owner of this.#owners.values()) {
      if (owner.epoch !== this.#currentReceiveEpoch || staying.has(owner.participantId)) continue;
      this.#departed.add(owner.participantId);
      // Bounded: the oldest departures are forgotten first.
      if (this.#departed.size > MAX_REMEMBERED_DEPARTURES) this.#departed.delete(this.#departed.values().next().value!);
    }
  }

  /** Whether any epoch we hold keys of has a key of this participant. */
  #holdsKey(participantId: string): boolean {
    for (const owner of this.#owners.values()) if (owner.participantId === participantId) return true;
    return false;
  }

  #recentlyShown(participantId: string, formerSenders: FormerSenders | undefined): boolean {
    const stoppedAt = formerSenders?.get(participantId);
    return stoppedAt !== undefined && this.#now() - stoppedAt < RETARGET_GRACE_MS;
  }

  #fail(participantId: string, reason: DecryptFailureReason): void {
    this.#stats.droppedUndecryptable++;
    const now = this.#now();
    const state = this.#failures.get(participantId);
    if (state === undefined) {
      const fresh: FailureState = { lastReportAt: now, unreported: 1, reason };
      this.#failures.set(participantId, fresh);
      this.#report(participantId, fresh, now);
      return;
    }
    state.unreported++;
    state.reason = reason;
    if (now - state.lastReportAt >= this.#reportIntervalMs) this.#report(participantId, state, now);
  }

  #report(participantId: string, state: FailureState, now: number): void {
    const count = state.unreported;
    state.unreported = 0;
    state.lastReportAt = now;
    this.#onFailure({ participantId, reason: state.reason, count });
  }
}

function reasonOf(error: SFrameError): DecryptFailureReason {
  switch (error.code) {
    case 'unknown-key':
    case 'wrong-key-usage':
      return 'unknown-key';
    case 'auth-failed':
      return 'auth-failed';
    case 'replay':
      return 'replay';
    default:
      return 'malformed';
  }
}

/** Tells keys apart without keeping their bytes: SHA-256 over the KID and the key. */
async function fingerprintOf(kid: bigint, key: Uint8Array): Promise<string> {
  const input = new Uint8Array(8 + key.length);
  new DataView(input.buffer).setBigUint64(0, kid);
  input.set(key, 8);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  input.fill(0);
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
