/**
 * SFrame keys from MLS (RFC 9605 section 5.2).
 *
 * Each epoch yields ONE base key for the whole group:
 *   base_key = MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk)
 * Senders are kept apart by the KID, which derive_key_salt mixes into every key and
 * salt label (key-schedule.ts):
 *   KID = (context << (S + E)) + (sender_index << E) + (epoch % 2^E)
 * E low bits of the epoch, S bits of member index, the rest a sender-chosen context.
 * Sabha always uses context 0, so S never needs agreeing on: KID = (index << E) | epoch_low.
 *
 * (Earlier drafts expanded a per-sender base key from an epoch secret with the sender
 * index; RFC 9605 dropped that. Interoperable code must not do it.)
 */
import { ownBytes, toU64, U64_MAX } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import type { CipherSuite } from './suites.ts';

export const MLS_EXPORTER_LABEL = 'SFrame 1.0 Base Key';
export const MLS_EXPORTER_CONTEXT: Bytes = new Uint8Array(0);

/** Sabha's choice of E: 256 epochs may be live at once, the KID stays 2 bytes up to 256 members. */
export const SABHA_EPOCH_BITS = 8;

/** Length to request from the MLS exporter: the suite's AEAD key length Nk. */
export function mlsExporterLength(suite: CipherSuite): number {
  return suite.nk;
}

function checkBits(bits: number, what: string): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 63) throw new TypeError(`${what} must be an integer in 0..63`);
  return BigInt(bits);
}

export interface MlsKidContext {
  /** Sender-chosen context value placed above the index. */
  readonly context: bigint | number;
  /** S: bits reserved for the member index; only needed when context is not 0. */
  readonly indexBits: number;
}

export function mlsKid(
  senderIndex: bigint | number,
  epoch: bigint | number,
  epochBits: number,
  extra?: MlsKidContext,
): bigint {
  const e = checkBits(epochBits, 'epochBits');
  const index = toU64(senderIndex, 'senderIndex');
  const epochLow = toU64(epoch, 'epoch') & ((1n << e) - 1n);
  let kid = (index << e) | epochLow;
  if (extra) {
    const s = checkBits(extra.indexBits, 'indexBits');
    if (index >> s !== 0n) throw new TypeError('senderIndex does not fit in indexBits');
    kid |= toU64(extra.context, 'context') << (s + e);
  }
  if (kid > U64_MAX) throw new TypeError('KID does not fit in 64 bits');
  return kid;
}

export interface MlsKidParts {
  readonly context: bigint;
  readonly senderIndex: bigint;
  readonly epochLow: bigint;
}

/** Splits a KID; without `indexBits` every bit above the epoch is taken as the index (context 0). */
export function parseMlsKid(kid: bigint | number, epochBits: number, indexBits?: number): MlsKidParts {
  const k = toU64(kid, 'kid');
  const e = checkBits(epochBits, 'epochBits');
  const epochLow = k & ((1n << e) - 1n);
  if (indexBits === undefined) return { context: 0n, senderIndex: k >> e, epochLow };
  const s = checkBits(indexBits, 'indexBits');
  return { context: k >> (s + e), senderIndex: (k >> e) & ((1n << s) - 1n), epochLow };
}

export interface MlsSenderKey {
  readonly kid: bigint;
  /** The epoch's base key: the same bytes for every sender; derive_key_salt separates them by KID. */
  readonly baseKey: Bytes;
}

/**
 * The KID and base key one member sends with in one epoch, to hand to
 * SFrameContext.addEncryptionKey (own index) or addDecryptionKey (every other member).
 * `epochBaseKey` is the exporter output above, and its length is checked against the suite.
 */
export function mlsSenderKey(
  suite: CipherSuite,
  epochBaseKey: Uint8Array,
  senderIndex: bigint | number,
  epoch: bigint | number,
  epochBits: number = SABHA_EPOCH_BITS,
): MlsSenderKey {
  if (epochBaseKey.length !== mlsExporterLength(suite)) {
    throw new TypeError(`${suite.name} needs a ${mlsExporterLength(suite)}-byte MLS exporter output (AEAD.Nk)`);
  }
  return { kid: mlsKid(senderIndex, epoch, epochBits), baseKey: ownBytes(epochBaseKey) };
}
