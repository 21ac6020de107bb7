/**
 * The SFrame keys of one MLS epoch (RFC 9605 section 5.2): one exporter output for the whole group, and one
 * KID per member leaf, KID = mlsKid(leaf, epoch). Our own leaf's entry is the send key, every other
 * non-blank leaf's entry is a receive key labelled with the participant id from that leaf's MLS credential.
 */
import type { MlsMember } from '../mls/index.ts';
import { CipherSuiteId, cipherSuite, mlsExporterLength, mlsSenderKey } from '../sframe/index.ts';

/** Sabha's media suite: AES_128_GCM_SHA256_128 (docs/e2ee-sframe.md says why). */
export const MEDIA_SUITE = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);

export interface EpochSFrameKeys {
  readonly epoch: number;
  readonly send: { readonly kid: bigint; readonly key: Uint8Array };
  readonly receive: readonly { readonly kid: bigint; readonly key: Uint8Array; readonly participantId: string }[];
}

/**
 * Derives this epoch's keys from `member` (phase active or pending: the current epoch). The exporter is asked
 * for exactly AEAD.Nk bytes, as RFC 9605 says, and those bytes are the base key.
 */
export async function deriveEpochKeys(member: MlsMember): Promise<EpochSFrameKeys> {
  const epoch = member.epoch;
  const ownLeaf = member.ownLeafIndex;
  const roster = member.members();
  const baseKey = await member.exportSFrameBaseKey(mlsExporterLength(MEDIA_SUITE));
  const own = mlsSenderKey(MEDIA_SUITE, baseKey, ownLeaf, epoch);
  const receive: { kid: bigint; key: Uint8Array; participantId: string }[] = [];
  roster.forEach((participantId, leaf) => {
    if (participantId === undefined || leaf === ownLeaf) return;
    const entry = mlsSenderKey(MEDIA_SUITE, baseKey, leaf, epoch);
    receive.push({ kid: entry.kid, key: entry.baseKey, participantId });
  });
  baseKey.fill(0);
  return { epoch, send: { kid: own.kid, key: own.baseKey }, receive };
}
