/**
 * FrameCryptor: the per-frame SFrame logic of the E2EE worker, with no worker, DOM or timer in it (the clock
 * is injected), so Node tests drive it directly.
 *
 * Inputs it accepts:
 *   setSendKey(epoch, kid, key)        our key for an epoch; the same (kid, key) again is a no-op, so a
 *                                      repeated message never restarts the counter (nonce reuse)
 *   setReceiveKeys(epoch, keys)        the other members' keys; the previous epoch's keys are kept for
 *                                      `graceMs` (frames in flight), older ones are dropped at once
 *   dropEpoch(epoch)                   forget that epoch's keys in both directions
 *   encryptFrame(payload, kind)        -> clear prefix + SFrame frame, or null (no send key: dropped, never sent clear)
 *   decryptFrame(frame, participantId, kind) -> payload, or null (dropped; a failure is counted for participantId)
 *   tick()                             expire keys past their grace period, flush due failure reports
 *
 * Audio is encrypted whole. Of video, the VP8 payload header stays in clear as authenticated SFrame metadata
 * (see clear-prefix.ts for why and what it reveals); the rest is encrypted.
 * Decryption also checks that the KID belongs to the participant the receiver is showing, so an SFU that
 * swaps streams between participants gets frames dropped, not shown under the wrong name.
 */
import { CipherSuiteId, SFrameContext, SFrameError } from '../sframe/index.ts';
import type { DecryptFailureReason, WorkerStats } from './messages.ts';
import { clearPrefixLength, concat, type FrameKind } from './clear-prefix.ts';

/** Frames sent just before a commit are still arriving when the new epoch's keys are installed. */
export const DEFAULT_GRACE_MS = 5_000;
/** At most one decrypt-failure report per participant per interval. */
export const DEFAULT_REPORT_INTERVAL_MS = 1_000;

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

interface EpochKeys {
  /** KID -> fingerprint of the key stored under it. */
  readonly kids: Map<bigint, string>;
  expiresAt: number | undefined;
}

interface FailureState {
  lastReportAt: number;
  unreported: number;
  reason: DecryptFailureReason;
}

export class FrameCryptor {
  readonly #context = new SFrameContext({ suite: CipherSuiteId.AES_128_GCM_SHA256_128 });
  readonly #onFailure: (report: DecryptFailureReport) => void;
  readonly #now: () => number;
  readonly #graceMs: number;
  readonly #reportIntervalMs: number;
  #send: { epoch: number; kid: bigint; fingerprint: string } | undefined;
  readonly #receive = new Map<number, EpochKeys>();
  #currentReceiveEpoch: number | undefined;
  /** KID -> owning epoch and participant, for the epoch whose key is stored under that KID right now. */
  readonly #owners = new Map<bigint, { epoch: number; participantId: string }>();
  readonly #failures = new Map<string, FailureState>();
  readonly #stats = { encrypted: 0, decrypted: 0, droppedNoSendKey: 0, droppedUndecryptable: 0 };
  /** Key changes are applied one at a time, in the order they were asked for. */
  #keyQueue: Promise<unknown> = Promise.resolve();

  constructor(options: FrameCryptorOptions) {
    this.#onFailure = options.onFailure;
    this.#now = options.now ?? (() => Date.now());
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.#reportIntervalMs = options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
  }

  get hasSendKey(): boolean {
    return this.#send !== undefined;
  }

  /** Resolves once every key change asked for so far has been applied. */
  settled(): Promise<void> {
    return this.#keyQueue.then(() => undefined);
  }

  stats(): Omit<WorkerStats, 'invalidMessages'> {
    return { ...this.#stats };
  }

  setSendKey(epoch: number, kid: bigint, key: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      const fingerprint = await fingerprintOf(kid, key);
      if (this.#send?.kid === kid && this.#send.fingerprint === fingerprint) return;
      const previous = this.#send;
      await this.#context.addEncryptionKey(kid, key);
      this.#send = { epoch, kid, fingerprint };
      // Only if the KID still holds our old key: a member's receive key may have taken it over since.
      if (previous !== undefined && previous.kid !== kid && this.#context.hasKey(previous.kid, 'encrypt')) {
        this.#context.removeKey(previous.kid);
      }
    });
  }

  setReceiveKeys(epoch: number, keys: readonly ReceiveKey[]): Promise<void> {
    return this.#serial(async () => {
      const current = this.#currentReceiveEpoch;
      if (current !== epoch) {
        for (const [other, entry] of this.#receive) {
          if (other === current) entry.expiresAt = this.#now() + this.#graceMs;
          else this.#dropReceiveEpoch(other);
        }
        this.#currentReceiveEpoch = epoch;
      }
      const entry = this.#receive.get(epoch) ?? { kids: new Map<bigint, string>(), expiresAt: undefined };
      this.#receive.set(epoch, entry);
      const wanted = new Set(keys.map((k) => k.kid));
      for (const kid of [...entry.kids.keys()]) {
        if (!wanted.has(kid)) this.#forgetReceiveKid(epoch, kid, entry);
      }
      for (const { kid, key, participantId } of keys) {
        const fingerprint = await fingerprintOf(kid, key);
        const owner = this.#owners.get(kid);
        // The same key again keeps its replay window; anything else gets a fresh one.
        if (entry.kids.get(kid) === fingerprint && owner?.epoch === epoch && owner.participantId === participantId) continue;
        await this.#context.addDecryptionKey(kid, key);
        entry.kids.set(kid, fingerprint);
        this.#owners.set(kid, { epoch, participantId });
      }
    });
  }

  dropEpoch(epoch: number): Promise<void> {
    return this.#serial(async () => {
      this.#dropReceiveEpoch(epoch);
      if (this.#currentReceiveEpoch === epoch) this.#currentReceiveEpoch = undefined;
      if (this.#send?.epoch === epoch) {
        if (this.#context.hasKey(this.#send.kid, 'encrypt')) this.#context.removeKey(this.#send.kid);
        this.#send = undefined;
      }
    });
  }

  async encryptFrame(payload: Uint8Array, kind: FrameKind): Promise<Uint8Array | null> {
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

  async decryptFrame(frame: Uint8Array, participantId: string, kind: FrameKind): Promise<Uint8Array | null> {
    this.#expire();
    const clear = clearPrefixLength(kind, frame);
    if (clear === null) {
      this.#fail(participantId, 'malformed');
      return null;
    }
    const prefix = frame.subarray(0, clear);
    let result: Awaited<ReturnType<SFrameContext['decrypt']>>;
    try {
      result = await this.#context.decrypt(frame.subarray(clear), prefix);
    } catch (error) {
      if (!(error instanceof SFrameError)) throw error;
      this.#fail(participantId, reasonOf(error));
      return null;
    }
    if (this.#owners.get(result.kid)?.participantId !== participantId) {
      this.#fail(participantId, 'wrong-sender');
      return null;
    }
    this.#stats.decrypted++;
    return clear === 0 ? result.plaintext : concat(prefix, result.plaintext);
  }

  tick(): void {
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
    const run = this.#keyQueue.then(operation);
    this.#keyQueue = run.catch(() => undefined);
    return run;
  }

  #expire(): void {
    const now = this.#now();
    for (const [epoch, entry] of this.#receive) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#dropReceiveEpoch(epoch);
    }
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
