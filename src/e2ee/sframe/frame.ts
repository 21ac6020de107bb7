/**
 * Stateless SFrame encryption and decryption of one frame (RFC 9605 sections 4.4.3
 * and 4.4.4): nonce = salt XOR CTR (CTR as Nn bytes big-endian), AAD = header ||
 * metadata, output = header || ciphertext || tag. Counter bookkeeping and replay
 * checks belong to the caller (SFrameContext).
 */
import { concatBytes, encodeBigEndian, ownBytes } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { SFrameError } from './errors.ts';
import { encodeHeader } from './header.ts';
import type { SFrameHeader } from './header.ts';
import type { SFrameKeys } from './key-schedule.ts';

export function frameNonce(salt: Uint8Array, ctr: bigint): Bytes {
  const nonce = encodeBigEndian(ctr, salt.length);
  for (let i = 0; i < nonce.length; i++) nonce[i] = nonce[i]! ^ salt[i]!;
  return nonce;
}

export async function sealFrame(keys: SFrameKeys, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Bytes> {
  const header = encodeHeader(keys.kid, ctr);
  const aad = concatBytes(header, metadata);
  const ciphertext = await keys.aead.seal(frameNonce(keys.salt, ctr), aad, ownBytes(plaintext));
  return concatBytes(header, ciphertext);
}

/** `header` must be decodeHeader(frame); the caller has already used it to choose `keys`. */
export async function openFrame(
  keys: SFrameKeys,
  header: SFrameHeader,
  frame: Uint8Array,
  metadata: Uint8Array,
): Promise<Bytes> {
  const bytes = ownBytes(frame);
  const ciphertext = bytes.subarray(header.length);
  if (ciphertext.length < keys.suite.nt) {
    throw new SFrameError('malformed-frame', 'SFrame frame shorter than header and tag');
  }
  const aad = concatBytes(bytes.subarray(0, header.length), metadata);
  return keys.aead.open(frameNonce(keys.salt, header.ctr), aad, ciphertext);
}
